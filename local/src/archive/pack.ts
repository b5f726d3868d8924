import { randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { lstat, readdir, readlink, rename, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { Readable } from 'node:stream';
import {
  ARCHIVE_MTIME,
  archiveEnd,
  archiveEntryHeader,
  archivePadding,
  sortArchiveEntries,
  writeArchiveGzip,
  type ArchiveEntry,
} from '@slipway/core/archive';

/** Every entry gets this modification time, so equal folders pack to equal bytes. */
export const PACK_MTIME = ARCHIVE_MTIME;

export interface PackResult {
  /** Archive paths in the order written (sorted), folders ending in `/`. */
  readonly entries: readonly string[];
  /** Paths skipped because they are neither files, folders nor symbolic links (sockets, FIFOs, devices). */
  readonly skipped: readonly string[];
}

/**
 * Packs the contents of `sourceDir` into a gzipped tar at `archive`, in the project's one archive layout
 * (`@slipway/core`'s deterministic tar: sorted by UTF-8 path, fixed metadata, links kept as links), streaming
 * file contents from disk. The archive is written to a temporary file and renamed into place, so a crash never
 * leaves half an archive under its name.
 */
export async function packTarGz(sourceDir: string, archive: string): Promise<PackResult> {
  const { entries, skipped } = await collect(sourceDir);
  const temporary = join(dirname(archive), `.${randomUUID()}.tar.gz.part`);
  try {
    await writeArchiveGzip(Readable.from(tarChunks(sourceDir, entries)), createWriteStream(temporary));
    await rename(temporary, archive);
  } finally {
    await rm(temporary, { force: true });
  }
  return { entries: entries.map((entry) => entry.path), skipped };
}

async function* tarChunks(root: string, entries: readonly ArchiveEntry[]): AsyncGenerator<Buffer> {
  for (const entry of entries) {
    yield archiveEntryHeader(entry);
    if (entry.kind !== 'file') continue;
    const expected = entry.size ?? 0;
    let written = 0;
    for await (const chunk of createReadStream(join(root, entry.path)) as AsyncIterable<Buffer>) {
      // The header already promised this many bytes: a file that grows while packed must not spill into the next.
      const room = expected - written;
      written += Math.min(chunk.length, room);
      if (room > 0) yield chunk.length <= room ? chunk : chunk.subarray(0, room);
    }
    if (written !== expected) {
      throw new Error(`${entry.path} changed while it was packed (${written} of ${expected} bytes read)`);
    }
    yield archivePadding(expected);
  }
  yield archiveEnd();
}

async function collect(root: string): Promise<{ entries: ArchiveEntry[]; skipped: string[] }> {
  const entries: ArchiveEntry[] = [];
  const skipped: string[] = [];
  const visit = async (relative: string): Promise<void> => {
    for (const name of await readdir(join(root, relative))) {
      const path = relative ? `${relative}/${name}` : name;
      const stats = await lstat(join(root, path));
      if (stats.isDirectory()) {
        entries.push({ path: `${path}/`, kind: 'directory' });
        await visit(path);
      } else if (stats.isFile()) {
        entries.push({ path, kind: 'file', size: stats.size, executable: (stats.mode & 0o111) !== 0 });
      } else if (stats.isSymbolicLink()) {
        entries.push({ path, kind: 'symlink', linkTarget: await readlink(join(root, path)) });
      } else {
        skipped.push(path);
      }
    }
  };
  await visit('');
  return { entries: sortArchiveEntries(entries), skipped: skipped.sort() };
}
