import { createHash } from 'node:crypto';
import { crc32 as zlibCrc32 } from 'node:zlib';

/** The additional checksums S3 accepts, by their names in headers (`x-amz-checksum-crc32`) and XML (`ChecksumCRC32`). */
export const CHECKSUM_ALGORITHMS = ['CRC32', 'CRC32C', 'CRC64NVME', 'SHA1', 'SHA256'] as const;
export type ChecksumAlgorithm = (typeof CHECKSUM_ALGORITHMS)[number];

/**
 * How an object's checksum was made: of the whole object (`FULL_OBJECT`), or for a multipart upload, of the
 * parts' checksums (`COMPOSITE`, written `<base64>-<part count>`).
 */
export type ChecksumType = 'FULL_OBJECT' | 'COMPOSITE';

export interface StoredChecksum {
  readonly algorithm: ChecksumAlgorithm;
  /** Base64 of the big-endian digest; a composite one ends in `-<part count>`. */
  readonly value: string;
  readonly type: ChecksumType;
}

export function isChecksumAlgorithm(name: string): name is ChecksumAlgorithm {
  return (CHECKSUM_ALGORITHMS as readonly string[]).includes(name);
}

/** `x-amz-checksum-crc32` for CRC32, and so on. */
export function checksumHeader(algorithm: ChecksumAlgorithm): string {
  return `x-amz-checksum-${algorithm.toLowerCase()}`;
}

/** An incremental digest: feed it the bytes in order, then read the digest once. */
export interface Digest {
  update(chunk: Buffer): void;
  digest(): Buffer;
}

export function createDigest(algorithm: ChecksumAlgorithm): Digest {
  switch (algorithm) {
    case 'SHA1':
    case 'SHA256':
      return createHash(algorithm === 'SHA1' ? 'sha1' : 'sha256');
    case 'CRC32': {
      let value = 0;
      return {
        update: (chunk) => void (value = zlibCrc32(chunk, value)),
        digest: () => uint32(value),
      };
    }
    case 'CRC32C':
      return new Crc32cDigest();
    case 'CRC64NVME':
      return new Crc64NvmeDigest();
  }
}

/** The base64 digest of `bytes` in one call. */
export function checksumOf(algorithm: ChecksumAlgorithm, bytes: Buffer): string {
  const digest = createDigest(algorithm);
  digest.update(bytes);
  return digest.digest().toString('base64');
}

/** The length in bytes of each algorithm's digest (a value of another length is malformed). */
export function digestLength(algorithm: ChecksumAlgorithm): number {
  return { CRC32: 4, CRC32C: 4, CRC64NVME: 8, SHA1: 20, SHA256: 32 }[algorithm];
}

/** True when `value` is the base64 of a digest of the right length for `algorithm`. */
export function isWellFormedChecksum(algorithm: ChecksumAlgorithm, value: string): boolean {
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(value)) return false;
  const bytes = Buffer.from(value, 'base64');
  return bytes.length === digestLength(algorithm) && bytes.toString('base64') === value;
}

/**
 * A multipart object's composite checksum: the algorithm over the concatenated binary checksums of its parts,
 * followed by `-<number of parts>`, as S3 computes it.
 */
export function compositeChecksum(algorithm: ChecksumAlgorithm, partChecksums: readonly string[]): string {
  const joined = Buffer.concat(partChecksums.map((value) => Buffer.from(value, 'base64')));
  return `${checksumOf(algorithm, joined)}-${partChecksums.length}`;
}

/** Algorithms whose full-object checksum of a multipart upload can be derived from the parts' (the CRCs). */
export function supportsFullObjectMultipart(algorithm: ChecksumAlgorithm): boolean {
  return algorithm === 'CRC32' || algorithm === 'CRC32C' || algorithm === 'CRC64NVME';
}

/**
 * The CRC of a concatenation from the CRCs of its pieces and their lengths, without reading the bytes again
 * (zlib's crc32_combine, over any reflected CRC with all-ones init and final XOR).
 */
export function combineCrcs(
  algorithm: 'CRC32' | 'CRC32C' | 'CRC64NVME',
  pieces: readonly { readonly checksum: string; readonly size: number }[],
): string {
  const crc = CRC_PARAMETERS[algorithm];
  let combined: bigint | undefined;
  for (const piece of pieces) {
    const value = BigInt(`0x${Buffer.from(piece.checksum, 'base64').toString('hex') || '0'}`);
    combined =
      combined === undefined ? value : multiplyModP(crc, powerOfX(crc, BigInt(piece.size) * 8n), combined) ^ value;
  }
  const width = crc.width / 8;
  return Buffer.from((combined ?? 0n).toString(16).padStart(width * 2, '0'), 'hex').toString('base64');
}

interface CrcParameters {
  readonly width: number;
  /** The reflected polynomial. */
  readonly poly: bigint;
  /** x^(2^k) mod P for k = 0..63, built on first use. */
  powers?: bigint[];
}

const CRC_PARAMETERS: Record<'CRC32' | 'CRC32C' | 'CRC64NVME', CrcParameters> = {
  CRC32: { width: 32, poly: 0xedb88320n },
  CRC32C: { width: 32, poly: 0x82f63b78n },
  CRC64NVME: { width: 64, poly: 0x9a6c9329ac4bc9b5n },
};

