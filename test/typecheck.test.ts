import { describe, expect, it } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { REPO_ROOT } from './support/moto-server.js';

// Jest transpiles each test file on its own and checks no types, so a test that no longer type-checks
// (a renamed export, a wrong property path the SDK types should reject) would still pass. This runs the
// compiler over every test, as `npm run typecheck` does, so `npm test` and CI catch it.
describe('type-check', () => {
  it('every test and benchmark type-checks under tsconfig.test.json (strict)', () => {
    const result = spawnSync(
      process.execPath,
      [join(REPO_ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join(REPO_ROOT, 'tsconfig.test.json')],
      { cwd: REPO_ROOT, encoding: 'utf8' },
    );
    expect(result.stdout.split('\n').filter((line) => line.includes('error TS'))).toEqual([]);
    expect(result.status).toBe(0);
  }, 120_000);
});
