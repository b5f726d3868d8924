import { createHash, randomUUID } from 'node:crypto';
import { createWriteStream, type ReadStream } from 'node:fs';
import { mkdir, open, readFile, readdir, rename, rm, stat, unlink, writeFile, type FileHandle } from 'node:fs/promises';
import { dirname, join, relative, sep } from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { Readable } from 'node:stream';
import { ValidationError } from '@slipway/core';
import { checkBucketName, checkObjectKey } from './object-key.js';

export interface ObjectInfo {
  readonly key: string;
  readonly size: number;
  /** Quoted MD5 of the content, as S3 reports it for single-part uploads. */
  readonly etag: string;
  readonly lastModified: Date;
  readonly contentType: string;
}

export interface PutOptions {
  readonly contentType?: string;
}

/**
 * The local stand-in for S3: one folder per bucket under `<dataDir>/s3`, one file per object. Writes go to
 * a temporary file in the same bucket and are renamed into place, so a crash never leaves half an object
 * under its key. Each object's ETag and content type sit in a sidecar under `<dataDir>/s3-meta`.
 */
export class ObjectStore {
  private readonly objectsRoot: string;
  private readonly metaRoot: string;
  private readonly tempRoot: string;

  constructor(dataDir: string) {
    this.objectsRoot = join(dataDir, 's3');
    this.metaRoot = join(dataDir, 's3-meta');
    this.tempRoot = join(dataDir, 's3-tmp');
  }

  async createBucket(bucket: string): Promise<boolean> {
    checkBucketName(bucket);
    const path = join(this.objectsRoot, bucket);
    const existed = await exists(path);
    await mkdir(path, { recursive: true });
    return !existed;
  }

  async bucketExists(bucket: string): Promise<boolean> {
    checkBucketName(bucket);
    return exists(join(this.objectsRoot, bucket));
  }

  async listBuckets(): Promise<string[]> {
    if (!(await exists(this.objectsRoot))) return [];
    return (await readdir(this.objectsRoot, { withFileTypes: true }))
      .filter((entry) => entry.isDirectory())
      .map((entry) => entry.name)
      .sort();
  }

  /**
   * Stores `body` under `bucket/key`, creating the bucket if needed (the local store is forgiving there).
   * A stream body that fails (a vanished file, a client that hung up) rejects the returned promise; nothing
   * is written under the key.
   */
  async put(
    bucket: string,
    key: string,
    body: Buffer | string | Readable,
    options: PutOptions = {},
  ): Promise<ObjectInfo> {
    // The stream may fail while this method is still awaiting below, before `pipeline` listens to it: an
    // 'error' with no listener ends the process. Its first error is kept here and rethrown instead.
    const stream = typeof body === 'string' || Buffer.isBuffer(body) ? undefined : body;
    const failed = stream ? captureFirstError(stream) : undefined;
    try {
      return await this.write(bucket, key, body, options, failed);
    } catch (error) {
      stream?.destroy(); // a refused key or a failed write: release the file the stream holds open
      throw error;
    }
  }

