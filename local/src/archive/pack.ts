import { randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { lstat, readdir, rename, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Pack, type WriteEntry } from 'tar';

/** Every entry gets this modification time, so equal folders pack to equal bytes (the zip epoch, as wheels use). */
export const PACK_MTIME = new Date('1980-01-01T00:00:00Z');

export interface PackResult {
  /** Archive paths in the order written (sorted), folders ending in `/`. */
  readonly entries: readonly string[];
  /** Paths skipped because they are neither files, folders nor symbolic links (sockets, FIFOs, devices). */
  readonly skipped: readonly string[];
}

/**
 * Packs the contents of `sourceDir` into a gzipped tar at `archive`, deterministically: entries sorted by
 * path, fixed mtime, no owner names or ids, modes normalised to 0755 (folders and executables) or 0644.
 * Symbolic links are stored as links, never followed. The archive is written to a temporary file and renamed
 * into place, so a crash never leaves half an archive under its name.
 */
export async function packTarGz(sourceDir: string, archive: string): Promise<PackResult> {
  const { paths, skipped } = await collect(sourceDir);
  const temporary = join(dirname(archive), `.${randomUUID()}.tar.gz.part`);
  const pack = new Pack({
    cwd: sourceDir,
    gzip: true,
    portable: true,
    mtime: PACK_MTIME,
    noDirRecurse: true,
    follow: false,
    onWriteEntry: normaliseMode,
  });
  for (const path of paths) pack.add(path);
  pack.end();
  try {
    await pipeline(pack, createWriteStream(temporary));
    await rename(temporary, archive);
  } finally {
    await rm(temporary, { force: true });
  }
  return { entries: paths.map((path) => path), skipped };
}

function normaliseMode(entry: WriteEntry): void {
  const stat = entry.stat;
  if (!stat) return;
  const executable = stat.isDirectory() || (stat.mode & 0o111) !== 0;
  stat.mode = (stat.mode & ~0o7777) | (executable ? 0o755 : 0o644);
}

async function collect(root: string): Promise<{ paths: string[]; skipped: string[] }> {
  const paths: string[] = [];
  const skipped: string[] = [];
  const visit = async (relative: string): Promise<void> => {
    const names = (await readdir(join(root, relative))).sort(compareBytes);
    for (const name of names) {
      const path = relative ? `${relative}/${name}` : name;
      const stats = await lstat(join(root, path));
      if (stats.isDirectory()) {
        paths.push(`${path}/`);
        await visit(path);
      } else if (stats.isFile() || stats.isSymbolicLink()) {
        paths.push(path);
      } else {
        skipped.push(path);
      }
    }
  };
  await visit('');
  return { paths, skipped };
}

/** Sorts by UTF-8 bytes, like `LC_ALL=C sort`, so the order never depends on the locale. */
function compareBytes(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}
