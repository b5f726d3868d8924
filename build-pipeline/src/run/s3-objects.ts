import type { S3Client } from '@aws-sdk/client-s3';
import { awsCommands } from './aws-commands.js';

/** `s3://bucket/key` → its parts; undefined for anything else. */
export function parseS3Uri(uri: string): { readonly bucket: string; readonly key: string } | undefined {
  const match = /^s3:\/\/([^/]+)\/(.+)$/.exec(uri);
  return match ? { bucket: match[1] as string, key: match[2] as string } : undefined;
}

/** Reads a JSON document from S3 (an evaluation report, a metrics file). */
export async function readJsonObject(s3: S3Client, uri: string): Promise<unknown> {
  const { GetObjectCommand } = await awsCommands();
  const location = parseS3Uri(uri);
  if (!location) throw new Error(`${JSON.stringify(uri)} is not an s3:// URI`);
  const response = await s3.send(new GetObjectCommand({ Bucket: location.bucket, Key: location.key }));
  const text = (await response.Body?.transformToString('utf-8')) ?? '';
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new Error(`${uri} is not JSON: ${(error as Error).message}`);
  }
}

/** The value at a dotted path (`multiclass_classification_metrics.accuracy.value`), as JsonGet reads it. */
export function valueAtPath(document: unknown, path: string): unknown {
  let current: unknown = document;
  for (const part of path.split('.')) {
    if (typeof current !== 'object' || current === null) return undefined;
    current = (current as Record<string, unknown>)[part];
  }
  return current;
}
