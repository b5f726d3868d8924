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
  branding?: { icon?: string; color?: string };
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

  it('has branding for the Marketplace listing', () => {
    expect(metadata.branding).toEqual({ icon: expect.any(String), color: expect.any(String) });
  });

  it('has a README naming every input and output, the permissions it needs, and an example', () => {
    const readme = readFileSync(join(dir, 'README.md'), 'utf8');
    for (const heading of ['## Inputs', '## Outputs', '## Permissions', '## Example'])
      expect([heading, readme.includes(heading)]).toEqual([heading, true]);
    for (const name of [...Object.keys(metadata.inputs ?? {}), ...Object.keys(metadata.outputs ?? {})])
      expect([name, readme.includes(`\`${name}\``)]).toEqual([name, true]);
    expect(readme).toContain(`uses: ./actions/${name}`);
  });

  it("reports where a failure happened in src/, through the bundle's source map (a debug line)", () => {
    const run = spawnSync(process.execPath, [join(dir, 'dist', 'index.js')], {
      cwd: mkdtempSync(join(tmpdir(), `action-${name}-`)),
      env: { PATH: process.env.PATH, GITHUB_WORKSPACE: mkdtempSync(join(tmpdir(), `workspace-${name}-`)) },
      encoding: 'utf8',
    });
    expect(run.stdout).toMatch(/^::error::/m);
    const debug = /^::debug::(.*)$/m.exec(run.stdout)?.[1]?.replace(/%0A/g, '\n') ?? '';
    expect(debug).toMatch(new RegExp(`actions/${name}/src/[\\w-]+\\.ts:\\d+:\\d+`));
    expect(debug).not.toMatch(/dist\/main\.js/);
  }, 30_000);

  it('documents every input and output', () => {
    expect(metadata.description.length).toBeGreaterThan(20);
    for (const [input, spec] of Object.entries(metadata.inputs ?? {}))
      expect([input, (spec.description ?? '').length > 10]).toEqual([input, true]);
    for (const [output, spec] of Object.entries(metadata.outputs ?? {}))
      expect([output, (spec.description ?? '').length > 10]).toEqual([output, true]);
  });

  it('has a dist/ rebuilt from the current sources (rebuilt into a temporary folder and compared)', () => {
    const outdir = mkdtempSync(join(tmpdir(), `bundle-${name}-`));
    const build = spawnSync(
      process.execPath,
      [join(REPO_ROOT, 'scripts', 'bundle-action.mjs'), dir, '--outdir', outdir],
      {
        encoding: 'utf8',
      },
    );
    expect(build.stderr).toBe('');
    expect(build.status).toBe(0);
    expect(readdirSync(outdir).sort()).toEqual(readdirSync(join(dir, 'dist')).sort());
    for (const file of readdirSync(outdir)) {
      const fresh = readFileSync(join(outdir, file), 'utf8');
      const committed = readFileSync(join(dir, 'dist', file), 'utf8');
      // On a mismatch, run `npm run bundle -w actions/<name>` and commit dist/.
      expect([file, committed === fresh ? 'fresh' : `stale: run npm run bundle -w actions/${name}`]).toEqual([
        file,
        'fresh',
      ]);
    }
  }, 60_000);
});
