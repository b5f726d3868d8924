import { describe, expect, it, beforeEach, afterEach } from '@jest/globals';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { makeWheel } from '../../local/test/support/wheel.js';
import { runCli } from './support.js';

const run = promisify(execFile);

let dir: string;
let env: NodeJS.ProcessEnv;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'slipway-runtimes-cli-'));
  // A scratch runtime cache and a runtimes file with a small runtime, so build and remove are quick and local.
  await writeFile(
    join(dir, 'runtimes.json'),
    JSON.stringify({ runtimes: [{ name: 'tiny', images: ['tiny:*'], requirements: [], notes: ['a test runtime'] }] }),
  );
  env = {
    ...process.env,
    SLIPWAY_RUNTIME_DIR: join(dir, 'cache'),
    SLIPWAY_RUNTIMES_FILE: join(dir, 'runtimes.json'),
  };
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('slipway local runtimes', () => {
  it('lists every runtime with its images, packages, notes and state, builds one, and removes it', async () => {
    const listed = await runCli(['local', 'runtimes', 'list', '--json'], { env });
    expect(listed.code).toBe(0);
    const list = JSON.parse(listed.stdout) as {
      cacheDir: string;
      runtimes: { name: string; state: string; packages: string[]; notes: string[]; sharedWith: string[] }[];
    };
    expect(list.cacheDir).toBe(join(dir, 'cache'));
    const byName = Object.fromEntries(list.runtimes.map((runtime) => [runtime.name, runtime]));
    expect(byName.tiny).toMatchObject({ state: 'not built', notes: ['a test runtime'] });
    expect(byName['pytorch-2.5']).toMatchObject({ state: 'not built' });
    expect(byName['pytorch-2.5']!.packages).toContain('torch==2.5.1');
    expect(byName['sklearn-0.23-1']!.notes.join(' ')).toMatch(/nearest releases that do stand in/);
    expect(byName['sklearn-0.23-1']!.sharedWith).toEqual(['sklearn-1.0-1']);

    const human = await runCli(['local', 'runtimes', 'list'], { env });
    expect(human.stdout).toMatch(/huggingface-pytorch-4\.49 {2}not built/);
    expect(human.stdout).toContain('(layered on pytorch-2.5)');

    const built = await runCli(['local', 'runtimes', 'build', 'tiny'], { env });
    expect(built.code).toBe(0);
    expect(built.stdout).toMatch(/tiny: building the local runtime tiny/);
    expect(built.stdout).toMatch(/Built tiny in [\d.]+ s/);
    expect(existsSync(join(dir, 'cache', 'tiny', 'bin', 'python'))).toBe(true);
    expect((await runCli(['local', 'runtimes', 'build', 'tiny'], { env })).stdout).toMatch(/tiny was already built/);
    const state = JSON.parse((await runCli(['local', 'runtimes', 'list', '--json'], { env })).stdout) as typeof list;
    expect(state.runtimes.find((runtime) => runtime.name === 'tiny')!.state).toBe('built');

    const removed = await runCli(['local', 'runtimes', 'remove', 'tiny'], { env });
    expect(removed.stdout).toContain(`Removed tiny: ${join(dir, 'cache', 'tiny')}`);
    expect(existsSync(join(dir, 'cache', 'tiny'))).toBe(false);
  }, 120_000);

  it('builds a runtime with a requirements.txt installed as a training job installs it, giving that interpreter', async () => {
    // A source dir with a package only a local wheel has: nothing comes from an index.
    const source = join(dir, 'source');
    await makeWheel(join(source, 'wheels'), 'slipway_probe', '1.0', 'VALUE = 42\n');
    const requirements = join(source, 'requirements.txt');
    await writeFile(requirements, `--find-links ${join(source, 'wheels')}\nslipway-probe==1.0\n`);
    const build = async () => {
      const result = await runCli(['local', 'runtimes', 'build', 'tiny', '--requirements', requirements, '--json'], {
        env: { ...env, PIP_INDEX_URL: 'http://127.0.0.1:9/simple' },
      });
      expect(result.code).toBe(0);
      return JSON.parse(result.stdout) as { requirements: string; runtimes: { python: string; built: boolean }[] };
    };
    const first = await build();
    expect(first.requirements).toBe(requirements);
    const [overlay] = first.runtimes;
    expect(overlay!.built).toBe(true);
    expect(overlay!.python.startsWith(join(dir, 'cache', 'overlays', 'tiny-'))).toBe(true);
    expect((await run(overlay!.python, ['-c', 'import slipway_probe; print(slipway_probe.VALUE)'])).stdout).toBe(
      '42\n',
    );
    // The shared runtime itself never got the package, and the same file reuses the same layer.
    await expect(run(join(dir, 'cache', 'tiny', 'bin', 'python'), ['-c', 'import slipway_probe'])).rejects.toThrow(
      /No module named/,
    );
    expect((await build()).runtimes).toEqual([expect.objectContaining({ python: overlay!.python, built: false })]);

    const missing = await runCli(['local', 'runtimes', 'build', 'tiny', '--requirements', join(dir, 'none.txt')], {
      env,
    });
    expect(missing.code).not.toBe(0);
    expect(missing.stderr).toMatch(/--requirements.*none\.txt does not exist/);
  }, 120_000);

  it('names the runtimes when asked for one that does not exist', async () => {
    const result = await runCli(['local', 'runtimes', 'build', 'pytorch-9'], { env });
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(/"pytorch-9" is not a runtime: use one of .*pytorch-2\.5/);
  });
});
