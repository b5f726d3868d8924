import { describe, expect, it } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { REPO_ROOT } from './support/moto-server.js';

/** Every JavaScript action in the repository: a folder of actions/ with an action.yml. */
const actions = readdirSync(join(REPO_ROOT, 'actions')).filter((name) =>
  existsSync(join(REPO_ROOT, 'actions', name, 'action.yml')),
);

interface ActionMetadata {
  name: string;
  description: string;
  inputs?: Record<string, { description?: string; required?: boolean; default?: string }>;
  outputs?: Record<string, { description?: string }>;
  runs: { using: string; main: string };
}

describe.each(actions)('actions/%s', (name) => {
  const dir = join(REPO_ROOT, 'actions', name);
  const metadata = parse(readFileSync(join(dir, 'action.yml'), 'utf8')) as ActionMetadata;

  it('runs its committed bundle on a Node runtime GitHub supports', () => {
    // node24 is the runners' default since June 2026; node20 is removed from them in autumn 2026.
    expect(metadata.runs).toEqual({ using: 'node24', main: 'dist/index.js' });
    expect(existsSync(join(dir, 'dist', 'index.js'))).toBe(true);
  });

  it('documents every input and output', () => {
    expect(metadata.description.length).toBeGreaterThan(20);
    for (const [input, spec] of Object.entries(metadata.inputs ?? {}))
      expect([input, (spec.description ?? '').length > 10]).toEqual([input, true]);
    for (const [output, spec] of Object.entries(metadata.outputs ?? {}))
      expect([output, (spec.description ?? '').length > 10]).toEqual([output, true]);
  });

  it('has a dist/index.js rebuilt from the current sources (rebuilt into a temporary file and compared)', () => {
    const outfile = join(mkdtempSync(join(tmpdir(), `bundle-${name}-`)), 'index.js');
    const build = spawnSync(
      process.execPath,
      [join(REPO_ROOT, 'scripts', 'bundle-action.mjs'), dir, '--outfile', outfile],
      { encoding: 'utf8' },
    );
    expect(build.stderr).toBe('');
    expect(build.status).toBe(0);
    const fresh = readFileSync(outfile, 'utf8');
    const committed = readFileSync(join(dir, 'dist', 'index.js'), 'utf8');
    // On a mismatch, run `npm run bundle -w actions/<name>` and commit dist/.
    expect(committed === fresh ? 'fresh' : `stale: run npm run bundle -w actions/${name}`).toBe('fresh');
  }, 60_000);
});
