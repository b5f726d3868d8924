#!/usr/bin/env node
// Runs the TypeScript tests (jest, ESM) and the Python tests (pytest in .venv), then prints one summary
// line, `N passed, N failed`, summed over both. CI reads that line, not jest's own summary.
// Arguments after `--` go to jest (e.g. `npm test -- local/test/engine.test.ts`).
// `--reliability` (npm run test:reliability) runs only the reliability suite (test/reliability/ and the Python
// tests marked `reliability`) with its full number of inputs, then prints each test's figures.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const cache = join(root, '.cache', 'test');
mkdirSync(cache, { recursive: true });
const only = process.argv.find((arg) => arg.startsWith('--only='))?.slice('--only='.length);
const dash = process.argv.indexOf('--');
const reliability = process.argv.includes('--reliability');
const jestArgs = [
  ...(reliability ? ['test/reliability', 'deploy-pipeline/test/reliability'] : []),
  ...(dash >= 0 ? process.argv.slice(dash + 1) : []),
];
const pytestArgs = reliability ? ['-m', 'reliability'] : [];
const figuresDir = join(root, '.cache', 'reliability');
if (reliability) {
  process.env.SLIPWAY_RELIABILITY = 'full';
  rmSync(figuresDir, { recursive: true, force: true });
}
const totals = { passed: 0, failed: 0, skipped: 0 };
/** Each skipped (not run) test: where it is and why, from its title or its skip message. */
const skipped = [];

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

function runPytest() {
  const python = join(root, '.venv', 'bin', 'python');
  if (!existsSync(python)) {
    process.stderr.write('test: .venv is missing; run `npm run setup`. Counting the Python tests as one failure.\n');
    totals.failed += 1;
    return;
  }
  const report = join(cache, 'pytest.xml');
  rmSync(report, { force: true });
  const result = spawnSync(python, ['-m', 'pytest', '-q', `--junitxml=${report}`, ...pytestArgs], {
    cwd: root,
    stdio: 'inherit',
  });
  if (!existsSync(report)) {
    process.stderr.write(`test: pytest ended (exit ${result.status}) without a report; counting it as one failure.\n`);
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

if (only !== 'python') runJest();
if (only !== 'typescript') runPytest();
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
