#!/usr/bin/env node
// Runs the TypeScript tests (jest, ESM) and the Python tests (pytest in .venv), then prints one summary
// line, `N passed, N failed`, summed over both. CI reads that line, not jest's own summary.
// Arguments after `--` go to jest (e.g. `npm test -- local/test/engine.test.ts`); `--only=typescript|python|conformance`
// runs one part.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const cache = join(root, '.cache', 'test');
mkdirSync(cache, { recursive: true });
const only = process.argv.find((arg) => arg.startsWith('--only='))?.slice('--only='.length);
const dash = process.argv.indexOf('--');
const jestArgs = dash >= 0 ? process.argv.slice(dash + 1) : [];
const totals = { passed: 0, failed: 0, skipped: 0 };

/**
 * The local runtimes the tests need beyond the scikit-learn one setup builds: built in the background while the
 * first tests run, so PyTorch's one-time download (about 3 GB) overlaps them. A test that needs one before it is
 * ready waits on its build lock; on a machine where they are built (the per-user cache) this takes a second.
 */
const TEST_RUNTIMES = ['pytorch-2.5', 'huggingface-pytorch-4.49', 'xgboost-1.7-1', 'sklearn-1.0-1'];

function buildTestRuntimes() {
  if (jestArgs.length > 0 || only) return Promise.resolve(0);
  const logFile = join(cache, 'runtime-build.log');
  const log = openSync(logFile, 'w');
  process.stderr.write(
    `test: making sure the runtimes the tests need are built (in the background; log: ${logFile})\n`,
  );
  const child = spawn(
    process.execPath,
    [join(root, 'cli', 'bin', 'slipway.js'), 'local', 'runtimes', 'build', ...TEST_RUNTIMES],
    {
      cwd: root,
      stdio: ['ignore', log, log],
    },
  );
  return new Promise((resolve) => {
    child.once('error', () => resolve(1));
    child.once('exit', (code) => resolve(code ?? 1));
  });
}

function runJest() {
  const report = join(cache, 'jest.json');
  rmSync(report, { force: true });
  const result = spawnSync(
    process.execPath,
    [
      '--experimental-vm-modules',
      '--no-warnings=ExperimentalWarning',
      join(root, 'node_modules', 'jest', 'bin', 'jest.js'),
      '--json',
      `--outputFile=${report}`,
      ...jestArgs,
    ],
    { cwd: root, stdio: 'inherit' },
  );
  if (!existsSync(report)) {
    process.stderr.write(`test: jest ended (exit ${result.status}) without a report; counting it as one failure.\n`);
    totals.failed += 1;
    return;
  }
  const json = JSON.parse(readFileSync(report, 'utf8'));
  totals.passed += json.numPassedTests;
  totals.failed += json.numFailedTests;
  totals.skipped += json.numPendingTests + json.numTodoTests;
  // A suite that fails to load has no tests to count, but it is still a failure.
  const brokenSuites = json.testResults.filter(
    (suite) => suite.status === 'failed' && suite.assertionResults.length === 0,
  ).length;
  totals.failed += brokenSuites;
  if (result.status !== 0 && json.numFailedTests === 0 && brokenSuites === 0) totals.failed += 1;
}

/**
 * One pytest run, counted into the totals: the Python tests of seed/ and local/python in .venv, and the SageMaker
 * Python SDK conformance suite (test/sdk-conformance) in .venv-tools, where the SDK lives.
 */
function runPytest({ venv, args, label }) {
  const python = join(root, venv, 'bin', 'python');
  if (!existsSync(python)) {
    process.stderr.write(`test: ${venv} is missing; run \`npm run setup\`. Counting ${label} as one failure.\n`);
    totals.failed += 1;
    return;
  }
  const report = join(cache, `pytest-${label}.xml`);
  rmSync(report, { force: true });
  const result = spawnSync(python, ['-m', 'pytest', '-q', `--junitxml=${report}`, ...args], {
    cwd: root,
    stdio: 'inherit',
  });
  if (!existsSync(report)) {
    process.stderr.write(
      `test: pytest (${label}) ended (exit ${result.status}) without a report; counting it as one failure.\n`,
    );
    totals.failed += 1;
    return;
  }
  const xml = readFileSync(report, 'utf8');
  const suite = /<testsuite\b[^>]*>/.exec(xml)?.[0] ?? '';
  const count = (name) => Number(new RegExp(`\\b${name}="(\\d+)"`).exec(suite)?.[1] ?? 0);
  const failed = count('failures') + count('errors');
  totals.failed += failed;
  totals.skipped += count('skipped');
  totals.passed += count('tests') - failed - count('skipped');
  if (result.status !== 0 && failed === 0) totals.failed += 1;
}

const runtimesBuilt = buildTestRuntimes();
if (only !== 'python' && only !== 'conformance') runJest();
if (only !== 'typescript' && only !== 'conformance') runPytest({ venv: '.venv', args: [], label: 'python' });
// The SDK-driven suite starts the local server (compiled CLI) and runs real pipelines; it builds any runtime it
// needs on first use (PyTorch's the first time: minutes), so it comes last.
if (only !== 'typescript' && only !== 'python') {
  const code = await runtimesBuilt;
  if (code !== 0) {
    process.stderr.write(
      `test: building the test runtimes in the background failed (exit ${code}; ${join(cache, 'runtime-build.log')}); ` +
        'the tests that need them build them themselves\n',
    );
  }
  runPytest({ venv: '.venv-tools', args: ['test/sdk-conformance'], label: 'conformance' });
}
const summary = `${totals.passed} passed, ${totals.failed} failed`;
if (totals.skipped > 0) process.stdout.write(`${totals.skipped} skipped (each says why in the output above)\n`);
writeFileSync(join(cache, 'summary.txt'), `${summary}\n`);
process.stdout.write(`${summary}\n`);
process.exit(totals.failed > 0 ? 1 : 0);
