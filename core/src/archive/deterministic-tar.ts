import { Transform, type Readable, type TransformCallback, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { constants as zlib, createGzip, gzipSync } from 'node:zlib';
import { Header, Pax } from 'tar';

/**
 * The one archive layout Slipway writes (code bundles uploaded by the build, model archives written by local
 * training jobs): a gzipped tar whose bytes depend only on the entries' paths, kinds, contents and executable
 * bits, so equal inputs give equal bytes (and so equal content hashes and S3 keys) on every machine:
 * - entries in the byte order of their UTF-8 paths (`LC_ALL=C sort`), never a locale's or UTF-16's order;
 * - folders end in `/`; symbolic links are stored as links, never followed;
 * - every entry's mtime is 1980-01-01 (as reproducible zip builds use), owner 0/0 with no owner names, and
 *   modes reduced to 0755 (folders and executables) or 0644, the only bit git keeps;
 * - paths beyond ustar's limits travel in a PAX header, which tar readers (Python's included) honour;
 * - gzip level 9, with the header's OS byte set to 255 ("unknown") so Windows and Linux builds agree.
 */
export const ARCHIVE_MTIME = new Date(Date.UTC(1980, 0, 1));

const BLOCK = 512;
const GZIP_OS_BYTE = 9;
const GZIP_OS_UNKNOWN = 255;

/** One entry of an archive, without its content. */
export interface ArchiveEntry {
  /** Path inside the archive: `/`-separated, relative; folders end in `/`. */
  readonly path: string;
  readonly kind: 'file' | 'directory' | 'symlink';
  /** Content length in bytes (files only). */
  readonly size?: number;
  /** Whether the file has an executable bit (files only). */
  readonly executable?: boolean;
  /** Where a symbolic link points (links only). */
  readonly linkTarget?: string;
}

/** Orders archive paths by their UTF-8 bytes. */
export function compareArchivePaths(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

/** The entries in archive order. */
export function sortArchiveEntries<T extends { readonly path: string }>(entries: readonly T[]): T[] {
  return [...entries].sort((a, b) => compareArchivePaths(a.path, b.path));
}

/** The header block(s) of one entry: a PAX extended header first when the path does not fit ustar's fields. */
export function archiveEntryHeader(entry: ArchiveEntry): Buffer {
  const data = {
    path: entry.path,
    mode: entry.kind === 'directory' || entry.executable === true ? 0o755 : 0o644,
    uid: 0,
    gid: 0,
    uname: '',
    gname: '',
    size: entry.kind === 'file' ? (entry.size ?? 0) : 0,
    mtime: ARCHIVE_MTIME,
    type:
      entry.kind === 'file'
        ? ('File' as const)
        : entry.kind === 'directory'
          ? ('Directory' as const)
          : ('SymbolicLink' as const),
    ...(entry.kind === 'symlink' ? { linkpath: entry.linkTarget ?? '' } : {}),
  };
  const block = Buffer.alloc(BLOCK);
  const needsPax = new Header(data).encode(block, 0);
  if (!needsPax) return block;
  const pax = new Pax({
    path: entry.path,
    mtime: ARCHIVE_MTIME,
    ...(entry.kind === 'symlink' ? { linkpath: entry.linkTarget ?? '' } : {}),
  });
  return Buffer.concat([pax.encode(), block]);
}

/** The zero bytes that fill a file's content up to the next 512-byte block. */
export function archivePadding(size: number): Buffer {
  return Buffer.alloc((BLOCK - (size % BLOCK)) % BLOCK);
}

/** The end-of-archive marker: two zero blocks. */
export function archiveEnd(): Buffer {
  return Buffer.alloc(BLOCK * 2);
}

/** Gzips a whole tar in memory, deterministically. */
export function gzipArchive(tar: Buffer): Buffer {
  const gzip = gzipSync(tar, { level: zlib.Z_BEST_COMPRESSION });
  gzip[GZIP_OS_BYTE] = GZIP_OS_UNKNOWN;
  return gzip;
}

/**
 * Gzips a tar stream into `destination`, giving the same bytes as `gzipArchive`, for archives too large to hold
 * in memory. Rejects (never throws asynchronously) when any of the streams fails.
 */
export async function writeArchiveGzip(tar: Readable, destination: Writable): Promise<void> {
  let offset = 0;
  const setOsByte = new Transform({
    transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback) {
      // The byte is not covered by any checksum, so it can be set as it streams past.
      let out = chunk;
      if (offset <= GZIP_OS_BYTE && offset + chunk.length > GZIP_OS_BYTE) {
        out = Buffer.from(chunk);
        out[GZIP_OS_BYTE - offset] = GZIP_OS_UNKNOWN;
      }
      offset += chunk.length;
      callback(null, out);
    },
  });
  await pipeline(tar, createGzip({ level: zlib.Z_BEST_COMPRESSION }), setOsByte, destination);
}
