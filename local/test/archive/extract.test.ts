import { describe, expect, it, beforeEach, afterEach } from '@jest/globals';
import { mkdtemp, readFile, readdir, readlink, rm, writeFile, mkdir, lstat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ValidationError } from '@slipway/core';
import { extractTarGz, findUnsafeEntries } from '../../src/archive/index.js';
import { writeRawTarGz, type RawEntry } from './tar-builder.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'slipway-extract-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function extractRaw(entries: RawEntry[]): Promise<{ target: string; error?: ValidationError }> {
  const archive = join(dir, 'archive.tar.gz');
  await writeRawTarGz(archive, entries);
  const target = join(dir, 'out');
  try {
    await extractTarGz(archive, target);
    return { target };
  } catch (error) {
    if (error instanceof ValidationError) return { target, error };
    throw error;
  }
}

describe('extractTarGz', () => {
  it('extracts files, folders and links that stay inside', async () => {
    const { target, error } = await extractRaw([
      { path: 'code/', type: 'Directory' },
      { path: 'code/inference.py', body: 'print(1)\n' },
      { path: 'model.joblib', body: 'weights' },
      { path: 'code/model-link', type: 'SymbolicLink', linkpath: '../model.joblib' },
      { path: 'copy.joblib', type: 'Link', linkpath: 'model.joblib' },
    ]);
    expect(error).toBeUndefined();
    expect(await readFile(join(target, 'code/inference.py'), 'utf8')).toBe('print(1)\n');
    expect(await readlink(join(target, 'code/model-link'))).toBe('../model.joblib');
    expect(await readFile(join(target, 'copy.joblib'), 'utf8')).toBe('weights');
  });

  const malicious: [string, RawEntry[], RegExp][] = [
    [
      'an absolute path',
      [{ path: '/tmp/slipway-evil', body: 'x' }],
      /entry "\/tmp\/slipway-evil" has an absolute path/,
    ],
    [
      'a ".." segment',
      [{ path: 'code/../../evil', body: 'x' }],
      /entry "code\/..\/..\/evil" has a "\.\." path segment/,
    ],
    [
      'a ".." segment written with backslashes (as Windows tools write paths)',
      [{ path: '..\\..\\x', body: 'x' }],
      /entry "\.\.\\\\\.\.\\\\x" has a "\.\." path segment/,
    ],
    [
      'a symbolic link climbing out with backslashes',
      [{ path: 'link', type: 'SymbolicLink', linkpath: '..\\..\\etc' }],
      /pointing outside the archive/,
    ],
    [
      'a symbolic link to an absolute path',
      [{ path: 'link', type: 'SymbolicLink', linkpath: '/etc' }],
      /symbolic link to the absolute path "\/etc"/,
    ],
    [
      'a symbolic link climbing out',
      [{ path: 'a/link', type: 'SymbolicLink', linkpath: '../../outside' }],
      /pointing outside the archive/,
    ],
    [
      'a link chain that escapes through another link',
      [
        { path: 'a', type: 'SymbolicLink', linkpath: '.' },
        { path: 'b', type: 'SymbolicLink', linkpath: 'a/..' },
      ],
      /goes through another link \("a"\)/,
    ],
    [
      'a file written through a link',
      [
        { path: 'dir', type: 'SymbolicLink', linkpath: '.' },
        { path: 'dir/file', body: 'x' },
      ],
      /entry "dir\/file" would be written through the symbolic link "dir"/,
    ],
    [
      'a hard link to something outside',
      [{ path: 'h', type: 'Link', linkpath: '/etc/passwd' }],
      /hard link to "\/etc\/passwd"/,
    ],
    [
      'a hard link to a symbolic link',
      [
        { path: 'd/s', type: 'SymbolicLink', linkpath: '../f' },
        { path: 'h', type: 'Link', linkpath: 'd/s' },
      ],
      /entry "h" is a hard link to "d\/s"/,
    ],
    ['a character device', [{ path: 'null', type: 'CharacterDevice' }], /entry "null" is a CharacterDevice/],
    ['a FIFO', [{ path: 'pipe', type: 'FIFO' }], /entry "pipe" is a FIFO/],
  ];

  it.each(malicious)('refuses %s, naming the entry, and writes nothing', async (_name, entries, message) => {
    const { target, error } = await extractRaw([{ path: 'harmless.txt', body: 'ok' }, ...entries]);
    expect(error).toBeInstanceOf(ValidationError);
    expect(error?.message).toMatch(message);
    expect(error?.message).toMatch(/^archive\.tar\.gz: entry/);
    // Checked before extraction: not even the harmless first entry was written.
    expect(await readdir(target).catch(() => [])).toEqual([]);
    await expect(lstat('/tmp/slipway-evil')).rejects.toThrow();
  });

  it('refuses to extract into a folder that is not empty', async () => {
    const archive = join(dir, 'a.tar.gz');
    await writeRawTarGz(archive, [{ path: 'f', body: 'x' }]);
    const target = join(dir, 'busy');
    await mkdir(target);
    await writeFile(join(target, 'existing'), 'y');
    await expect(extractTarGz(archive, target)).rejects.toThrow(/must be extracted into an empty folder/);
  });

  it('refuses an archive bigger than the limit', async () => {
    const archive = join(dir, 'big.tar.gz');
    await writeRawTarGz(archive, [{ path: 'f', body: 'x'.repeat(2048) }]);
    await expect(extractTarGz(archive, join(dir, 'out'), { maxTotalBytes: 1024 })).rejects.toThrow(
      /holds 2048 bytes, more than the limit of 1024/,
    );
  });

  it('says so when the file is not an archive', async () => {
    const archive = join(dir, 'junk.tar.gz');
    await writeFile(archive, 'this is not gzip');
    await expect(extractTarGz(archive, join(dir, 'out'))).rejects.toThrow(
      /junk\.tar\.gz is not a readable tar\.gz archive/,
    );
  });
});

describe('findUnsafeEntries', () => {
  it('accepts a symbolic link whose target resolves inside', () => {
    expect(
      findUnsafeEntries(
        [
          { path: 'a/b/', type: 'Directory', size: 0 },
          { path: 'a/b/link', type: 'SymbolicLink', linkpath: '../../top.txt', size: 0 },
        ],
        'x',
      ),
    ).toEqual([]);
  });

  it('reports at most ten problems', () => {
    const entries = Array.from({ length: 20 }, (_, i) => ({ path: `/abs/${i}`, type: 'File', size: 0 }));
    expect(findUnsafeEntries(entries, 'x')).toHaveLength(10);
  });
});
