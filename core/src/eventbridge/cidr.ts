/**
 * IPv4 and IPv6 CIDR blocks for the `cidr` operator of event patterns.
 */

interface Cidr {
  readonly bits: bigint;
  readonly width: 32 | 128;
  readonly prefix: number;
}

export function parseCidr(text: string): Cidr | undefined {
  const [address, prefixText] = text.split('/');
  const parsed = address ? parseIp(address) : undefined;
  const prefix = Number(prefixText);
  if (!parsed || prefixText === undefined || !/^\d+$/.test(prefixText) || prefix > parsed.width) return undefined;
  return { ...parsed, prefix };
}

export function inCidr(value: string, cidrText: string): boolean {
  const cidr = parseCidr(cidrText);
  const ip = parseIp(value);
  if (!cidr || !ip || ip.width !== cidr.width) return false;
  const shift = BigInt(cidr.width - cidr.prefix);
  return ip.bits >> shift === cidr.bits >> shift;
}

function parseIp(text: string): { bits: bigint; width: 32 | 128 } | undefined {
  if (/^\d{1,3}(\.\d{1,3}){3}$/.test(text)) {
    const parts = text.split('.').map(Number);
    if (parts.some((part) => part > 255)) return undefined;
    return { bits: parts.reduce((acc, part) => (acc << 8n) | BigInt(part), 0n), width: 32 };
  }
  if (!text.includes(':')) return undefined;
  const [head, tail, ...rest] = text.split('::');
  if (rest.length > 0) return undefined;
  const headGroups = head ? head.split(':') : [];
  const tailGroups = tail ? tail.split(':') : [];
  const missing = 8 - headGroups.length - tailGroups.length;
  if ((tail === undefined && missing !== 0) || missing < 0) return undefined;
  const groups = [...headGroups, ...Array<string>(tail === undefined ? 0 : missing).fill('0'), ...tailGroups];
  if (groups.length !== 8 || groups.some((group) => !/^[0-9a-fA-F]{1,4}$/.test(group))) return undefined;
  return { bits: groups.reduce((acc, group) => (acc << 16n) | BigInt(Number.parseInt(group, 16)), 0n), width: 128 };
}