/** a·b modulo the polynomial, in the reflected bit order CRCs use. */
function multiplyModP(crc: CrcParameters, a: bigint, b: bigint): bigint {
  let m = 1n << BigInt(crc.width - 1);
  let product = 0n;
  for (;;) {
    if (a & m) {
      product ^= b;
      if ((a & (m - 1n)) === 0n) break;
    }
    m >>= 1n;
    b = b & 1n ? (b >> 1n) ^ crc.poly : b >> 1n;
  }
  return product;
}

/** x^n modulo the polynomial (n in bits). */
function powerOfX(crc: CrcParameters, n: bigint): bigint {
  if (!crc.powers) {
    const powers = [1n << BigInt(crc.width - 2)];
    for (let k = 1; k < 64; k += 1) powers.push(multiplyModP(crc, powers[k - 1]!, powers[k - 1]!));
    crc.powers = powers;
  }
  let result = 1n << BigInt(crc.width - 1);
  for (let k = 0; n > 0n; k += 1, n >>= 1n) {
    if (n & 1n) result = multiplyModP(crc, crc.powers[k]!, result);
  }
  return result;
}

function uint32(value: number): Buffer {
  const bytes = Buffer.alloc(4);
  bytes.writeUInt32BE(value >>> 0);
  return bytes;
}

/** CRC-32C (Castagnoli), table-driven, eight bytes at a time. */
class Crc32cDigest implements Digest {
  private static tables: Int32Array[] | undefined;
  private crc = ~0;

  update(chunk: Buffer): void {
    const t = (Crc32cDigest.tables ??= sliceTables32(0x82f63b78));
    const [t0, t1, t2, t3, t4, t5, t6, t7] = t as [
      Int32Array,
      Int32Array,
      Int32Array,
      Int32Array,
      Int32Array,
      Int32Array,
      Int32Array,
      Int32Array,
    ];
    let crc = this.crc;
    let i = 0;
    const end8 = chunk.length - (chunk.length % 8);
    for (; i < end8; i += 8) {
      const a = crc ^ (chunk[i]! | (chunk[i + 1]! << 8) | (chunk[i + 2]! << 16) | (chunk[i + 3]! << 24));
      crc =
        t7[a & 0xff]! ^
        t6[(a >>> 8) & 0xff]! ^
        t5[(a >>> 16) & 0xff]! ^
        t4[a >>> 24]! ^
        t3[chunk[i + 4]!]! ^
        t2[chunk[i + 5]!]! ^
        t1[chunk[i + 6]!]! ^
        t0[chunk[i + 7]!]!;
    }
    for (; i < chunk.length; i += 1) crc = t0[(crc ^ chunk[i]!) & 0xff]! ^ (crc >>> 8);
    this.crc = crc;
  }

  digest(): Buffer {
    return uint32(~this.crc);
  }
}

function sliceTables32(poly: number): Int32Array[] {
  const tables = Array.from({ length: 8 }, () => new Int32Array(256));
  for (let n = 0; n < 256; n += 1) {
    let c = n;
    for (let k = 0; k < 8; k += 1) c = c & 1 ? (c >>> 1) ^ poly : c >>> 1;
    tables[0]![n] = c;
  }
  for (let n = 0; n < 256; n += 1) {
    for (let s = 1; s < 8; s += 1) {
      const previous = tables[s - 1]![n]!;
      tables[s]![n] = tables[0]![previous & 0xff]! ^ (previous >>> 8);
    }
  }
  return tables;
}

/** CRC-64/NVME, table-driven over two 32-bit halves (a BigInt per byte would be far slower). */
class Crc64NvmeDigest implements Digest {
  private static tables: { hi: Uint32Array; lo: Uint32Array } | undefined;
  private hi = 0xffffffff;
  private lo = 0xffffffff;

  update(chunk: Buffer): void {
    const { hi: tHi, lo: tLo } = (Crc64NvmeDigest.tables ??= crc64Tables(0x9a6c9329ac4bc9b5n));
    let hi = this.hi;
    let lo = this.lo;
    for (let i = 0; i < chunk.length; i += 1) {
      const index = (lo ^ chunk[i]!) & 0xff;
      lo = ((lo >>> 8) | (hi << 24)) ^ tLo[index]!;
      hi = (hi >>> 8) ^ tHi[index]!;
    }
    this.hi = hi >>> 0;
    this.lo = lo >>> 0;
  }

  digest(): Buffer {
    const bytes = Buffer.alloc(8);
    bytes.writeUInt32BE(~this.hi >>> 0, 0);
    bytes.writeUInt32BE(~this.lo >>> 0, 4);
    return bytes;
  }
}

function crc64Tables(poly: bigint): { hi: Uint32Array; lo: Uint32Array } {
  const hi = new Uint32Array(256);
  const lo = new Uint32Array(256);
  for (let n = 0; n < 256; n += 1) {
    let c = BigInt(n);
    for (let k = 0; k < 8; k += 1) c = c & 1n ? (c >> 1n) ^ poly : c >> 1n;
    hi[n] = Number(c >> 32n);
    lo[n] = Number(c & 0xffffffffn);
  }
  return { hi, lo };
}
