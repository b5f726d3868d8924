#!/usr/bin/env node
// What data capture costs an invocation (issue 15: ≤ 1 ms p99). The work capture adds to a request on the local
// endpoint's path (local/src/endpoints/invocation-proxy.ts): deciding the sample, keeping the request and
// response chunks, and DataCapture.record (the Model Monitor JSON line), at 100 % sampling (the worst case),
// with the real flush to the local object store running on its timer in the same event loop, as it does in the
// server. Each invocation is timed alone; the flush's own time is reported per record too.
//
// node bench/capture.mjs [--invocations 100000] [--reviews-per-request 1]      (after `npm run build`)
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(root, 'local', 'dist');
if (!existsSync(join(dist, 'endpoints', 'data-capture.js'))) {
  process.stderr.write('bench/capture: local/dist is missing; run `npm run build`.\n');
  process.exit(1);
}
const { ObjectStore, silentLogger } = await import(join(dist, 'index.js'));
const { DataCapture } = await import(join(dist, 'endpoints', 'data-capture.js'));

const argument = (name, fallback) => {
  const index = process.argv.indexOf(`--${name}`);
  return index >= 0 ? Number(process.argv[index + 1]) : fallback;
};
const invocations = argument('invocations', 100_000);
const perRequest = argument('reviews-per-request', 1);

const work = await mkdtemp(join(tmpdir(), 'slipway-bench-capture-'));
const objects = new ObjectStore(join(work, 'data'));
await objects.createBucket('bench');
const capture = DataCapture.for(
  {
    EnableCapture: true,
    InitialSamplingPercentage: 100,
    DestinationS3Uri: 's3://bench/data-capture/prod',
    CaptureOptions: [{ CaptureMode: 'Input' }, { CaptureMode: 'Output' }],
    CaptureContentTypeHeader: { JsonContentTypes: ['application/json'] },
  },
  'sentiment-prod',
  objects,
  silentLogger,
);

const review =
  'I needed a pair of wireless earbuds for my commute. The bass is surprisingly deep. Honestly, the battery easily lasts a full day.';
const requestBody = Buffer.from(JSON.stringify({ instances: Array(perRequest).fill(review) }));
const responseBody = Buffer.from(
  JSON.stringify({
    predictions: Array(perRequest).fill({
      label: 'positive',
      scores: { negative: 0.05, neutral: 0.1, positive: 0.85 },
    }),
  }),
);

const costs = new Float64Array(invocations);
const started = performance.now();
for (let index = 0; index < invocations; index += 1) {
  const begin = performance.now();
  if (capture.sample()) {
    // As the proxy does: the chunks as they arrive, joined at the end, then one record.
    const requestChunks = [requestBody];
    const answerChunks = [responseBody];
    capture.record(
      'AllTraffic',
      { contentType: 'application/json', body: Buffer.concat(requestChunks) },
      { contentType: 'application/json', body: Buffer.concat(answerChunks) },
    );
  }
  costs[index] = performance.now() - begin;
  // Let the flush timer and its writes run between invocations every so often, as they would between requests.
  if (index % 500 === 499) await yieldToLoop();
}
const loopMs = performance.now() - started;
const flushStarted = performance.now();
await capture.flush();
const flushMs = performance.now() - flushStarted;

const sorted = Array.from(costs).sort((a, b) => a - b);
const at = (q) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
const us = (ms) => `${(ms * 1000).toFixed(1)} µs`;
console.log(
  `capture cost per invocation over ${invocations} invocations (${perRequest} review(s) each, 100 % sampled): ` +
    `p50 ${us(at(0.5))}, p99 ${us(at(0.99))}, p99.9 ${us(at(0.999))}, max ${us(sorted.at(-1))} (target p99 ≤ 1 ms)`,
);
console.log(
  `whole run ${(loopMs / 1000).toFixed(2)} s including the timed flushes; last flush ${flushMs.toFixed(0)} ms`,
);
console.log(
  `machine: ${cpus().length} CPUs, load average ${loadavg()
    .map((v) => v.toFixed(1))
    .join(' ')}`,
);
await rm(work, { recursive: true, force: true });
