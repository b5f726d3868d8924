#!/usr/bin/env node
// The BERT variant end to end (issue 9), on the local SageMaker:
//   1. `slipway demo --model sklearn` on a fresh data dir: the scikit-learn model's test accuracy (its evaluation.json);
//   2. `slipway demo --model bert` on a fresh data dir, against a `slipway local up` server so the endpoints outlive
//      the demo: the pipeline's time (target ≤ 5 min on 2 cores with the PyTorch runtime built; a runtime the demo
//      had to build first is reported apart), each step's time, the BERT model's test accuracy (its evaluation.json);
//   3. its prod endpoint answering one review at a time, from autocannon in another process (target p99 ≤ 100 ms).
// Prints figures; asserts nothing.
//
// node bench/bert.mjs [--seconds 10]          (npm run bench -- bert builds and sets up first)
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';

import { signRequest } from '@slipway/core';

import { BODY, autocannon, errorsOf, machine, report, root } from './endpoint-lib/world.mjs';

const seconds = Number(process.argv[process.argv.indexOf('--seconds') + 1]) || 10;
const scratch = mkdtempSync(join(tmpdir(), 'slipway-bench-bert-'));
const env = { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' };
const slipway = (args) =>
  spawnSync(process.execPath, [join(root, 'cli', 'bin', 'slipway.js'), ...args], { cwd: root, encoding: 'utf8', env });

function demo(model, dataDir) {
  const started = performance.now();
  const result = slipway(['demo', '--model', model, '--data-dir', dataDir, '--json']);
  const wall = (performance.now() - started) / 1000;
  const summary = JSON.parse(result.stdout);
  if (result.status !== 0) {
    throw new Error(`demo --model ${model} failed at ${summary.failedStage}:\n${result.stderr.slice(-3000)}`);
  }
  const stage = (name) => (summary.stages.find((item) => item.name === name)?.ms ?? 0) / 1000;
  return { summary, wall, stage };
}

const seconds1 = (ms) => `${(ms / 1000).toFixed(1)} s`;

try {
  console.log(`machine: ${machine()}`);
  const sklearn = demo('sklearn', join(scratch, 'sklearn'));
  console.log(
    `sklearn: demo ${sklearn.wall.toFixed(1)} s, pipeline ${sklearn.stage('pipeline').toFixed(1)} s, ` +
      `test accuracy ${sklearn.summary.accuracy.toFixed(4)} (evaluation.json)`,
  );

  const dataDir = join(scratch, 'bert');
  const up = slipway(['local', 'up', '--detach', '--port', '0', '--data-dir', dataDir, '--json']);
  if (up.status !== 0) throw new Error(`local up failed:\n${up.stderr}`);
  const url = JSON.parse(up.stdout).url;
  try {
    const bert = demo('bert', dataDir);
    const steps = bert.summary.run.steps
      .map((step) => `${step.name} ${step.durationMs !== undefined ? seconds1(step.durationMs) : '-'}`)
      .join(', ');
    const runtimes = bert.stage('runtimes');
    console.log(
      `bert: demo ${bert.wall.toFixed(1)} s (of which preparing runtimes ${runtimes.toFixed(1)} s), ` +
        `pipeline ${bert.stage('pipeline').toFixed(1)} s (target ≤ 300 s: ${bert.stage('pipeline') <= 300 ? 'met' : 'MISSED'}); ` +
        `demo without the runtime build ${(bert.wall - runtimes).toFixed(1)} s`,
    );
    console.log(`  steps: ${steps}`);
    console.log(
      `  deploy: staging ${bert.stage('staging').toFixed(1)} s, test ${bert.stage('test').toFixed(1)} s, prod ${bert.stage('prod').toFixed(1)} s`,
    );
    console.log(
      `  test accuracy ${bert.summary.accuracy.toFixed(4)} (evaluation.json) beside sklearn's ${sklearn.summary.accuracy.toFixed(4)}`,
    );
    const endpoint = bert.summary.endpoints.at(-1).endpointName;
    // The server answers only requests signed with its secret (`slipway local env` gives it): one InvokeEndpoint
    // signed as the SDK signs it, which autocannon repeats (a signature stays valid for 15 minutes).
    const client = JSON.parse(slipway(['local', 'env', '--data-dir', dataDir, '--json']).stdout);
    const invocation = `${url}/endpoints/${endpoint}/invocations`;
    const headers = signRequest({
      method: 'POST',
      url: invocation,
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: BODY,
      credentials: { accessKeyId: client.AWS_ACCESS_KEY_ID, secretAccessKey: client.AWS_SECRET_ACCESS_KEY },
      region: client.AWS_REGION,
      service: 'sagemaker',
    });
    const result = await autocannon({ url: invocation, connections: 1, duration: seconds, headers });
    console.log(report(`${endpoint} (BERT), one review per request, 1 connection, ${seconds} s:`, result));
    // A latency is only a figure when the endpoint answered: any error misses the target.
    const met = result.latency.p99 <= 100 && errorsOf(result) === 0;
    console.log(`  target p99 ≤ 100 ms with 0 errors: ${met ? 'met' : 'MISSED'}`);
  } finally {
    slipway(['local', 'down', '--data-dir', dataDir]);
  }
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
