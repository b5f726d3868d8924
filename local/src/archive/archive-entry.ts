import { ValidationError, describeValue, type ValidationIssue } from '@slipway/core';

/** What a tar header says about one entry, before anything is written to disk. */
export interface ArchiveEntry {
  readonly path: string;
  /** node-tar's type names: `File`, `Directory`, `SymbolicLink`, `Link`, `CharacterDevice`, ... */
  readonly type: string;
  readonly linkpath?: string;
  readonly size: number;
}

const REGULAR_FILE_TYPES = new Set(['File', 'OldFile', 'ContiguousFile']);
const DEVICE_TYPES = new Set(['CharacterDevice', 'BlockDevice', 'FIFO']);
/** At most this many problems are listed; one is enough to refuse the archive. */
const MAX_REPORTED = 10;

export function isRegularFileType(type: string): boolean {
  return REGULAR_FILE_TYPES.has(type);
}

/**
 * `a/./b/` → `a/b`; keeps `..` segments so that the caller can refuse them. A backslash counts as a separator
 * too: archives made on Windows use it, and `..\..\x` must be judged as the traversal it is.
 */
function segments(path: string): string[] {
  return path.split(/[/\\]/).filter((segment) => segment !== '' && segment !== '.');
}

function isAbsolute(path: string): boolean {
  return path.startsWith('/') || /^[a-zA-Z]:/.test(path) || path.startsWith('\\');
}

/**
 * Walks `target` segment by segment from `start` (both lists of segments from the archive root) the way the
 * kernel would, and says whether it leaves the root or passes through one of the archive's own symbolic
 * links (whose real target we refuse to reason about: a link seen through another link can point anywhere).
 */
function resolveInside(
  start: readonly string[],
  target: readonly string[],
  links: ReadonlySet<string>,
): { inside: boolean; throughLink?: string } {
  const stack = [...start];
  for (const segment of target) {
    if (segment === '..') {
      if (stack.length === 0) return { inside: false };
      stack.pop();
      continue;
    }
    stack.push(segment);
    const sofar = stack.join('/');
    if (links.has(sofar)) return { inside: true, throughLink: sofar };
  }
  return { inside: true };
}

/**
 * Every reason to refuse an archive's entries, judged from the headers alone: absolute paths, `..` segments,
 * device files and FIFOs, unknown entry types, symbolic links that point outside the extraction root (or
 * through another link), hard links to anything but a regular file stored earlier in the same archive, and
 * paths that would be written through one of the archive's own symbolic links.
 */
export function findUnsafeEntries(entries: readonly ArchiveEntry[], where: string): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  const links = new Set<string>();
  for (const entry of entries) {
    if (entry.type === 'SymbolicLink') links.add(segments(entry.path).join('/'));
  }
  const regularFiles = new Set<string>();
  const refuse = (entry: ArchiveEntry, problem: string) =>
    issues.push({
      where,
      field: `entry ${describeValue(entry.path)}`,
      problem,
      fix: 'rebuild the archive with plain files and folders at paths relative to its root',
    });

  for (const entry of entries) {
    if (issues.length >= MAX_REPORTED) break;
    const path = entry.path;
    const parts = segments(path);
    if (path.includes('\0')) refuse(entry, 'has a NUL character in its path');
    else if (isAbsolute(path)) refuse(entry, 'has an absolute path');
    else if (parts.includes('..')) refuse(entry, 'has a ".." path segment');
    else if (parts.length === 0 && entry.type !== 'Directory') refuse(entry, 'has an empty path');
    else if (DEVICE_TYPES.has(entry.type)) refuse(entry, `is a ${entry.type} (device files and FIFOs are refused)`);
    else if (!isRegularFileType(entry.type) && !['Directory', 'SymbolicLink', 'Link'].includes(entry.type))
      refuse(entry, `has the unsupported entry type ${entry.type}`);
    else {
      const parentLink = resolveInside([], parts.slice(0, -1), links).throughLink;
      if (parentLink !== undefined) {
        refuse(entry, `would be written through the symbolic link ${describeValue(parentLink)}`);
      } else if (entry.type === 'SymbolicLink') {
        const target = entry.linkpath ?? '';
        const walk = resolveInside(parts.slice(0, -1), segments(target), links);
        if (target === '' || isAbsolute(target))
          refuse(entry, `is a symbolic link to the absolute path ${describeValue(target)}`);
        else if (!walk.inside)
          refuse(entry, `is a symbolic link pointing outside the archive (${describeValue(target)})`);
        else if (walk.throughLink !== undefined)
          refuse(
            entry,
            `is a symbolic link whose target goes through another link (${describeValue(walk.throughLink)})`,
          );
      } else if (entry.type === 'Link') {
        const target = segments(entry.linkpath ?? '').join('/');
        if (isAbsolute(entry.linkpath ?? '') || !regularFiles.has(target) || links.has(target))
          refuse(
            entry,
            `is a hard link to ${describeValue(entry.linkpath)}, which is not a regular file stored earlier in the archive`,
          );
      }
      if (isRegularFileType(entry.type)) regularFiles.add(parts.join('/'));
      else regularFiles.delete(parts.join('/'));
    }
  }
  return issues;
}

/** Throws one ValidationError listing every unsafe entry (up to ten). */
export function checkArchiveEntries(entries: readonly ArchiveEntry[], where: string): void {
  const issues = findUnsafeEntries(entries, where);
  if (issues.length > 0) throw new ValidationError(issues);
}
