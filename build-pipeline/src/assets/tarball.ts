import { archiveEnd, archiveEntryHeader, archivePadding, gzipArchive, sortArchiveEntries } from '@slipway/core/archive';

/** One file in a bundle: its path inside the archive and its bytes. */
export interface BundleEntry {
  readonly archivePath: string;
  readonly content: Uint8Array;
  readonly executable: boolean;
}

/**
 * A byte-stable `.tar.gz` of in-memory files, in the project's one archive layout (`@slipway/core`'s
 * deterministic tar): the same files always give the same bytes, so the same content hash and S3 key.
 */
export function createTarball(entries: readonly BundleEntry[]): Buffer {
  const parts: Buffer[] = [];
  for (const entry of sortArchiveEntries(entries.map((bundled) => ({ ...bundled, path: bundled.archivePath })))) {
    const size = entry.content.byteLength;
    parts.push(archiveEntryHeader({ path: entry.path, kind: 'file', size, executable: entry.executable }));
    parts.push(Buffer.from(entry.content), archivePadding(size));
  }
  parts.push(archiveEnd());
  return gzipArchive(Buffer.concat(parts));
}
