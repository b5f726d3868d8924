import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { copyFile, link, readFile, readdir, rm, rmdir, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { ObjectRecord, ObjectRepository } from '../store/object-repository.js';
import { BlobFiles } from './blob-files.js';
import { checkBucketName, checkObjectKey } from './object-key.js';

/**
 * Moves the objects of the layout before the database index (`s3/<bucket>/<key>` files, their ETag and
 * content type in `s3-meta/<bucket>/<key>.json`) into the current one, keeping each object's bytes, ETag,
 * content type and time. Each object is linked (or copied) into `s3-data/` and recorded in one step, and
 * only then is the old file removed: a crash at any point leaves every object readable in the old layout or
 * the new, and the next start goes on where this one stopped. Returns how many objects were moved.
 */
export async function migrateLegacyLayout(
  dataDir: string,
  repository: ObjectRepository,
  blobs: BlobFiles,
): Promise<number> {
  const objectsRoot = join(dataDir, 's3');
  const metaRoot = join(dataDir, 's3-meta');
  const buckets = await readdir(objectsRoot, { withFileTypes: true }).catch(() => undefined);
  if (!buckets) {
    await rm(metaRoot, { recursive: true, force: true });
    return 0;
  }
  let moved = 0;
  for (const entry of buckets) {
    if (!entry.isDirectory() || !isBucketName(entry.name)) continue;
    const bucket = entry.name;
    const bucketRoot = join(objectsRoot, bucket);
    repository.createBucket(bucket, (await stat(bucketRoot)).mtime);
    for (const key of await filesUnder(bucketRoot)) {
      const file = join(bucketRoot, ...key.split('/'));
      const sidecar = join(metaRoot, bucket, ...key.split('/')) + '.json';
      if (!isKey(key)) continue;
      if (!repository.getObject(bucket, key)) {
        await moveObject(repository, blobs, bucket, key, file, sidecar);
        moved += 1;
      }
      await unlink(file).catch(() => undefined);
      await unlink(sidecar).catch(() => undefined);
    }
    await removeEmptyFolders(bucketRoot);
  }
  await rmdir(objectsRoot).catch(() => undefined);
  await rm(metaRoot, { recursive: true, force: true });
  return moved;
}

async function moveObject(
  repository: ObjectRepository,
  blobs: BlobFiles,
  bucket: string,
  key: string,
  file: string,
  sidecar: string,
): Promise<void> {
  const stats = await stat(file);
  const meta = await readSidecar(sidecar);
  const etag = meta?.etag ?? `"${await md5Of(file)}"`;
  const blob = BlobFiles.newId();
  const record: ObjectRecord = {
    bucket,
    key,
    size: stats.size,
    etag,
    contentType: meta?.contentType ?? 'application/octet-stream',
    headers: {},
    metadata: {},
    segments: stats.size === 0 ? [] : [{ blob, size: stats.size }],
    lastModified: stats.mtime,
  };
  const temporary = await blobs.tempPath();
  try {
    if (stats.size > 0) {
      await link(file, temporary).catch(async () => {
        await copyFile(file, temporary);
      });
      blobs.publishSync(temporary, blob);
    }
    repository.putObject(record);
  } finally {
    await rm(temporary, { force: true });
  }
}

async function readSidecar(path: string): Promise<{ etag: string; contentType: string } | undefined> {
  try {
    const parsed = JSON.parse(await readFile(path, 'utf8')) as { etag?: unknown; contentType?: unknown };
    if (typeof parsed.etag === 'string' && typeof parsed.contentType === 'string') {
      return { etag: parsed.etag, contentType: parsed.contentType };
    }
  } catch {
    // No sidecar (an object written by hand), or a broken one: the ETag is computed again.
  }
  return undefined;
}

async function md5Of(file: string): Promise<string> {
  const hash = createHash('md5');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** Keys of the regular files under a bucket folder (symbolic links were never objects). */
async function filesUnder(root: string): Promise<string[]> {
  const keys: string[] = [];
  const visit = async (relative: string): Promise<void> => {
    for (const entry of await readdir(join(root, relative), { withFileTypes: true }).catch(() => [])) {
      const path = relative ? `${relative}/${entry.name}` : entry.name;
      if (entry.isDirectory()) await visit(path);
      else if (entry.isFile()) keys.push(path);
    }
  };
  await visit('');
  return keys;
}

async function removeEmptyFolders(dir: string): Promise<void> {
  for (const entry of await readdir(dir, { withFileTypes: true }).catch(() => [])) {
    if (entry.isDirectory()) await removeEmptyFolders(join(dir, entry.name));
  }
  await rmdir(dir).catch(() => undefined);
}

function isBucketName(name: string): boolean {
  try {
    checkBucketName(name);
    return true;
  } catch {
    return false;
  }
}

function isKey(key: string): boolean {
  try {
    checkObjectKey(key);
    return true;
  } catch {
    return false;
  }
}
