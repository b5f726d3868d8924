#!/usr/bin/env node
// Runs the TypeScript tests (jest, ESM) and the Python tests (pytest in .venv), then prints one summary
// line, `N passed, N failed`, summed over both. CI reads that line, not jest's own summary.
// Arguments after `--` go to jest (e.g. `npm test -- local/test/engine.test.ts`); `--only=typescript|python|bert|conformance`
// runs one part (`python` includes `bert`: seed/tests/bert, run in the local PyTorch runtime).
// `--reliability` (npm run test:reliability) runs only the reliability suite (test/reliability/,
// deploy-pipeline/test/reliability/ and the Python tests marked `reliability`) with its full number of inputs,
// then prints each test's figures.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, openSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const cache = join(root, '.cache', 'test');
mkdirSync(cache, { recursive: true });
const only = process.argv.find((arg) => arg.startsWith('--only='))?.slice('--only='.length);
const reliability = process.argv.includes('--reliability');
// npm drops the `--` of `npm test -- <path>`: every argument that is not this script's own goes to jest.
const targeted = process.argv
  .slice(2)
  .filter((arg) => arg !== '--' && arg !== '--reliability' && !arg.startsWith('--only='));
const jestArgs = [...(reliability ? ['test/reliability', 'deploy-pipeline/test/reliability'] : []), ...targeted];
const pytestArgs = reliability ? ['-m', 'reliability'] : [];
const figuresDir = join(root, '.cache', 'reliability');
/**
 * Whether this run includes a part: `npm test -- <path>` only the jest tests under that path (as the README says);
 * `--only=python` includes the BERT tests, which are Python tests too.
 */
const wants = (part) =>
  targeted.length > 0 ? part === 'typescript' : !only || only === part || (part === 'bert' && only === 'python');
if (reliability) {
  process.env.SLIPWAY_RELIABILITY = 'full';
  rmSync(figuresDir, { recursive: true, force: true });
}
const totals = { passed: 0, failed: 0, skipped: 0 };
/** Each skipped (not run) test: where it is and why, from its title or its skip message. */
const skipped = [];

/** The runtime the BERT scripts' tests run in: the one their PyTorch estimator's image maps to. */
const BERT_TEST_RUNTIME = 'pytorch-2.5';
/**
 * The local runtimes the tests need beyond the scikit-learn one setup builds: built in the background while the
 * first tests run, so PyTorch's one-time download (about 3 GB) overlaps them. A test that needs one before it is
 * ready waits on its build lock; on a machine where they are built (the per-user cache) this takes a second.
 */
