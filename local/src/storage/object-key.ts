import { ValidationError, describeValue } from '@slipway/core';

/** An `s3://bucket/key` location. */
export interface S3Location {
  readonly bucket: string;
  readonly key: string;
}

const BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
/** A file name may have 255 bytes; the metadata sidecar adds `.json`. */
const MAX_SEGMENT_BYTES = 250;

/**
 * Checks that an object key can live on a file system without escaping its bucket folder. S3 allows any
 * UTF-8 key; the local store refuses the few that would be ambiguous or dangerous on disk, and says which.
 */
export function checkObjectKey(key: string, field = 'Key'): void {
  const problem =
    key.length === 0
      ? 'must not be empty'
      : Buffer.byteLength(key) > 1024
        ? `must be at most 1024 bytes, got ${Buffer.byteLength(key)}`
        : key.includes('\0')
          ? 'must not contain a NUL character'
          : key.includes('\\')
            ? 'must not contain a backslash (the local store maps "/" to folders)'
            : key.startsWith('/')
              ? 'must not start with "/"'
              : key.split('/').some((segment) => segment === '..' || segment === '.')
                ? 'must not contain "." or ".." path segments'
                : key.endsWith('/')
                  ? 'must not end with "/" (the local store keeps each object as a file, so a folder marker would be the same file as the key without the slash)'
                  : key.split('/').some((segment) => segment === '')
                    ? 'must not contain empty path segments ("//")'
                    : key.split('/').some((segment) => segment.startsWith('.slipway-'))
                      ? 'must not use the reserved prefix ".slipway-" in a path segment'
                      : key.split('/').some((segment) => Buffer.byteLength(segment) > MAX_SEGMENT_BYTES)
                        ? `must not have a path segment longer than ${MAX_SEGMENT_BYTES} bytes (each is a file or folder name)`
                        : undefined;
  if (problem) {
    throw new ValidationError({
      where: field,
      field: '',
      problem: `${problem}, got ${describeValue(key)}`,
      fix: 'use a plain relative key such as "project/code/abc123/train.py"',
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

/** Parses `s3://bucket/key` (the key may be empty for a bucket or prefix root). */
export function parseS3Uri(uri: unknown, field = 'S3Uri'): S3Location {
  const match = typeof uri === 'string' ? /^s3:\/\/([^/]+)(?:\/(.*))?$/.exec(uri) : null;
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
  if (key !== '' && !key.endsWith('/')) checkObjectKey(key, field);
  else if (key !== '') checkObjectKey(key.slice(0, -1), field);
  return { bucket, key };
}

export function formatS3Uri(location: S3Location): string {
  return `s3://${location.bucket}/${location.key}`;
}
