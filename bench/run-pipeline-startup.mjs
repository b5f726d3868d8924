#!/usr/bin/env node
// How soon the bundled run-pipeline action makes its first AWS call (target ≤ 500 ms): the action runs as the
// runner runs it (`node actions/run-pipeline/dist/index.js`, inputs as INPUT_* variables) against a listener
// on 127.0.0.1 that notes when the first request arrives and answers every request with an error, so the
// action stops there. Reported from spawn to first request, with the parts that make it up.
import { spawn, spawnSync } from 'node:child_process';
import { createServer } from 'node:http';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { figure } from './lib/figures.mjs';

const root = join(fileURLToPath(new URL('.', import.meta.url)), '..');
const dist = join(root, 'actions', 'run-pipeline', 'dist', 'index.js');
const runs = Number(process.env.BENCH_RUNS ?? 10);

let firstRequestAt;
let firstRequest = '';
const listener = createServer((request, response) => {
  if (firstRequestAt === undefined) {
    firstRequestAt = performance.now();
    firstRequest = `${request.method} ${request.url}`;
  }
  response
    .writeHead(403, { 'content-type': 'application/json' })
    .end('{"__type":"AccessDeniedException","message":"bench"}');
});
await new Promise((resolve) => listener.listen(0, '127.0.0.1', resolve));
const url = `http://127.0.0.1:${listener.address().port}`;

async function once() {
  firstRequestAt = undefined;
  const started = performance.now();
  const child = spawn(process.execPath, [dist], {
    cwd: root,
    stdio: 'ignore',
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      INPUT_ROLE: 'arn:aws:iam::000000000000:role/bench',
      'INPUT_ENDPOINT-URL': url,
      'INPUT_TIMEOUT-MINUTES': '1',
    },
  });
  await new Promise((resolve) => child.on('exit', resolve));
  return firstRequestAt === undefined ? undefined : firstRequestAt - started;
}

/** A fresh process doing one thing, timed from spawn to exit. */
function processMs(args) {
  const started = performance.now();
  spawnSync(process.execPath, args, { cwd: root, stdio: 'ignore' });
  return performance.now() - started;
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const fmt = (value) => `${value.toFixed(0)} ms`;

await once(); // warms the file cache, as a runner's checkout and npm ci have
const times = [];
for (let index = 0; index < runs; index++) {
  const millis = await once();
  if (millis === undefined) throw new Error('the action made no AWS call');
  times.push(millis);
}
listener.close();
const sorted = [...times].sort((a, b) => a - b);
console.log(
  `first AWS call (${firstRequest.split('?')[0]}) after spawn, ${runs} runs: median ${fmt(median(times))}, min ${fmt(sorted[0])}, max ${fmt(sorted.at(-1))} (target ≤ 500 ms)`,
);
figure({
  name: 'run-pipeline action: first AWS call after spawn (median)',
  value: median(times),
  unit: 'ms',
  target: '≤ 500 ms',
  met: median(times) <= 500,
});

const parts = {
  'node start, nothing loaded': ['-e', ''],
  'the bundle failing at its first input (no role)': [dist],
  "the repository's @slipway/build-pipeline import": [
    '--input-type=module',
    '-e',
    "await import('./build-pipeline/dist/index.js')",
  ],
  'that import plus loading and compiling the pipeline': [
    '--input-type=module',
    '-e',
    "const m = await import('./build-pipeline/dist/index.js'); await m.compilePipelineForRun({ roleArn: 'arn:aws:iam::000000000000:role/bench' })",
  ],
};
for (const [label, args] of Object.entries(parts)) {
  const samples = Array.from({ length: 5 }, () => processMs(args));
  console.log(`  ${label}: median ${fmt(median(samples))} (process spawn to exit)`);
}
console.log(
  `  machine: ${process.version}, load average ${(await import('node:os'))
    .loadavg()
    .map((load) => load.toFixed(2))
    .join(' ')}`,
);