  private async write(
    bucket: string,
    key: string,
    body: Buffer | string | Readable,
    options: PutOptions,
    failed: { error?: Error } | undefined,
  ): Promise<ObjectInfo> {
    const target = this.objectPath(bucket, key);
    await mkdir(this.tempRoot, { recursive: true });
    const temporary = join(this.tempRoot, `${randomUUID()}.part`);
    const hash = createHash('md5');
    try {
      if (typeof body === 'string' || Buffer.isBuffer(body)) {
        const bytes = typeof body === 'string' ? Buffer.from(body) : body;
        hash.update(bytes);
        await writeFile(temporary, bytes);
      } else {
        if (failed?.error) throw failed.error;
        body.on('data', (chunk: Buffer) => hash.update(chunk));
        await pipeline(body, createWriteStream(temporary));
      }
      await syncFile(temporary);
      const etag = `"${hash.digest('hex')}"`;
      const contentType = options.contentType ?? 'application/octet-stream';
      // A key and a folder of other keys cannot share a name on disk: find that out before anything is written.
      await mkdir(dirname(target), { recursive: true }).catch((error: unknown) => {
        throw pathConflict(error, bucket, key, 'one of its folders is an object');
      });
      if ((await stat(target).catch(() => undefined))?.isDirectory()) {
        throw pathConflict({ code: 'EISDIR' }, bucket, key, 'it is the folder of other objects');
      }
      await this.writeMeta(bucket, key, { etag, contentType }).catch((error: unknown) => {
        throw pathConflict(error, bucket, key, 'its metadata file name is taken by a folder of other objects');
      });
      await rename(temporary, target);
      return this.infoFor(bucket, key, etag, contentType);
    } finally {
      await rm(temporary, { force: true });
    }
  }

  /**
   * Copies a local file into the store (used for job outputs and model artifacts). A missing or unreadable
   * file rejects (with the file system's error, e.g. ENOENT) and leaves the key as it was.
   */
  async putFile(bucket: string, key: string, file: string, options: PutOptions = {}): Promise<ObjectInfo> {
    this.objectPath(bucket, key); // a bad bucket or key is refused before the file is opened
    const handle = await open(file, 'r');
    return this.put(bucket, key, readStreamOf(handle), options);
  }

  async head(bucket: string, key: string): Promise<ObjectInfo | undefined> {
    const path = this.objectPath(bucket, key);
    const stats = await stat(path).catch(() => undefined);
    if (!stats?.isFile()) return undefined;
    const meta = await this.readMeta(bucket, key);
    if (meta)
      return { key, size: stats.size, etag: meta.etag, lastModified: stats.mtime, contentType: meta.contentType };
    // An object written by hand into the folder: derive its ETag once and remember it.
    const etag = `"${createHash('md5')
      .update(await readFile(path))
      .digest('hex')}"`;
    await this.writeMeta(bucket, key, { etag, contentType: 'application/octet-stream' });
    return { key, size: stats.size, etag, lastModified: stats.mtime, contentType: 'application/octet-stream' };
  }

