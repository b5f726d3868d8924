import { describe, expect, it } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createNewProject } from '../../cli/src/new-project.js';
import { FULL_RELIABILITY, recordFigures } from './support/reliability.js';

/**
 * The full check of `slipway new`, as a team would run it in the new repository: `npm test` (which installs
 * everything with `npm ci`, builds, and runs every test) and `npm run demo`. It takes tens of minutes, so it runs
 * only in `npm run test:reliability`; `npm test` runs the representative part in test/new-project.test.ts.
 */
(FULL_RELIABILITY ? describe : describe.skip)(
  'a repository made by `slipway new` (full: npm test and npm run demo)',
  () => {
    it('passes its whole npm test and its demo', () => {
      const dir = join(mkdtempSync(join(tmpdir(), 'slipway-new-full-')), 'reviews');
      createNewProject({ dir, githubRepository: 'acme/reviews', gitInit: true });
      const run = (script: string) =>
        spawnSync('npm', ['run', script], {
          cwd: dir,
          encoding: 'utf8',
          timeout: 3_600_000,
          env: { ...process.env, SLIPWAY_CONFIG: '', SLIPWAY_RELIABILITY: '' },
          maxBuffer: 256 * 1024 * 1024,
        });
      const test = run('test');
      const last = (text: string) => text.trim().split('\n').slice(-20).join('\n');
      expect([test.status, last(test.stdout)]).toEqual([0, expect.stringMatching(/\d+ passed, 0 failed/)]);
      const demo = run('demo');
      expect([demo.status, last(demo.stdout + demo.stderr)]).toEqual([0, expect.stringMatching(/Demo finished/)]);
      recordFigures('new-project-full', {
        inputs: 1,
        crashes: 0,
        dataLost: 0,
        faultsSurvived: 0,
        notes: `npm test in the new repository: ${/\d+ passed, \d+ failed/.exec(test.stdout)?.[0] ?? '?'}`,
      });
    }, 3_700_000);
  },
);
