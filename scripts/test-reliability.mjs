#!/usr/bin/env node
// The reliability suite: faults injected on purpose, with the figures each test prints (inputs tried,
// crashes, data lost, faults survived). `npm test` runs the same files with smaller counts; this runs them
// at full size. Counts can be overridden: SLIPWAY_RELIABILITY_RUNS (property and fuzz cases),
// SLIPWAY_RELIABILITY_KILLS (kill -9 rounds), SLIPWAY_RELIABILITY_SEED (the kill schedule).
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/** Each test file of the suite, with what it injects. */
const FILES = [
  // Approval events duplicated, delayed and out of order (fast-check): one deploy per stage, no downgrade.
  'deploy-pipeline/test/reliability/approval-events.test.ts',
  // repository_dispatch bodies fuzzed (fast-check): no crash, an error naming the field.
  'deploy-pipeline/test/reliability/dispatch-fuzz.test.ts',
  // kill -9 of `slipway deploy dispatch` at random moments: whole versions served, the next delivery finishes.
  'test/reliability/deploy-kill.test.ts',
];

const env = {
  ...process.env,
  SLIPWAY_RELIABILITY_RUNS: process.env.SLIPWAY_RELIABILITY_RUNS ?? '500',
  SLIPWAY_RELIABILITY_KILLS: process.env.SLIPWAY_RELIABILITY_KILLS ?? '20',
};
const result = spawnSync(
  process.execPath,
  [
    '--experimental-vm-modules',
    '--no-warnings=ExperimentalWarning',
    join(root, 'node_modules', 'jest', 'bin', 'jest.js'),
    '--runInBand',
    '--verbose',
    ...FILES,
    ...process.argv.slice(2),
  ],
  { cwd: root, stdio: 'inherit', env },
);
process.exit(result.status ?? 1);
