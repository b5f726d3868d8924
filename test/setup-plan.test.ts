// What each entry point installs: `npm run demo` makes only what the demo runs (npm packages, the build and
// the local runtimes), not the seed code's test venv, the test tools' venv, the console's page, Chromium nor zsh;
// `npm test` makes everything.
import { describe, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const root = process.cwd();
const scripts = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> })
  .scripts;

/** The plan of the setup command an npm script runs first (`node scripts/setup.mjs ... && ...`). */
function planOf(script: string): { made: string[]; skipped: string[] } {
  const setup = scripts[script]!.split('&&')[0]!.trim().split(/\s+/);
  expect(setup.slice(0, 2)).toEqual(['node', 'scripts/setup.mjs']);
  const output = execFileSync(process.execPath, [...setup.slice(1), '--dry-run'], { cwd: root, encoding: 'utf8' });
  const match = /^setup for \w+: (.*?)(?: \(not needed: (.*)\))?$/m.exec(output);
  expect(match).not.toBeNull();
  return { made: match![1]!.split(', '), skipped: match![2]?.split(', ') ?? [] };
}

describe('setup plans', () => {
  it('npm run demo makes only what the demo needs', () => {
    const plan = planOf('demo');
    expect(plan.made).toEqual(['npm packages', 'TypeScript build', 'local runtimes']);
    expect(plan.skipped).toEqual(['studio page', 'seed venv .venv', 'tools venv .venv-tools', 'Chromium', 'zsh']);
  });

  it('npm test makes everything', () => {
    expect(planOf('test').skipped).toEqual([]);
  });

  it('npm run bench makes the tools venv, where the benchmark peers live', () => {
    expect(planOf('bench').made).toContain('tools venv .venv-tools');
  });
});
