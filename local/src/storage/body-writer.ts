import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { rm, writeFile } from 'node:fs/promises';
import { Transform, type Readable, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { BlobFiles } from './blob-files.js';
import { createDigest, type ChecksumAlgorithm, type Digest } from './checksums.js';

/** A body written to a temporary file, with what was computed while it went through. */
export interface WrittenBody {
  /** The temporary file (removed by the caller unless it publishes it). */
  readonly path: string;
  readonly size: number;
  readonly md5: Buffer;
  /** The digest of each algorithm asked for. */
  readonly digests: Readonly<Partial<Record<ChecksumAlgorithm, Buffer>>>;
}

export type Body = Buffer | string | Readable;

/**
 * Streams a body into a new temporary file, computing its MD5 (the ETag) and the asked-for checksums on
 * the way, and fsyncs it. Memory stays at a few chunks whatever the size. The temporary file is removed if
 * anything fails.
 */
export async function writeBody(
  blobs: BlobFiles,
  body: Body,
  algorithms: readonly ChecksumAlgorithm[],
): Promise<WrittenBody> {
  const path = await blobs.tempPath();
  const hashes = new DigestTap(algorithms);
  try {
    if (typeof body === 'string' || Buffer.isBuffer(body)) {
      const bytes = typeof body === 'string' ? Buffer.from(body) : body;
      hashes.add(bytes);
      await writeFile(path, bytes, { flag: 'wx' });
    } else {
      await pipeline(body, hashes, createWriteStream(path, { flags: 'wx' }));
    }
    await blobs.sync(path);
    return { path, ...hashes.result() };
  } catch (error) {
    await rm(path, { force: true });
    throw error;
  }
}

/** Passes bytes through unchanged, counting them and feeding every digest. */
class DigestTap extends Transform {
  private readonly md5 = createHash('md5');
  private readonly digests: [ChecksumAlgorithm, Digest][];
  private size = 0;

  constructor(algorithms: readonly ChecksumAlgorithm[]) {
    super();
    this.digests = [...new Set(algorithms)].map((algorithm) => [algorithm, createDigest(algorithm)]);
  }

  add(chunk: Buffer): void {
    this.size += chunk.length;
    this.md5.update(chunk);
    for (const [, digest] of this.digests) digest.update(chunk);
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.add(chunk);
    callback(null, chunk);
  }

  result(): Omit<WrittenBody, 'path'> {
    return {
      size: this.size,
      md5: this.md5.digest(),
      digests: Object.fromEntries(this.digests.map(([algorithm, digest]) => [algorithm, digest.digest()])),
    };
  }
}
