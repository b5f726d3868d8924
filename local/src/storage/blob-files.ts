import { randomBytes } from 'node:crypto';
import { createReadStream, mkdirSync, renameSync, type ReadStream } from 'node:fs';
import { copyFile, link, mkdir, readdir, rm, unlink } from 'node:fs/promises';
import { join } from 'node:path';

/** Files read at a time when streaming an object out: large enough that a GiB is a few thousand reads. */
const READ_CHUNK_BYTES = 1024 * 1024;

/**
 * The files that hold object content. Each is named by a random id (`s3-data/<2 hex>/<32 hex>`), never by
 * its key, and never changes once written: a write goes to `s3-tmp/` first and is moved into `s3-data/`
 * only as the database row that names it commits. A file no row names is garbage (a crash between the move
 * and the commit, or between a commit and the removal of the file it replaced) and is removed at start.
 *
 * A reader pins the files it streams: removing a pinned file waits until its last reader is done, so
 * overwriting or deleting an object never cuts a download short.
 */
export class BlobFiles {
  readonly tempDir: string;
  readonly dataDir: string;
  private readonly pins = new Map<string, number>();
  private readonly removeWhenUnpinned = new Set<string>();

  constructor(root: string) {
    this.tempDir = join(root, 's3-tmp');
    this.dataDir = join(root, 's3-data');
  }

  static newId(): string {
    return randomBytes(16).toString('hex');
  }

  pathOf(blob: string): string {
    if (!/^[0-9a-f]{32}$/.test(blob)) throw new Error(`not a blob id: ${JSON.stringify(blob)}`);
    return join(this.dataDir, blob.slice(0, 2), blob);
  }

  /** A new, unique temporary path for a write in progress (the folder is made each time: recovery empties it). */
  async tempPath(): Promise<string> {
    await mkdir(this.tempDir, { recursive: true });
    return join(this.tempDir, `${BlobFiles.newId()}.part`);
  }

  /**
   * Moves a finished temporary file to its place as `blob`. Synchronous on purpose: the caller commits the
   * row that names the blob right after, in the same turn of the event loop.
   */
  publishSync(temporary: string, blob: string): void {
    const target = this.pathOf(blob);
    try {
      renameSync(temporary, target);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      mkdirSync(join(this.dataDir, blob.slice(0, 2)), { recursive: true });
      renameSync(temporary, target);
    }
  }

  /**
   * A temporary file with the same content as `blob`, to publish under a new id: a hard link (blobs never
   * change, so sharing the inode is safe), or a copy where the file system does not link.
   */
  async duplicateToTemp(blob: string): Promise<string> {
    const temporary = await this.tempPath();
    await link(this.pathOf(blob), temporary).catch(async (error: NodeJS.ErrnoException) => {
      if (!['EXDEV', 'EPERM', 'ENOTSUP', 'EMLINK'].includes(error.code ?? '')) throw error;
      await copyFile(this.pathOf(blob), temporary);
    });
    return temporary;
  }

  /** Reads bytes `start`..`end` (inclusive) of a blob. */
  read(blob: string, start: number, end: number): ReadStream {
    return createReadStream(this.pathOf(blob), { start, end, highWaterMark: READ_CHUNK_BYTES });
  }

  /** Keeps `blobs` on disk until `unpin` (a reader streams them). */
  pin(blobs: readonly string[]): void {
    for (const blob of blobs) this.pins.set(blob, (this.pins.get(blob) ?? 0) + 1);
  }

  unpin(blobs: readonly string[]): void {
    for (const blob of blobs) {
      const count = (this.pins.get(blob) ?? 1) - 1;
      if (count > 0) {
        this.pins.set(blob, count);
        continue;
      }
      this.pins.delete(blob);
      if (this.removeWhenUnpinned.delete(blob)) void this.unlinkQuietly(blob);
    }
  }

  /** Removes files no row names any more: now, or when their last reader unpins them. */
  async remove(blobs: readonly string[]): Promise<void> {
    for (const blob of blobs) {
      if (this.pins.has(blob)) this.removeWhenUnpinned.add(blob);
      else await this.unlinkQuietly(blob);
    }
  }

  /**
   * At start, before serving: empties `s3-tmp/` (writes a crash interrupted) and removes every file in
   * `s3-data/` that `referenced` does not name. Returns how many files were removed.
   */
  async collectGarbage(referenced: ReadonlySet<string>): Promise<number> {
    await rm(this.tempDir, { recursive: true, force: true });
    let removed = 0;
    for (const shard of await readdir(this.dataDir).catch(() => [] as string[])) {
      for (const name of await readdir(join(this.dataDir, shard)).catch(() => [] as string[])) {
        if (referenced.has(name)) continue;
        await rm(join(this.dataDir, shard, name), { force: true, recursive: true });
        removed += 1;
      }
    }
    return removed;
  }

  private async unlinkQuietly(blob: string): Promise<void> {
    await unlink(this.pathOf(blob)).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== 'ENOENT') throw error;
    });
  }
}
