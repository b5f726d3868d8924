import { lstat, mkdir, readdir } from 'node:fs/promises';
import { join, posix } from 'node:path';
import { ValidationError } from '@slipway/core';
import type { ObjectStore } from '../storage/object-store.js';
import { checkObjectKey, formatS3Uri, parseS3Uri, type S3Location } from '../storage/object-key.js';

/**
 * Copies S3 data to a local folder the way SageMaker stages inputs.
 * - `S3Prefix` (the default): every object whose key starts with the prefix, at its path relative to the
 *   prefix. A prefix naming a single object (`s3://b/data/reviews.csv`) gives `reviews.csv`; a sibling match
 *   (`data/train.csv` for the prefix `data/train`) keeps its path relative to the prefix's folder.
 * - `ManifestFile`: the S3 URI is a JSON manifest `[{"prefix": "s3://b/p/"}, "rel/a", "rel/b", ...]`; each
 *   listed object lands at its relative path.
 *
 * @returns how many objects were copied; zero objects is an error, as on SageMaker.
 */
export async function downloadS3Data(
  store: ObjectStore,
  s3Uri: string,
  dataType: string | undefined,
  localDir: string,
  where: string,
  field: string,
): Promise<number> {
  const location = parseS3Uri(s3Uri, `${where}: ${field}.S3Uri`);
  await mkdir(localDir, { recursive: true });
  if (dataType === 'ManifestFile') return downloadManifest(store, location, s3Uri, localDir, where, field);
  if (dataType !== undefined && dataType !== 'S3Prefix') {
    throw new ValidationError({
      where,
      field: `${field}.S3DataType`,
      problem: `is ${JSON.stringify(dataType)}, which the local runner does not support`,
      fix: 'use S3Prefix or ManifestFile',
    });
  }
  // Zero-byte "folder" markers (keys ending in "/") are not files.
  const objects = (await store.list(location.bucket, location.key)).filter((object) => !object.key.endsWith('/'));
  for (const object of objects) {
    const relative = relativeToPrefix(object.key, location.key);
    await store.getToFile(location.bucket, object.key, join(localDir, ...relative.split('/')));
  }
  if (objects.length === 0) throw noObjects(s3Uri, where, field);
  return objects.length;
}

async function downloadManifest(
  store: ObjectStore,
  location: S3Location,
  s3Uri: string,
  localDir: string,
  where: string,
  field: string,
): Promise<number> {
  const bad = (problem: string): never => {
    throw new ValidationError({
      where,
      field: `${field}.S3Uri`,
      problem: `names a manifest that ${problem}`,
      fix: 'write the manifest as [{"prefix": "s3://bucket/prefix/"}, "relative/key", ...]',
    });
  };
  const text = await store.get(location.bucket, location.key);
  if (text === undefined) throw noObjects(s3Uri, where, field);
  let manifest: unknown;
  try {
    manifest = JSON.parse(text.toString('utf8'));
  } catch {
    bad('is not JSON');
  }
  const [head, ...keys] = Array.isArray(manifest) ? manifest : [];
  const prefix = (head as { prefix?: unknown } | undefined)?.prefix;
  if (typeof prefix !== 'string') bad('does not start with {"prefix": "s3://..."}');
  if (keys.length === 0) bad('lists no objects');
  const base = parseS3Uri(prefix, `${where}: ${field}.S3Uri (manifest prefix)`);
  for (const relative of keys) {
    if (typeof relative !== 'string') bad(`lists a non-string entry ${JSON.stringify(relative)}`);
    checkObjectKey(relative as string, `${where}: ${field}.S3Uri (manifest entry)`);
    const key = `${base.key}${relative as string}`;
    if (!(await store.getToFile(base.bucket, key, join(localDir, ...(relative as string).split('/'))))) {
      throw noObjects(formatS3Uri({ bucket: base.bucket, key }), where, field);
    }
  }
  return keys.length;
}

/** An object's path below a prefix, as SageMaker lays out S3Prefix downloads. */
export function relativeToPrefix(key: string, prefix: string): string {
  if (prefix === '') return key;
  if (prefix.endsWith('/')) return key.slice(prefix.length);
  if (key === prefix) return posix.basename(key);
  if (key.startsWith(`${prefix}/`)) return key.slice(prefix.length + 1);
  const folder = prefix.includes('/') ? prefix.slice(0, prefix.lastIndexOf('/') + 1) : '';
  return key.slice(folder.length);
}

function noObjects(s3Uri: string, where: string, field: string): ValidationError {
  return new ValidationError({
    where,
    field: `${field}.S3Uri`,
    problem: `found no objects at ${JSON.stringify(s3Uri)}`,
    fix: 'upload the data first, or correct the S3 URI',
  });
}

/**
 * Uploads every regular file under `localDir` to `s3Uri/<relative path>`. Symbolic links are not followed
 * (SageMaker's rule for processing outputs), so a job cannot publish files from outside its sandbox.
 *
 * @returns the keys written, in path order.
 */
export async function uploadDirectory(
  store: ObjectStore,
  localDir: string,
  s3Uri: string,
  where: string,
): Promise<string[]> {
  const target = parseS3Uri(s3Uri, where);
  const files = await regularFiles(localDir);
  const written: string[] = [];
  for (const relative of files) {
    const key = joinKey(target, relative);
    await store.putFile(target.bucket, key, join(localDir, ...relative.split('/')));
    written.push(key);
  }
  return written;
}

/** `prefix/relative`, without doubling the slash when the prefix already ends in one. */
export function joinKey(target: S3Location, relative: string): string {
  if (target.key === '') return relative;
  return target.key.endsWith('/') ? `${target.key}${relative}` : `${target.key}/${relative}`;
}

/** Relative paths of the regular files under `dir`, sorted; links and special files are skipped. */
export async function regularFiles(dir: string): Promise<string[]> {
  const found: string[] = [];
  const visit = async (relative: string): Promise<void> => {
    const entries = await readdir(join(dir, relative)).catch(() => [] as string[]);
    for (const name of entries.sort()) {
      const path = relative ? `${relative}/${name}` : name;
      const stats = await lstat(join(dir, path));
      if (stats.isDirectory()) await visit(path);
      else if (stats.isFile()) found.push(path);
    }
  };
  await visit('');
  return found;
}
