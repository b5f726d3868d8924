/**
 * IPv4 and IPv6 CIDR blocks for the `cidr` operator of event patterns.
 *
 * Which strings count as addresses follows EventBridge's matching engine (Event Ruler, published by AWS), not
 * `node:net`, where the two differ:
 * - An event value is an address only when it looks like one: four dot-separated decimal groups (IPv4), or hex
 *   digits and colons only (IPv6). Anything else, including the mixed notation `::ffff:10.0.0.1`, is a plain
 *   string and lies in no block (`node:net` reads it as an IPv4-mapped address).
 * - An IPv4-mapped IPv6 address written in hex (`::ffff:a00:1`) is read as the IPv4 address it maps
 *   (10.0.0.1), as the engine's address parser does, so it lies in IPv4 blocks and in no IPv6 block.
 * - A decimal group with a leading zero (`010.0.0.1`) is ambiguous (octal in some parsers, decimal in
 *   others); the engine's parser refuses such literals, so such a value is no address and such a block is
 *   invalid. `node:net` refuses them too, but accepts the mixed notation above.
 * A block's prefix may not exceed its address's width (32 or 128 bits).
 */

interface Cidr {
  readonly bits: bigint;
  readonly width: 32 | 128;
  readonly prefix: number;
}

interface IpAddress {
  readonly bits: bigint;
  readonly width: 32 | 128;
}

const IPV4_SHAPE = /^\d+\.\d+\.\d+\.\d+$/;
const IPV6_SHAPE = /^[0-9a-fA-F:]*:[0-9a-fA-F:]*$/;
const IPV4_GROUP = /^(0|[1-9]\d{0,2})$/;
const IPV6_GROUP = /^[0-9a-fA-F]{1,4}$/;
/** ::ffff:0:0/96, the IPv4-mapped block. */
const IPV4_MAPPED_PREFIX = 0xffffn << 32n;

export function parseCidr(text: string): Cidr | undefined {
  const parts = text.split('/');
  if (parts.length !== 2) return undefined;
  const [address = '', prefixText = ''] = parts;
  const parsed = parseIp(address);
  if (!parsed || !/^\d{1,3}$/.test(prefixText)) return undefined;
  const prefix = Number(prefixText);
  if (prefix > parsed.width) return undefined;
  return { ...parsed, prefix };
}

export function inCidr(value: string, cidrText: string): boolean {
  const cidr = parseCidr(cidrText);
  const ip = parseIp(value);
  if (!cidr || !ip || ip.width !== cidr.width) return false;
  const shift = BigInt(cidr.width - cidr.prefix);
  return ip.bits >> shift === cidr.bits >> shift;
}

/** The address a string denotes, or undefined when it is no address (see the module comment). */
export function parseIp(text: string): IpAddress | undefined {
  if (IPV4_SHAPE.test(text)) return parseIpv4(text);
  if (IPV6_SHAPE.test(text)) {
    const ipv6 = parseIpv6(text);
    if (ipv6 && ipv6.bits >> 32n === IPV4_MAPPED_PREFIX >> 32n) return { bits: ipv6.bits & 0xffffffffn, width: 32 };
    return ipv6;
  }
  return undefined;
}

function parseIpv4(text: string): IpAddress | undefined {
  const groups = text.split('.');
  if (groups.some((group) => !IPV4_GROUP.test(group) || Number(group) > 255)) return undefined;
  return { bits: groups.reduce((acc, group) => (acc << 8n) | BigInt(group), 0n), width: 32 };
}

function parseIpv6(text: string): IpAddress | undefined {
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const [head = '', tail] = halves;
  const headGroups = head ? head.split(':') : [];
  const tailGroups = tail ? tail.split(':') : [];
  const missing = 8 - headGroups.length - tailGroups.length;
  // Without "::" all eight groups are written; with it, it stands for at least one group of zeros.
  if (tail === undefined ? missing !== 0 : missing < 1) return undefined;
  const groups = [...headGroups, ...Array<string>(tail === undefined ? 0 : missing).fill('0'), ...tailGroups];
  if (groups.some((group) => !IPV6_GROUP.test(group))) return undefined;
  return { bits: groups.reduce((acc, group) => (acc << 16n) | BigInt(Number.parseInt(group, 16)), 0n), width: 128 };
}