const TEST_RUNTIMES = [BERT_TEST_RUNTIME, 'huggingface-pytorch-4.49', 'xgboost-1.7-1', 'sklearn-1.0-1'];

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
  for (const suite of json.testResults) {
    for (const test of suite.assertionResults) {
      if (test.status === 'pending' || test.status === 'skipped' || test.status === 'todo')
        skipped.push(`${relative(root, suite.name)}: ${test.fullName}`);
    }
  }
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
function runPytest({ venv, python = join(root, venv, 'bin', 'python'), args, label }) {
  if (!existsSync(python)) {
    process.stderr.write(`test: ${venv} is missing; run \`npm run setup\`. Counting ${label} as one failure.\n`);
    totals.failed += 1;
    return;
  }
  const report = join(cache, `pytest-${label}.xml`);
  rmSync(report, { force: true });
  const result = spawnSync(python, ['-m', 'pytest', '-q', `--junitxml=${report}`, ...args, ...pytestArgs], {
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
  for (const match of xml.matchAll(/<testcase\b([^>]*)>\s*<skipped\b([^>]*)/g)) {
    const attribute = (text, name) => new RegExp(`\\b${name}="([^"]*)"`).exec(text)?.[1] ?? '';
    skipped.push(
      `${attribute(match[1], 'classname')}.${attribute(match[1], 'name')}: ${attribute(match[2], 'message')}`,
    );
  }
  totals.passed += count('tests') - failed - count('skipped');
  if (result.status !== 0 && failed === 0) totals.failed += 1;
}

/**
 * seed/tests/bert needs PyTorch, transformers and tokenizers, which .venv does not have (pytest.ini keeps the folder
 * out of .venv's run). It runs in the local PyTorch runtime with seed/bert/requirements.txt installed on it as the
 * training job installs it (`slipway local runtimes build --requirements`: a cached overlay on the per-user runtime),
 * plus seed/requirements-dev.txt's pytest. Returns that interpreter, or why there is none.
 */
function bertTestInterpreter() {
  const pytestPin = readFileSync(join(root, 'seed', 'requirements-dev.txt'), 'utf8')
    .split('\n')
    .find((line) => line.startsWith('pytest=='));
  // Written with the lines themselves (no `-r`), so the overlay's cache key changes when either file's pins do.
  const requirements = join(cache, 'bert-tests', 'requirements.txt');
  mkdirSync(dirname(requirements), { recursive: true });
  writeFileSync(
    requirements,
    `${readFileSync(join(root, 'seed', 'bert', 'requirements.txt'), 'utf8').trimEnd()}\n# To run the tests:\n${pytestPin}\n`,
  );
  const logFile = join(cache, 'bert-runtime.log');
  const build = spawnSync(
    process.execPath,
    [
      join(root, 'cli', 'bin', 'slipway.js'),
      'local',
      'runtimes',
      'build',
      BERT_TEST_RUNTIME,
      '--requirements',
      requirements,
      '--json',
    ],
    { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', openSync(logFile, 'w')] },
  );
  if (build.status !== 0) {
    return {
      reason: `building the ${BERT_TEST_RUNTIME} runtime with seed/bert/requirements.txt failed (exit ${build.status}; ${relative(root, logFile)})`,
    };
  }
  return { python: JSON.parse(build.stdout).runtimes[0].python };
}

/**
 * The BERT scripts' tests in the PyTorch runtime. When that runtime cannot be had, they are listed as not run (a
 * skip, never a pass) with the reason.
 */
function runBertTests() {
  const found = bertTestInterpreter();
  if (!found.python) {
    process.stderr.write(`test: NOT RUN: seed/tests/bert (the BERT scripts' tests): ${found.reason}\n`);
    totals.skipped += 1;
    skipped.push(`seed/tests/bert (all of it): NOT RUN: ${found.reason}`);
    return;
  }
  process.stderr.write(`test: seed/tests/bert in the ${BERT_TEST_RUNTIME} runtime (${found.python})\n`);
  runPytest({ python: found.python, args: ['seed/tests/bert'], label: 'bert' });
}

/** The figures each reliability test recorded (test/reliability/support/reliability.ts), one line each. */
function printFigures() {
  if (!existsSync(figuresDir)) return;
  const rows = readdirSync(figuresDir)
    .filter((name) => name.endsWith('.json'))
    .sort()
    .map((name) => JSON.parse(readFileSync(join(figuresDir, name), 'utf8')));
  if (rows.length === 0) return;
  process.stdout.write('\nReliability figures (inputs tried, crashes, data lost, faults survived):\n');
  for (const row of rows) {
    process.stdout.write(
      `  ${row.name.padEnd(34)} inputs ${String(row.inputs).padStart(6)}  crashes ${row.crashes}  data lost ${row.dataLost}  ` +
        `faults survived ${row.faultsSurvived}${row.notes ? `  (${row.notes})` : ''}\n`,
    );
  }
}

const runtimesBuilt = buildTestRuntimes().then((code) => {
  if (code !== 0) {
    process.stderr.write(
      `test: building the test runtimes in the background failed (exit ${code}; ${join(cache, 'runtime-build.log')}); ` +
        'the tests that need them build them themselves\n',
    );
  }
});
if (wants('typescript')) runJest();
if (wants('python')) runPytest({ venv: '.venv', args: [], label: 'python' });
// The BERT tests and the SDK-driven suite need the PyTorch runtime (built in the background meanwhile, or here on
// first use: minutes), so they come last. The SDK-driven suite starts the local server (compiled CLI) and runs real
// pipelines.
if (wants('bert') && !reliability) {
  await runtimesBuilt;
  runBertTests();
}
if (wants('conformance') && !reliability) {
  await runtimesBuilt;
  runPytest({ venv: '.venv-tools', args: ['test/sdk-conformance'], label: 'conformance' });
}
if (reliability) printFigures();
const summary = `${totals.passed} passed, ${totals.failed} failed`;
if (totals.skipped > 0) {
  // Never a pass: say how many did not run, and each one's reason, right above the summary line.
  process.stdout.write(`${totals.skipped} skipped (not run, not counted as passed):\n`);
  for (const line of skipped) process.stdout.write(`  - ${line}\n`);
}
writeFileSync(join(cache, 'summary.txt'), `${summary}\n`);
process.stdout.write(`${summary}\n`);
process.exit(totals.failed > 0 ? 1 : 0);
