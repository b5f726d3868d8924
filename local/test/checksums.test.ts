import { randomBytes } from 'node:crypto';
import { crc32 } from 'node:zlib';
import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { checksumOf, combineCrcs, compositeChecksum, isWellFormedChecksum } from '../src/storage/checksums.js';

const hex = (base64: string) => Buffer.from(base64, 'base64').toString('hex');

describe('the checksums S3 computes', () => {
  it('match the catalogue check values for "123456789"', () => {
    const check = Buffer.from('123456789');
    expect(hex(checksumOf('CRC32', check))).toBe('cbf43926');
    expect(hex(checksumOf('CRC32C', check))).toBe('e3069283');
    expect(hex(checksumOf('CRC64NVME', check))).toBe('ae8b14860a799888');
    expect(checksumOf('CRC32', check)).toBe(Buffer.from([0xcb, 0xf4, 0x39, 0x26]).toString('base64'));
  });

  it('computes CRC-32C the same in one call and in pieces of any size (the eight-byte path and the tail)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), fc.integer({ min: 0, max: 200 }), (bytes, cut) => {
        const data = Buffer.from(bytes);
        const whole = checksumOf('CRC32C', data);
        const at = Math.min(cut, data.length);
        const pieces = combineCrcs('CRC32C', [
          { checksum: checksumOf('CRC32C', data.subarray(0, at)), size: at },
          { checksum: checksumOf('CRC32C', data.subarray(at)), size: data.length - at },
        ]);
        expect(pieces).toBe(whole);
      }),
      { numRuns: 200 },
    );
  });

  it.each(['CRC32', 'CRC32C', 'CRC64NVME'] as const)(
    'combines %s of parts into the CRC of the whole object (FULL_OBJECT multipart)',
    (algorithm) => {
      const parts = [randomBytes(1000), randomBytes(1), randomBytes(65_537), randomBytes(7)];
      const combined = combineCrcs(
        algorithm,
        parts.map((part) => ({ checksum: checksumOf(algorithm, part), size: part.length })),
      );
      expect(combined).toBe(checksumOf(algorithm, Buffer.concat(parts)));
    },
  );

  it('agrees with zlib for CRC-32 and makes composite checksums as S3 writes them', () => {
    const data = randomBytes(5000);
    expect(hex(checksumOf('CRC32', data))).toBe((crc32(data) >>> 0).toString(16).padStart(8, '0'));
    const parts = [checksumOf('SHA256', Buffer.from('a')), checksumOf('SHA256', Buffer.from('b'))];
    const joined = Buffer.concat(parts.map((part) => Buffer.from(part, 'base64')));
    expect(compositeChecksum('SHA256', parts)).toBe(`${checksumOf('SHA256', joined)}-2`);
    expect(isWellFormedChecksum('CRC32', checksumOf('CRC32', data))).toBe(true);
    expect(isWellFormedChecksum('CRC32', checksumOf('SHA1', data))).toBe(false);
    expect(isWellFormedChecksum('CRC32', 'not base64!')).toBe(false);
  });
});
