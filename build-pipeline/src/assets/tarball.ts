import { gzipSync } from 'node:zlib';
import { Header, Pax } from 'tar';

/** One file in a bundle: its path inside the archive and its bytes. */
export interface BundleEntry {
  readonly archivePath: string;
  readonly content: Uint8Array;
  readonly executable: boolean;
}

/**
 * Fixed metadata for every entry, so the same files always give the same bytes (and so the same content hash
 * and S3 key): 1980-01-01 like reproducible zip builds, owner 0/0 with no owner names, and modes reduced to
 * 0644 or 0755 (git keeps only the executable bit).
 */
const FIXED_MTIME = new Date(Date.UTC(1980, 0, 1));
const BLOCK = 512;

function header(entry: BundleEntry): Buffer[] {
  const data = {
    path: entry.archivePath,
    mode: entry.executable ? 0o755 : 0o644,
    uid: 0,
    gid: 0,
    uname: '',
    gname: '',
    size: entry.content.byteLength,
    mtime: FIXED_MTIME,
    type: 'File' as const,
  };
  const block = Buffer.alloc(BLOCK);
  const needsPax = new Header(data).encode(block, 0);
  // Paths over ustar's limits travel in a PAX extended header, which tar readers (Python's included) honour.
  return needsPax ? [new Pax({ path: entry.archivePath, mtime: FIXED_MTIME }).encode(), block] : [block];
}

/** A byte-stable `.tar.gz`: entries sorted by path, fixed metadata, and a gzip header marked OS "unknown". */
export function createTarball(entries: readonly BundleEntry[]): Buffer {
  const sorted = [...entries].sort((a, b) =>
    a.archivePath < b.archivePath ? -1 : a.archivePath > b.archivePath ? 1 : 0,
  );
  const parts: Buffer[] = [];
  for (const entry of sorted) {
    parts.push(...header(entry), Buffer.from(entry.content));
    const padding = (BLOCK - (entry.content.byteLength % BLOCK)) % BLOCK;
    if (padding > 0) parts.push(Buffer.alloc(padding));
  }
  parts.push(Buffer.alloc(BLOCK * 2));
  const gzip = gzipSync(Buffer.concat(parts), { level: 9 });
  // zlib writes the building OS into byte 9; 255 ("unknown") keeps Windows and Linux builds identical. The
  // byte is not covered by any checksum.
  gzip[9] = 255;
  return gzip;
}
