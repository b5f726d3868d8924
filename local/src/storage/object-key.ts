import { ValidationError, describeValue } from '@slipway/core';

/** An `s3://bucket/key` location. */
export interface S3Location {
  readonly bucket: string;
  readonly key: string;
}

/** S3's limit on a key: 1024 bytes of UTF-8. */
export const MAX_KEY_BYTES = 1024;

const BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
/** A UTF-16 surrogate without its pair: such a string has no UTF-8 form, so it cannot be a key. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * Checks a key as S3 does: any UTF-8 string of 1 to 1024 bytes. Keys are never file names in the local
 * store (see object-store.ts), so `//`, a trailing `/`, `.`/`..` segments and long segments are all keys
 * like any other. Code that makes files from keys (staging job inputs) checks its own paths.
 */
export function checkObjectKey(key: string, field = 'Key'): void {
  const problem =
    typeof key !== 'string' || key.length === 0
      ? 'must not be empty'
      : LONE_SURROGATE.test(key)
        ? 'must be valid Unicode (it has an unpaired surrogate, which has no UTF-8 form)'
        : Buffer.byteLength(key) > MAX_KEY_BYTES
          ? `must be at most ${MAX_KEY_BYTES} bytes of UTF-8, got ${Buffer.byteLength(key)}`
          : undefined;
  if (problem) {
    throw new ValidationError({
      where: field,
      field: '',
      problem: `${problem}, got ${describeValue(typeof key === 'string' ? key.slice(0, 100) : key)}`,
      fix: 'use a key of 1 to 1024 bytes of UTF-8, such as "project/code/abc123/train.py"',
    });
  }
}

export function checkBucketName(bucket: string, field = 'Bucket'): void {
  if (!BUCKET.test(bucket) || bucket.includes('..')) {
    throw new ValidationError({
      where: field,
      field: '',
      problem: `must be 3-63 lowercase letters, digits, dots or hyphens, got ${describeValue(bucket)}`,
      fix: 'use a valid S3 bucket name',
    });
  }
}

/** Parses `s3://bucket/key` (the key may be empty for a bucket or prefix root, and may end in `/`). */
export function parseS3Uri(uri: unknown, field = 'S3Uri'): S3Location {
  const match = typeof uri === 'string' ? /^s3:\/\/([^/]+)(?:\/(.*))?$/s.exec(uri) : null;
  if (!match) {
    throw new ValidationError({
      where: field,
      field: '',
      problem: `must be an s3://BUCKET/KEY URI, got ${describeValue(uri)}`,
      fix: 'give a full S3 URI',
    });
  }
  const bucket = match[1] as string;
  checkBucketName(bucket, field);
  const key = match[2] ?? '';
  if (key !== '') checkObjectKey(key, field);
  return { bucket, key };
}

export function formatS3Uri(location: S3Location): string {
  return `s3://${location.bucket}/${location.key}`;
}
