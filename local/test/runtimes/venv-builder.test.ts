import { describe, expect, it, beforeEach, afterEach } from '@jest/globals';
import { spawn } from 'node:child_process';
import { chmod, mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureVenv, withLock, type BasePython } from '../../src/runtimes/index.js';

let dir: string;
let cacheDir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'slipway-venv-'));
  cacheDir = join(dir, 'cache');
  await mkdir(cacheDir);
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/**
 * A stand-in interpreter: `-m venv DIR` makes DIR/bin/python (a copy of itself), `-m pip install` records the
 * call in `calls` (after a pause, so concurrent callers overlap) and fails when `failPip` is set.
 */
async function fakePython(options: { failPip?: boolean } = {}): Promise<BasePython> {
  const script = join(dir, 'fake-python');
  const calls = join(dir, 'calls');
  await writeFile(
    script,
    [
      '#!/bin/sh',
      `if [ "$2" = venv ]; then mkdir -p "$3/bin" && cp "$0" "$3/bin/python" && echo venv >> ${calls}; exit 0; fi`,
      `if [ "$2" = pip ]; then sleep 0.3; echo pip >> ${calls};`,
      options.failPip
        ? '  echo "ERROR: No matching distribution found for nothing==0" >&2; exit 1; fi'
        : '  exit 0; fi',
      'exit 3',
    ].join('\n'),
  );
  await chmod(script, 0o755);
  return { command: script, executable: script, version: '3.11' };
}

async function calls(): Promise<string[]> {
  return (await readFile(join(dir, 'calls'), 'utf8').catch(() => '')).split('\n').filter(Boolean);
}

describe('ensureVenv', () => {
  it('builds once for concurrent callers and reuses the venv afterwards', async () => {
    const basePython = await fakePython();
    const request = { cacheDir, name: 'rt', requirements: ['pkg==1.0'], basePython };
    const [a, b] = await Promise.all([ensureVenv(request), ensureVenv(request)]);
    expect(a.python).toBe(join(cacheDir, 'rt', 'bin', 'python'));
    expect(b).toEqual(a);
    await ensureVenv(request);
    expect(await calls()).toEqual(['venv', 'pip']);
    expect(await readFile(join(cacheDir, 'rt', 'requirements.txt'), 'utf8')).toBe('pkg==1.0\n');
  });

  it('rebuilds when the pins change, swapping the new venv in whole', async () => {
    const basePython = await fakePython();
    await ensureVenv({ cacheDir, name: 'rt', requirements: ['pkg==1.0'], basePython });
    await ensureVenv({ cacheDir, name: 'rt', requirements: ['pkg==2.0'], basePython });
    expect(await calls()).toEqual(['venv', 'pip', 'venv', 'pip']);
    expect(await readFile(join(cacheDir, 'rt', 'requirements.txt'), 'utf8')).toBe('pkg==2.0\n');
    expect((await readdir(cacheDir)).sort()).toEqual(['rt', 'rt.build.log']);
  });

  it('leaves no venv behind when pip fails, and says why', async () => {
    const basePython = await fakePython({ failPip: true });
    await expect(ensureVenv({ cacheDir, name: 'rt', requirements: ['nothing==0'], basePython })).rejects.toThrow(
      /Could not build the local runtime rt[\s\S]*No matching distribution found for nothing==0/,
    );
    expect((await readdir(cacheDir)).sort()).toEqual(['rt.build.log']);
  });

  it('clears what a crashed build left and builds again', async () => {
    const basePython = await fakePython();
    await mkdir(join(cacheDir, '.rt.building-99999-deadbeef', 'bin'), { recursive: true });
    await writeFile(join(cacheDir, '.rt.lock'), JSON.stringify({ pid: 2 ** 22 + 17 }));
    await ensureVenv({ cacheDir, name: 'rt', requirements: ['pkg==1.0'], basePython });
    expect((await readdir(cacheDir)).sort()).toEqual(['rt', 'rt.build.log']);
  });
});

describe('withLock', () => {
  it('makes a second process wait until the first releases the lock', async () => {
    const lock = join(dir, 'x.lock');
    const order: string[] = [];
    // A separate process holds the lock for a moment.
    const holder = spawn(
      process.execPath,
      [
        '-e',
        `const fs=require('fs');fs.writeFileSync(${JSON.stringify(lock)},JSON.stringify({pid:process.pid}),{flag:'wx'});` +
          `console.log('locked');setTimeout(()=>{fs.rmSync(${JSON.stringify(lock)});process.exit(0)},600)`,
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    await new Promise((resolve) => holder.stdout.once('data', resolve));
    const exited = new Promise((resolve) => holder.once('exit', () => resolve(order.push('holder exited'))));
    await withLock(lock, 10_000, async () => {
      order.push('got lock');
    });
    await exited;
    expect(order).toEqual(['holder exited', 'got lock']);
  });

  it('times out with a message naming the lock file when the owner stays', async () => {
    const lock = join(dir, 'y.lock');
    await writeFile(lock, JSON.stringify({ pid: process.pid }));
    await expect(withLock(lock, 300, async () => undefined)).rejects.toThrow(
      /waiting for .*y\.lock; if no build is running, delete it/,
    );
  });
});

describe('ensureVenv in two processes at once', () => {
  it('builds once: the second process waits for the first one’s lock and finds the venv built', async () => {
    const basePython = await fakePython();
    // The compiled module (npm test compiles first): a child Node process cannot import the TypeScript source.
    const builder = new URL('../../dist/runtimes/venv-builder.js', import.meta.url).pathname;
    // Two separate Node processes (two projects' servers) ask for the same runtime in the same cache.
    const script = (label: string) =>
      `const { ensureVenv } = await import(${JSON.stringify(builder)});` +
      `const venv = await ensureVenv({ cacheDir: ${JSON.stringify(cacheDir)}, name: 'shared', requirements: ['pkg==1.0'],` +
      ` basePython: ${JSON.stringify(basePython)} });` +
      `console.log(${JSON.stringify(label)}, venv.python);`;
    const runOne = (label: string) =>
      new Promise<string>((resolve, reject) => {
        const child = spawn(process.execPath, ['--input-type=module', '-e', script(label)], {
          stdio: ['ignore', 'pipe', 'inherit'],
        });
        let out = '';
        child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
        child.once('exit', (code) => (code === 0 ? resolve(out.trim()) : reject(new Error(`exit ${code}`))));
      });
    const [a, b] = await Promise.all([runOne('a'), runOne('b')]);
    expect(a).toBe(`a ${join(cacheDir, 'shared', 'bin', 'python')}`);
    expect(b).toBe(`b ${join(cacheDir, 'shared', 'bin', 'python')}`);
    expect(await calls()).toEqual(['venv', 'pip']);
    expect((await readdir(cacheDir)).sort()).toEqual(['shared', 'shared.build.log']);
  }, 60_000);
});