  async get(bucket: string, key: string): Promise<Buffer | undefined> {
    return readFile(this.objectPath(bucket, key)).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT' || error.code === 'EISDIR') return undefined;
      throw error;
    });
  }

  /**
   * The object's content as a stream, or undefined when there is none. The file is opened before this
   * resolves, so an object deleted meanwhile is `undefined`, never a stream that fails unheard; the caller
   * must consume the stream (or destroy it) and listen for its errors, as `pipeline` does.
   */
  async getStream(bucket: string, key: string): Promise<ReadStream | undefined> {
    const info = await this.head(bucket, key);
    if (!info) return undefined;
    const handle = await open(this.objectPath(bucket, key), 'r').catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT' || error.code === 'EISDIR') return undefined;
      throw error;
    });
    return handle ? readStreamOf(handle) : undefined;
  }

  /** Copies one object to a local file (used to stage job inputs). */
  async getToFile(bucket: string, key: string, file: string): Promise<boolean> {
    await mkdir(dirname(file), { recursive: true });
    const source = await this.getStream(bucket, key);
    if (!source) return false;
    await pipeline(source, createWriteStream(file));
    return true;
  }

  /** Every object whose key starts with `prefix`, in key order (S3's order for ListObjectsV2). */
  async list(bucket: string, prefix = ''): Promise<ObjectInfo[]> {
    checkBucketName(bucket);
    const bucketRoot = join(this.objectsRoot, bucket);
    // Only walk the deepest folder the prefix names, not the whole bucket.
    const folder = prefix.includes('/') ? prefix.slice(0, prefix.lastIndexOf('/')) : '';
    if (folder) checkObjectKey(folder, 'Prefix');
    const start = join(bucketRoot, ...folder.split('/').filter(Boolean));
    const keys: string[] = [];
    await walk(start, async (file) => {
      const key = relative(bucketRoot, file).split(sep).join('/');
      if (key.startsWith(prefix)) keys.push(key);
    });
    keys.sort();
    const infos: ObjectInfo[] = [];
    for (const key of keys) {
      const info = await this.head(bucket, key);
      if (info) infos.push(info);
    }
    return infos;
  }

  /** Deletes an object; a key with no object (none, or only a folder of other objects) is not an error, as in S3. */
  async delete(bucket: string, key: string): Promise<void> {
    for (const path of [this.objectPath(bucket, key), this.metaPath(bucket, key)]) {
      await unlink(path).catch((error: NodeJS.ErrnoException) => {
        if (!['ENOENT', 'ENOTDIR', 'EISDIR', 'EPERM'].includes(error.code ?? '')) throw error;
      });
    }
  }

  /** Absolute path of an object's file, after checking the key cannot escape its bucket. */
  objectPath(bucket: string, key: string): string {
    checkBucketName(bucket);
    checkObjectKey(key);
    return join(this.objectsRoot, bucket, ...key.split('/'));
  }

  private metaPath(bucket: string, key: string): string {
    checkBucketName(bucket);
    checkObjectKey(key);
    return join(this.metaRoot, bucket, ...key.split('/')) + '.json';
  }

  private async writeMeta(bucket: string, key: string, meta: { etag: string; contentType: string }): Promise<void> {
    const path = this.metaPath(bucket, key);
    await mkdir(dirname(path), { recursive: true });
    const temporary = `${path}.${randomUUID()}.tmp`;
    await writeFile(temporary, JSON.stringify(meta));
    await rename(temporary, path);
  }

  private async readMeta(bucket: string, key: string): Promise<{ etag: string; contentType: string } | undefined> {
    try {
      return JSON.parse(await readFile(this.metaPath(bucket, key), 'utf8')) as { etag: string; contentType: string };
    } catch {
      return undefined;
    }
  }

  private async infoFor(bucket: string, key: string, etag: string, contentType: string): Promise<ObjectInfo> {
    const stats = await stat(this.objectPath(bucket, key));
    return { key, size: stats.size, etag, lastModified: stats.mtime, contentType };
  }
}

/** A read stream over an already opened file; it closes the handle when it ends or fails. */
function readStreamOf(handle: FileHandle): ReadStream {
  return handle.createReadStream({ autoClose: true });
}

/**
 * Listens for a stream's errors from now on and keeps the first. A stream handed over for later
 * consumption must never be without an 'error' listener: Node ends the process for an unheard one.
 */
function captureFirstError(stream: Readable): { error?: Error } {
  const seen: { error?: Error } = {};
  stream.on('error', (error: Error) => {
    seen.error ??= error;
  });
  return seen;
}

/** A file-system clash between a key and the folders of other keys, as a ValidationError naming both; else the error. */
function pathConflict(error: unknown, bucket: string, key: string, problem: string): unknown {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code !== 'ENOTDIR' && code !== 'EEXIST' && code !== 'EISDIR') return error;
  return new ValidationError({
    where: 'Key',
    field: '',
    problem: `s3://${bucket}/${key} cannot be stored: ${problem}`,
    fix: 'the local store keeps objects as files and "/" as folders, so a key cannot also be the prefix of other keys; use another key',
  });
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

async function syncFile(path: string): Promise<void> {
  const handle = await open(path, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

async function walk(dir: string, visit: (file: string) => Promise<void>): Promise<void> {
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  for (const entry of entries) {
    const path = join(dir, entry.name);
    // Symbolic links are never followed: an object is a regular file inside its bucket folder.
    if (entry.isDirectory()) await walk(path, visit);
    else if (entry.isFile()) await visit(path);
  }
}
