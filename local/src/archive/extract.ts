import { mkdir, readFile, readdir } from 'node:fs/promises';
import { gunzipSync } from 'node:zlib';
import { basename } from 'node:path';
import { list, extract } from 'tar';
import { ValidationError } from '@slipway/core';
import { checkArchiveEntries, type ArchiveEntry } from './archive-entry.js';

export interface ExtractOptions {
  /** Refuse archives whose entries add up to more than this many bytes. @default 20 GiB */
  readonly maxTotalBytes?: number;
  /** How the archive is named in error messages. @default the file's base name */
  readonly label?: string;
}

const DEFAULT_MAX_TOTAL_BYTES = 20 * 1024 ** 3;

/**
 * Extracts a `.tar.gz` (or plain `.tar`) into `target`, which must be missing or empty, after checking every
 * header: nothing is written unless the whole archive is safe (see `findUnsafeEntries`). node-tar's own
 * guards (no writing through symbolic links on disk, no escaping `cwd`) stay on as a second line.
 *
 * @returns the archive's entries, in archive order.
 */
export async function extractTarGz(
  archive: string,
  target: string,
  options: ExtractOptions = {},
): Promise<ArchiveEntry[]> {
  const label = options.label ?? basename(archive);
  const entries = await readEntries(archive, label);
  checkArchiveEntries(entries, label);
  const total = entries.reduce((sum, entry) => sum + entry.size, 0);
  const limit = options.maxTotalBytes ?? DEFAULT_MAX_TOTAL_BYTES;
  if (total > limit) {
    throw new ValidationError({
      where: label,
      field: '',
      problem: `holds ${total} bytes, more than the limit of ${limit}`,
      fix: 'make the archive smaller or raise maxTotalBytes',
    });
  }
  await ensureEmptyDirectory(target, label);
  if (entries.length === 0) return entries;
  try {
    await extract({
      file: archive,
      cwd: target,
      strict: true,
      preservePaths: false,
      preserveOwner: false,
      // Entries were checked above; anything else reaching here is a bug, so skip it rather than write it.
      filter: (_path, entry) =>
        'type' in entry &&
        ['File', 'OldFile', 'ContiguousFile', 'Directory', 'SymbolicLink', 'Link'].includes(String(entry.type)),
    });
  } catch (error) {
    throw new ValidationError({
      where: label,
      field: '',
      problem: `could not be extracted: ${(error as Error).message}`,
      fix: 'check that it is a complete tar.gz archive of plain files and folders',
    });
  }
  return entries;
}

/** Reads every header without writing anything. */
export async function readEntries(archive: string, label = basename(archive)): Promise<ArchiveEntry[]> {
  const entries: ArchiveEntry[] = [];
  try {
    await list({
      file: archive,
      strict: true,
      onReadEntry: (entry) => {
        entries.push({
          path: entry.path,
          type: String(entry.type),
          ...(entry.linkpath !== undefined ? { linkpath: entry.linkpath } : {}),
          size: entry.size ?? 0,
        });
      },
    });
  } catch (error) {
    if (entries.length === 0 && (await isEmptyArchive(archive))) return entries;
    throw new ValidationError({
      where: label,
      field: '',
      problem: `is not a readable tar.gz archive: ${(error as Error).message}`,
      fix: 'give a complete .tar.gz file (for example one made by `tar -czf`)',
    });
  }
  return entries;
}

async function ensureEmptyDirectory(target: string, label: string): Promise<void> {
  await mkdir(target, { recursive: true });
  const existing = await readdir(target);
  if (existing.length > 0) {
    throw new ValidationError({
      where: label,
      field: 'target',
      problem: `must be extracted into an empty folder, but ${target} holds ${existing.length} entries`,
      fix: 'extract into a new folder',
    });
  }
}

/** node-tar calls an archive of nothing but end-of-archive blocks unrecognised; Python's tarfile and GNU tar accept it. */
async function isEmptyArchive(archive: string): Promise<boolean> {
  try {
    const raw = await readFile(archive);
    const bytes = raw[0] === 0x1f && raw[1] === 0x8b ? gunzipSync(raw) : raw;
    return bytes.length >= 1024 && bytes.every((byte) => byte === 0);
  } catch {
    return false;
  }
}
