import { GetObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { isS3NotFound, parseS3Uri } from '@slipway/build-pipeline/run';
import { ValidationError } from '@slipway/core';
import type { ObjectPreview } from '../views.js';
import type { ConsoleContext } from './console-context.js';

/** How much of an object the preview reads. */
export const PREVIEW_BYTES = 256 * 1024;
const LISTED = 200;

/**
 * The first bytes of an S3 object as text (CSV, JSON and text shown as such, anything else by its size), or,
 * for a prefix (a step's output folder), the objects under it.
 */
export async function previewObject(context: ConsoleContext, uri: string): Promise<ObjectPreview> {
  const location = parseS3Uri(uri) ?? bucketOnly(uri);
  const { s3 } = context.backend;
  if (location.key !== '' && !location.key.endsWith('/')) {
    try {
      const object = await s3.send(
        new GetObjectCommand({ Bucket: location.bucket, Key: location.key, Range: `bytes=0-${PREVIEW_BYTES - 1}` }),
      );
      const bytes = Buffer.from((await object.Body?.transformToByteArray()) ?? new Uint8Array());
      const size = totalSize(object.ContentRange) ?? object.ContentLength ?? bytes.length;
      const kind = kindOf(location.key, object.ContentType, bytes);
      return {
        uri,
        ...(object.ContentType ? { contentType: object.ContentType } : {}),
        size,
        kind,
        ...(kind === 'binary' ? {} : { text: bytes.toString('utf8') }),
        truncated: size > bytes.length,
      };
    } catch (error) {
      if (!isS3NotFound(error)) throw error;
    }
  }
  const prefix = location.key === '' || location.key.endsWith('/') ? location.key : `${location.key}/`;
  const listed = await s3.send(new ListObjectsV2Command({ Bucket: location.bucket, Prefix: prefix, MaxKeys: LISTED }));
  const objects = (listed.Contents ?? []).map((object) => ({
    uri: `s3://${location.bucket}/${object.Key ?? ''}`,
    ...(object.Size !== undefined ? { size: object.Size } : {}),
  }));
  if (objects.length === 0) {
    throw new ValidationError({ where: uri, field: '', problem: 'has no object and no objects under it' });
  }
  return { uri, kind: 'listing', objects, truncated: listed.IsTruncated === true };
}

function bucketOnly(uri: string): { bucket: string; key: string } {
  const match = /^s3:\/\/([^/]+)\/?$/.exec(uri);
  if (!match) {
    throw new ValidationError({
      where: 'uri',
      field: '',
      problem: `must be an s3:// URI, got ${JSON.stringify(uri)}`,
      fix: 'pass s3://bucket/key',
    });
  }
  return { bucket: match[1]!, key: '' };
}

/** `bytes 0-262143/1048576` → 1048576. */
function totalSize(contentRange: string | undefined): number | undefined {
  const total = contentRange ? Number(/\/(\d+)$/.exec(contentRange)?.[1]) : Number.NaN;
  return Number.isFinite(total) ? total : undefined;
}

function kindOf(key: string, contentType: string | undefined, bytes: Buffer): ObjectPreview['kind'] {
  const type = (contentType ?? '').toLowerCase();
  if (/\.csv$/i.test(key) || type.includes('csv')) return 'csv';
  if (/\.(json|jsonl)$/i.test(key) || type.includes('json')) return 'json';
  if (/\.(tar\.gz|tgz|gz|zip|joblib|pkl|npy|npz|parquet)$/i.test(key)) return 'binary';
  return bytes.includes(0) ? 'binary' : 'text';
}
