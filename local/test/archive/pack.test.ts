import { describe, expect, it, beforeEach, afterEach } from '@jest/globals';
import { chmod, mkdir, mkdtemp, readFile, readlink, rm, symlink, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { extractTarGz, packTarGz, readEntries } from '../../src/archive/index.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'slipway-pack-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function makeTree(root: string, order: 'forward' | 'reverse'): Promise<void> {
  const files: [string, string][] = [
    ['model.joblib', 'weights'],
    ['code/inference.py', 'def model_fn(d): pass\n'],
    ['code/lib/helper.py', 'X = 1\n'],
  ];
  for (const [path, body] of order === 'forward' ? files : [...files].reverse()) {
    await mkdir(join(root, path, '..'), { recursive: true });
    await writeFile(join(root, path), body);
    await utimes(join(root, path), new Date(), order === 'forward' ? new Date(2001, 1, 1) : new Date());
  }
  await chmod(join(root, 'code/inference.py'), order === 'forward' ? 0o600 : 0o664);
  await symlink('../model.joblib', join(root, 'code/model-link'));
}

describe('packTarGz', () => {
  it('packs equal folders to equal bytes whatever their mtimes, modes and creation order', async () => {
    await makeTree(join(dir, 'one'), 'forward');
    await makeTree(join(dir, 'two'), 'reverse');
    await packTarGz(join(dir, 'one'), join(dir, 'one.tar.gz'));
    await packTarGz(join(dir, 'two'), join(dir, 'two.tar.gz'));
    expect(await readFile(join(dir, 'one.tar.gz'))).toEqual(await readFile(join(dir, 'two.tar.gz')));
  });

  it('lists entries sorted, keeps links as links, and round-trips through extractTarGz', async () => {
    await makeTree(join(dir, 'src'), 'forward');
    const result = await packTarGz(join(dir, 'src'), join(dir, 'model.tar.gz'));
    expect(result.entries).toEqual([
      'code/',
      'code/inference.py',
      'code/lib/',
      'code/lib/helper.py',
      'code/model-link',
      'model.joblib',
    ]);
    const entries = await readEntries(join(dir, 'model.tar.gz'));
    expect(entries.find((e) => e.path === 'code/model-link')).toMatchObject({
      type: 'SymbolicLink',
      linkpath: '../model.joblib',
    });
    await extractTarGz(join(dir, 'model.tar.gz'), join(dir, 'out'));
    expect(await readFile(join(dir, 'out/code/lib/helper.py'), 'utf8')).toBe('X = 1\n');
    expect(await readlink(join(dir, 'out/code/model-link'))).toBe('../model.joblib');
  });

  it('packs an empty folder to a valid empty archive', async () => {
    await mkdir(join(dir, 'empty'));
    const result = await packTarGz(join(dir, 'empty'), join(dir, 'empty.tar.gz'));
    expect(result.entries).toEqual([]);
    expect(await readEntries(join(dir, 'empty.tar.gz'))).toEqual([]);
  });
});
