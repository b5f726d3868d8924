#!/usr/bin/env node
// Runs every benchmark in this folder (or those named on the command line) one after another, shows their
// output, and ends with one table of every figure they reported (bench/lib/figures.mjs): the figure, its
// target, the ratio to the peer measured alongside it where there is one, and the machine's load average when
// it was taken. Benchmarks measure; they never fail a build. `npm run bench -- serving` runs bench/serving.mjs.
//
// Each benchmark runs with a temporary folder of its own as TMPDIR, removed when it ends, so nothing it (or a
// process it started) left in the temporary folder outlives the run.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { format } from './lib/figures.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const wanted = process.argv.slice(2);
const scripts = readdirSync(here)
  .filter((name) => name.endsWith('.mjs') && name !== 'run.mjs')
  .filter((name) => wanted.length === 0 || wanted.some((w) => name.startsWith(w)))
  .sort();
const figures = [];
const failed = [];
for (const script of scripts) {
  process.stdout.write(`\n== bench/${script} (load ${loadavg()[0].toFixed(2)} on ${cpus().length} CPUs)\n`);
  const scratch = mkdtempSync(join(tmpdir(), 'slipway-bench-run-'));
  const figuresFile = join(scratch, 'figures.jsonl');
  const temporary = join(scratch, 'tmp');
  mkdirSync(temporary);
  // The AWS SDK's Node 20 end-of-support notice would repeat in every benchmark's output; the CLI silences it too.
  const env = {
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    ...process.env,
    TMPDIR: temporary,
    SLIPWAY_BENCH_FIGURES: figuresFile,
  };
  try {
    const result = spawnSync(process.execPath, [join(here, script)], { stdio: 'inherit', env });
    if (result.status !== 0) {
      failed.push(script);
      process.stdout.write(`bench/${script} ended with exit ${result.status ?? result.signal}\n`);
    }
    if (existsSync(figuresFile)) {
      for (const line of readFileSync(figuresFile, 'utf8').split('\n').filter(Boolean)) figures.push(JSON.parse(line));
    }
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

process.stdout.write(`\n${table(figures)}\n`);
if (failed.length > 0) process.stdout.write(`benchmarks that failed: ${failed.join(', ')}\n`);
process.exitCode = failed.length > 0 ? 1 : 0;

/** One row per figure, columns padded to their widest cell. */
function table(rows) {
  const header = ['benchmark', 'figure', 'measured', 'target', 'met', 'vs peer', 'load'];
  const cells = rows.map((row) => [
    row.bench.replace(/\.mjs$/, ''),
    row.name,
    `${format(row.value)} ${row.unit}`,
    row.target ?? '',
    row.target === undefined ? '' : row.met ? 'yes' : 'NO',
    row.peer ? `${row.ratio?.toFixed(2)}× ${row.peer} (${format(row.peerValue)} ${row.unit})` : '',
    `${row.load.toFixed(2)}/${row.cpus}`,
  ]);
  const widths = header.map((title, column) => Math.max(title.length, ...cells.map((cell) => cell[column].length)));
  const line = (cell) =>
    cell
      .map((text, column) => text.padEnd(widths[column]))
      .join(' | ')
      .trimEnd();
  return [
    `Figures (${rows.length}); load is the 1-minute load average / CPUs when the figure was taken: figures taken`,
    'under load are not the machine’s capacity.',
    line(header),
    widths.map((width) => '-'.repeat(width)).join('-|-'),
    ...cells.map(line),
  ].join('\n');
}
