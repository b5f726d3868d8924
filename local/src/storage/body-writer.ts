import { createHash } from 'node:crypto';
import { open, rm, type FileHandle } from 'node:fs/promises';
import type { Readable } from 'node:stream';
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
 * the way, and fsyncs it (so its content survives a power loss before a row names it). Memory stays at
 * about 1 MiB whatever the size. The temporary file is removed if
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
    const file = await open(path, 'wx');
    try {
      if (typeof body === 'string' || Buffer.isBuffer(body)) {
        const bytes = typeof body === 'string' ? Buffer.from(body) : body;
        hashes.add(bytes);
        await file.writeFile(bytes);
      } else {
        // Chunks are gathered into writes of about 1 MiB: one system call (and one trip to the thread pool)
        // per MiB instead of one per network read, which is most of the cost besides the digests.
        let pending: Buffer[] = [];
        let pendingBytes = 0;
        for await (const chunk of body as AsyncIterable<Buffer>) {
          hashes.add(chunk);
          pending.push(chunk);
          pendingBytes += chunk.length;
          if (pendingBytes >= WRITE_BATCH_BYTES) {
            await writeAll(file, pending);
            pending = [];
            pendingBytes = 0;
          }
        }
        if (pendingBytes > 0) await writeAll(file, pending);
      }
      await file.sync();
    } finally {
      await file.close();
    }
    return { path, ...hashes.result() };
  } catch (error) {
    await rm(path, { force: true });
    throw error;
  }
}

/** Bytes gathered before one write to the file. */
const WRITE_BATCH_BYTES = 1024 * 1024;

/** Writes every buffer, in order, however many system calls writev needs. */
async function writeAll(file: FileHandle, buffers: Buffer[]): Promise<void> {
  let rest = buffers;
  while (rest.length > 0) {
    let { bytesWritten } = await file.writev(rest);
    const next: Buffer[] = [];
    for (const buffer of rest) {
      if (bytesWritten >= buffer.length) bytesWritten -= buffer.length;
      else {
        next.push(bytesWritten > 0 ? buffer.subarray(bytesWritten) : buffer);
        bytesWritten = 0;
      }
    }
    rest = next;
  }
}

/** Counts bytes and feeds every digest. */
class DigestTap {
  private readonly md5 = createHash('md5');
  private readonly digests: [ChecksumAlgorithm, Digest][];
  private size = 0;

  constructor(algorithms: readonly ChecksumAlgorithm[]) {
    this.digests = [...new Set(algorithms)].map((algorithm) => [algorithm, createDigest(algorithm)]);
  }

  add(chunk: Buffer): void {
    this.size += chunk.length;
    this.md5.update(chunk);
    for (const [, digest] of this.digests) digest.update(chunk);
  }

  result(): Omit<WrittenBody, 'path'> {
    return {
      size: this.size,
      md5: this.md5.digest(),
      digests: Object.fromEntries(this.digests.map(([algorithm, digest]) => [algorithm, digest.digest()])),
    };
  }
}
