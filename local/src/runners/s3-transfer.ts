import { lstat, mkdir, readdir } from 'node:fs/promises';
import { join, posix } from 'node:path';
import { ValidationError } from '@slipway/core';
import type { ObjectStore } from '../storage/object-store.js';
import { formatS3Uri, parseS3Uri, type S3Location } from '../storage/object-key.js';

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
  if (objects.length === 0) throw noObjects(s3Uri, where, field);
  // Every file's place is checked before the first is written: a job never starts on half its input.
  const files = localFiles(
    objects.map((object) => ({ key: object.key, relative: relativeToPrefix(object.key, location.key) })),
    where,
    `${field}.S3Uri`,
  );
  for (const file of files) {
    await store.getToFile(location.bucket, file.key, join(localDir, ...file.segments));
  }
  return objects.length;
}

/** A key's file below the local folder: its path segments, checked. */
interface LocalFile {
  readonly key: string;
  readonly segments: readonly string[];
}

/** The longest file name Linux file systems take, in bytes. */
const MAX_FILE_NAME_BYTES = 255;

/**
 * Where each object lands below the local folder. S3 keys are not file paths: a key may hold `.` or `..`
 * segments, empty segments (`a//b`), names longer than a file name may be, or be both an object and the
 * folder of others (`a` and `a/b`). Empty segments are dropped, as a path join does; anything that would
 * leave the folder, cannot be a file name, or would put two objects in one place fails the job, naming the
 * keys.
 */
export function localFiles(
  objects: readonly { readonly key: string; readonly relative: string }[],
  where: string,
  field: string,
): LocalFile[] {
  const refuse = (problem: string): never => {
    throw new ValidationError({
      where,
      field,
      problem,
      fix: 'give the job a prefix whose objects are plain relative paths (no "." or ".." segments, names up to 255 bytes, no object that is also a folder of others)',
    });
  };
  const files: LocalFile[] = [];
  const byPath = new Map<string, string>();
  for (const { key, relative } of objects) {
    const segments = relative.split('/').filter((segment) => segment !== '');
    if (segments.length === 0) continue;
    const bad = segments.find(
      (segment) =>
        segment === '.' ||
        segment === '..' ||
        segment.includes('\0') ||
        Buffer.byteLength(segment) > MAX_FILE_NAME_BYTES,
    );
    if (bad !== undefined) {
      refuse(
        `names the object ${JSON.stringify(key)}, whose path segment ${JSON.stringify(bad.slice(0, 60))} cannot be a file name in the job's folder`,
      );
    }
    const path = segments.join('/');
    const other = byPath.get(path);
    if (other !== undefined) {
      refuse(
        `names the objects ${JSON.stringify(other)} and ${JSON.stringify(key)}, which would be the same file ${JSON.stringify(path)}`,
      );
    }
    byPath.set(path, key);
    files.push({ key, segments });
  }
  for (const [path, key] of byPath) {
    const segments = path.split('/');
    for (let depth = 1; depth < segments.length; depth += 1) {
      const folder = byPath.get(segments.slice(0, depth).join('/'));
      if (folder !== undefined) {
        refuse(
          `names the objects ${JSON.stringify(folder)} and ${JSON.stringify(key)}; the first would be a file and a folder at once`,
        );
      }
    }
  }
  return files;
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
    if (typeof relative !== 'string' || relative === '')
      bad(`lists an entry that is not a relative key: ${JSON.stringify(relative)}`);
  }
  const files = localFiles(
    (keys as string[]).map((relative) => ({ key: `${base.key}${relative}`, relative })),
    where,
    `${field}.S3Uri (manifest entry)`,
  );
  for (const file of files) {
    if (!(await store.getToFile(base.bucket, file.key, join(localDir, ...file.segments)))) {
      throw noObjects(formatS3Uri({ bucket: base.bucket, key: file.key }), where, field);
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
