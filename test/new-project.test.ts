import { describe, expect, it } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { createNewProject } from '../cli/src/new-project.js';
import { REPO_ROOT } from './support/moto-server.js';
import { FULL_RELIABILITY } from './reliability/support/reliability.js';

/**
 * `slipway new` end to end: in the repository it makes, a representative part of `npm test` and the whole
 * demo pass against the new project's own config (its name, id and bucket, not the template's).
 *
 * Its node_modules are this checkout's installed packages, linked as npm links a workspace (each `@slipway/*`
 * package to the new repository's own folder), so the run tests the new repository's code without the minutes
 * `npm ci` takes on every `npm test`. `npm run test:reliability` runs the full check instead: `npm ci`, the
 * whole `npm test` and `npm run demo` in the new repository, as a team would.
 */

function run(
  command: string,
  args: string[],
  cwd: string,
  timeout = 600_000,
): { status: number | null; output: string; stdout: string } {
  const result = spawnSync(command, args, {
    cwd,
    encoding: 'utf8',
    timeout,
    env: { ...process.env, SLIPWAY_CONFIG: '', CI: 'true' },
    maxBuffer: 64 * 1024 * 1024,
  });
  return { status: result.status, output: `${result.stdout}${result.stderr}`, stdout: result.stdout };
}

/** node_modules for `dir`, as `npm ci` would lay it out: the same packages, the workspaces linked to dir's own. */
function linkNodeModules(dir: string): void {
  const modules = join(dir, 'node_modules');
  mkdirSync(join(modules, '@slipway'), { recursive: true });
  for (const entry of readdirSync(join(REPO_ROOT, 'node_modules'))) {
    if (entry === '@slipway' || entry === '.package-lock.json') continue;
    symlinkSync(join(REPO_ROOT, 'node_modules', entry), join(modules, entry));
  }
  const workspaces = ['core', 'build-pipeline', 'local', 'deploy-pipeline', 'studio', 'cli'].concat(
    readdirSync(join(dir, 'actions')).map((name) => `actions/${name}`),
  );
  for (const workspace of workspaces) {
    const { name } = JSON.parse(readFileSync(join(dir, workspace, 'package.json'), 'utf8')) as { name: string };
    symlinkSync(relative(join(modules, '@slipway'), join(dir, workspace)), join(modules, name));
  }
}

(FULL_RELIABILITY ? describe.skip : describe)('a repository made by `slipway new` (representative)', () => {
  it('builds, passes its config and pipeline tests, and runs the whole demo as its own project', () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'slipway-new-e2e-')), 'reviews');
    const made = createNewProject({ dir, githubRepository: 'acme/reviews', gitInit: true });
    linkNodeModules(dir);

    const build = run(process.execPath, [join(dir, 'node_modules', 'typescript', 'bin', 'tsc'), '-b'], dir);
    expect([build.status, build.output]).toEqual([0, '']);

    const jest = run(
      process.execPath,
      [
        '--experimental-vm-modules',
        '--no-warnings=ExperimentalWarning',
        join(dir, 'node_modules', 'jest', 'bin', 'jest.js'),
        'core/test/project-config.test.ts',
        'build-pipeline/test/project-pipeline.test.ts',
        'cli/test/init-command.test.ts',
      ],
      dir,
    );
    expect([jest.status, jest.output]).toEqual([0, expect.stringMatching(/Tests:\s+\d+ passed, \d+ total/)]);

    const demo = run(process.execPath, ['cli/bin/slipway.js', 'demo', '--json'], dir);
    expect([demo.status, demo.status === 0 ? '' : demo.output]).toEqual([0, '']);
    expect(demo.stdout).toContain(`model-package/${made.config.modelPackageGroupName}/1`);
    expect(made.config.modelPackageGroupName).toBe('reviews-models');
  }, 900_000);
});
