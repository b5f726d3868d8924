import { ServiceError } from '../server/service-error.js';
import type { ObjectInfo } from '../storage/object-store.js';
import { checkConditions } from './object-headers.js';
import { header, noSuchBucket, noSuchKey, type S3Request } from './s3-http.js';

/** The object a CopyObject or UploadPartCopy reads (`x-amz-copy-source: bucket/key`, percent-encoded). */
export interface CopySource {
  readonly bucket: string;
  readonly key: string;
  /** The x-amz-copy-source-if-* conditions against the source (412 when one does not hold). */
  check(request: S3Request, info: ObjectInfo): void;
  /** The error for a source that does not exist. */
  missing(bucketExists: boolean): ServiceError;
}

export function copySource(request: S3Request): CopySource {
  const raw = header(request, 'x-amz-copy-source') ?? '';
  const [path, query = ''] = raw.split('?', 2) as [string, string?];
  const versionId = new URLSearchParams(query).get('versionId');
  const trimmed = path.startsWith('/') ? path.slice(1) : path;
  const slash = trimmed.indexOf('/');
  let bucket = '';
  let key = '';
  try {
    bucket = decodeURIComponent(trimmed.slice(0, slash));
    key = decodeURIComponent(trimmed.slice(slash + 1));
  } catch {
    // Reported below.
  }
  if (slash <= 0 || key === '') {
    throw new ServiceError(
      'InvalidArgument',
      'Copy Source must mention the source bucket and key: sourcebucket/sourcekey (percent-encoded).',
      400,
      { ArgumentName: 'x-amz-copy-source', ArgumentValue: raw.slice(0, 200) },
    );
  }
  if (versionId !== null && versionId !== 'null') {
    throw new ServiceError(
      'NoSuchVersion',
      'The specified version does not exist (the local S3 keeps no versions).',
      404,
      {
        Key: key,
        VersionId: versionId.slice(0, 100),
      },
    );
  }
  return {
    bucket,
    key,
    check: (request, info) => void checkConditions(request, info, { prefix: 'x-amz-copy-source-' }),
    missing: (bucketExists) => (bucketExists ? noSuchKey(key) : noSuchBucket(bucket)),
  };
}
