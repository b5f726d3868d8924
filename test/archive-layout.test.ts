/**
 * The build's code bundles (build-pipeline) and the local model archives (local) are written by one packer:
 * the same files give the same bytes through either, whatever their names.
 */
import { afterAll, describe, expect, it } from '@jest/globals';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTarball } from '../build-pipeline/src/assets/tarball.js';
import { packTarGz, readEntries } from '../local/src/archive/index.js';

const dir = mkdtempSync(join(tmpdir(), 'slipway-archive-layout-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// UTF-16 order (what JavaScript's < compares) and UTF-8 byte order disagree on these three:
// é is U+00E9 (C3 A9), ｚ is U+FF5A (EF BD 9A), 😀 is U+1F600 (F0 9F 98 80, a surrogate pair D83D DE00 in UTF-16).
const NAMES = ['😀.txt', 'ｚ.txt', 'é.txt', 'a.txt', 'Z.txt'];

describe('one archive layout', () => {
  it('orders entries by their UTF-8 bytes, in memory and from disk alike', async () => {
    const source = join(dir, 'names');
    rmSync(source, { recursive: true, force: true });
    mkdirSync(source);
    for (const name of NAMES) writeFileSync(join(source, name), name, { flag: 'w', encoding: 'utf8', mode: 0o644 });
    const archive = join(dir, 'names.tar.gz');
    const { entries } = await packTarGz(source, archive);
    expect(entries).toEqual(['Z.txt', 'a.txt', 'é.txt', 'ｚ.txt', '😀.txt']);
    expect((await readEntries(archive)).map((entry) => entry.path)).toEqual(entries);
    const bundle = join(dir, 'names-bundle.tar.gz');
    writeFileSync(
      bundle,
      createTarball(NAMES.map((name) => ({ archivePath: name, content: Buffer.from(name), executable: false }))),
    );
    expect((await readEntries(bundle)).map((entry) => entry.path)).toEqual(entries);
  });

  it('gives the same bytes for the same files from a bundle in memory and from a folder on disk', async () => {
    const source = join(dir, 'same');
    rmSync(source, { recursive: true, force: true });
    mkdirSync(source);
    const files = NAMES.map((name, index) => ({ name, body: `${name} ${'x'.repeat(index * 300)}` }));
    for (const { name, body } of files)
      writeFileSync(join(source, name), body, { mode: name === 'a.txt' ? 0o755 : 0o644 });
    const fromDisk = join(dir, 'same.tar.gz');
    await packTarGz(source, fromDisk);
    const inMemory = createTarball(
      files.map(({ name, body }) => ({
        archivePath: name,
        content: Buffer.from(body),
        executable: name === 'a.txt',
      })),
    );
    expect(readFileSync(fromDisk).equals(inMemory)).toBe(true);
  });
});
