import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { SageMakerClient, UpdateEndpointCommand } from '@aws-sdk/client-sagemaker';
import { InvokeEndpointCommand, SageMakerRuntimeClient } from '@aws-sdk/client-sagemaker-runtime';
import { signRequest } from '@slipway/core';
import { ObjectStore } from '@slipway/local';
import {
  BUCKET,
  buildModelArchives,
  createConfig,
  createModel,
  deployEndpoint,
  variant,
  waitForEndpoint,
  type ModelArchives,
} from '../../local/test/endpoints/endpoint-fixtures.js';
import { modelServerProcesses, spawnEndpointServer } from '../../local/test/endpoints/endpoint-server-process.js';
import { localClientConfig, tempDir } from '../../local/test/support/harness.js';
import type { ServerProcess } from '../../local/test/support/server-process.js';
import { FULL_RELIABILITY, recordFigures, runs } from './support/reliability.js';

/**
 * One real endpoint (the seed model, in a server of its own process):
 * - fuzzed invocation bodies, content types and Accept headers get a 200 or the runtime's own errors (a
 *   ModelError carrying the container's client error), never an internal error, and no process dies;
 * - a bounded load at twice the endpoint's target rate (2 × 500 requests/s) while UpdateEndpoint moves it to
 *   another model and back: no request fails, and the server's memory stays steady.
 */

const TARGET_RATE = 500;
const REVIEW = 'The charger stopped working after two days and support never answered.';

/** Resident memory of a process, in MiB (Linux /proc). */
function rssMiB(pid: number): number {
  const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Number(match?.[1] ?? 0) / 1024;
}

interface LoadResult {
  readonly total: number;
  readonly failed: number;
  readonly averageRate: number;
  readonly p99: number;
}

/** autocannon in a second process, paced at `rate`, with one request signed once (valid for 15 minutes). */
function load(server: ServerProcess, endpoint: string, rate: number, seconds: number): Promise<LoadResult> {
  const url = `${server.url}/endpoints/${endpoint}/invocations`;
  const body = JSON.stringify({ instances: [REVIEW] });
  const headers = signRequest({
    method: 'POST',
    url,
    headers: { 'content-type': 'application/json', accept: 'application/json' },
    body,
    credentials: server.credentials,
    region: server.region,
    service: 'sagemaker',
  });
  const args = [
    join(process.cwd(), 'node_modules', 'autocannon', 'autocannon.js'),
    '--json',
    '-c',
    '10',
    '-d',
    String(seconds),
    '-R',
    String(rate),
    '-m',
    'POST',
    ...Object.entries(headers).flatMap(([name, value]) => ['-H', `${name}:${value}`]),
    '-b',
    body,
    url,
  ];
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'ignore'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) return reject(new Error(`autocannon exited ${code}`));
      const result = JSON.parse(output) as {
        requests: { total: number; average: number };
        latency: { p99: number };
        errors: number;
        timeouts: number;
        non2xx: number;
      };
      resolve({
        total: result.requests.total,
        failed: result.errors + result.timeouts + result.non2xx,
        averageRate: result.requests.average,
        p99: result.latency.p99,
      });
    });
  });
}

const body = fc.oneof(
  {
    weight: 3,
    arbitrary: fc
      .array(fc.string({ maxLength: 200 }), { maxLength: 5 })
      .map((instances) => JSON.stringify({ instances })),
  },
  { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 4 }).map((value) => JSON.stringify(value)) },
  { weight: 2, arbitrary: fc.string({ maxLength: 300 }) },
  { weight: 1, arbitrary: fc.uint8Array({ maxLength: 2000 }).map((bytes) => Buffer.from(bytes).toString('latin1')) },
  { weight: 1, arbitrary: fc.array(fc.string({ maxLength: 40 }), { maxLength: 4 }).map((rows) => rows.join('\n')) },
  {
    weight: 1,
    arbitrary: fc.constantFrom('', '{"instances": []}', '{"instances": [null, 3, {"a": 1}]}', '[[[[[]]]]]', '\u0000'),
  },
);
const contentType = fc.constantFrom(
  'application/json',
  'application/json',
  'text/csv',
  'text/plain',
  'application/x-npy',
  'application/octet-stream',
  'image/png',
  'application/json; charset=utf-8',
);
const accept = fc.option(fc.constantFrom('application/json', 'text/csv', '*/*', 'application/x-npy', 'image/png'), {
  nil: undefined,
});

describe('reliability: an endpoint under fuzzed invocations, and under load while it is updated', () => {
  const dataDir = tempDir('slipway-endpoint-reliability-');
  let archives: ModelArchives;
  let server: ServerProcess;
  let sagemaker: SageMakerClient;
  let runtime: SageMakerRuntimeClient;
  let exited = false;

  beforeAll(async () => {
    archives = await buildModelArchives();
    server = await spawnEndpointServer(dataDir);
    void server.exited.then(() => (exited = true));
    sagemaker = new SageMakerClient(localClientConfig(server));
    runtime = new SageMakerRuntimeClient(localClientConfig(server));
    // The child's object store is this folder: upload without a request.
    const objects = new ObjectStore(dataDir);
    await objects.createBucket(BUCKET);
    await objects.putFile(BUCKET, 'seed/model.tar.gz', archives.seed);
    await createModel(sagemaker, 'seed-a', `s3://${BUCKET}/seed/model.tar.gz`);
    await createModel(sagemaker, 'seed-b', `s3://${BUCKET}/seed/model.tar.gz`);
    await createConfig(sagemaker, 'blue', [variant('blue', 'seed-a')]);
    await createConfig(sagemaker, 'green', [variant('green', 'seed-b')]);
    expect((await deployEndpoint(sagemaker, 'reviews', 'blue')).EndpointStatus).toBe('InService');
  }, 180_000);

  afterAll(async () => {
    runtime?.destroy();
    sagemaker?.destroy();
    server?.child.kill('SIGTERM');
    await server?.exited;
    await archives?.dispose();
  });

  const numRuns = runs(60, 1000);
  it(
    `answers ${numRuns} fuzzed invocations with a prediction or the runtime's own error; no process dies`,
    async () => {
      const modelServers = modelServerProcesses(dataDir);
      expect(modelServers).toHaveLength(1);
      let answered = 0;
      let refused = 0;
      await fc.assert(
        fc.asyncProperty(body, contentType, accept, async (text, type, acceptType) => {
          const result = await runtime
            .send(
              new InvokeEndpointCommand({
                EndpointName: 'reviews',
                Body: Buffer.from(text, 'latin1'),
                ContentType: type,
                Accept: acceptType,
              }),
            )
            .catch(
              (error: unknown) =>
                error as Error & { OriginalStatusCode?: number; $metadata?: { httpStatusCode?: number } },
            );
          expect(exited).toBe(false);
          if (!(result instanceof Error)) {
            answered += 1;
            return;
          }
          refused += 1;
          // The container refused the request as a client error (bad payload, type or Accept), passed on as SageMaker does.
          expect(result.name).toBe('ModelError');
          expect(result.$metadata?.httpStatusCode).toBe(424);
          expect([400, 406, 413, 415]).toContain(result.OriginalStatusCode);
        }),
        { numRuns, endOnFailure: true },
      );
      // The same model server answered everything: it was never restarted.
      expect(modelServerProcesses(dataDir)).toEqual(modelServers);
      recordFigures('invocations-fuzz', {
        inputs: numRuns,
        crashes: exited ? 1 : 0,
        dataLost: 0,
        faultsSurvived: refused,
        notes: `${answered} predictions, ${refused} client errors from the container; the same model server throughout; data lost: not applicable`,
      });
    },
    numRuns * 500 + 60_000,
  );

  const seconds = runs(8, 40);
  const updates = runs(1, 4);
  it(
    `paced at ${2 * TARGET_RATE} requests/s (twice the target) for ${seconds} s with ${updates} UpdateEndpoint(s) meanwhile: 0 failed, memory steady`,
    async () => {
      const samples: number[] = [];
      const sampler = setInterval(() => samples.push(rssMiB(server.child.pid!)), 250);
      const before = rssMiB(server.child.pid!);
      const running = load(server, 'reviews', 2 * TARGET_RATE, seconds);
      const configs = ['green', 'blue'];
      const took: number[] = [];
      for (let update = 0; update < updates; update += 1) {
        await new Promise((resolve) => setTimeout(resolve, ((seconds * 1000) / (updates + 1)) * 0.6));
        const started = Date.now();
        const target = configs[update % 2]!;
        await sagemaker.send(new UpdateEndpointCommand({ EndpointName: 'reviews', EndpointConfigName: target }));
        const described = await waitForEndpoint(sagemaker, 'reviews', ['Updating'], 120_000);
        expect(described).toMatchObject({ EndpointStatus: 'InService', EndpointConfigName: target });
        expect(described.FailureReason).toBeUndefined();
        took.push(Date.now() - started);
      }
      const result = await running;
      clearInterval(sampler);
      const after = rssMiB(server.child.pid!);
      const peak = Math.max(...samples);
      recordFigures('endpoint-load-during-update', {
        inputs: result.total,
        crashes: exited ? 1 : 0,
        dataLost: result.failed,
        faultsSurvived: updates,
        notes:
          `${result.averageRate.toFixed(0)} requests/s achieved of ${2 * TARGET_RATE} asked, p99 ${result.p99} ms, ` +
          `${result.failed} failed; updates took ${took.join(', ')} ms; server RSS ${before.toFixed(0)} MiB before, ` +
          `peak ${peak.toFixed(0)}, ${after.toFixed(0)} after (${FULL_RELIABILITY ? 'full' : 'reduced'} run)`,
      });
      expect(result.failed).toBe(0);
      expect(result.total).toBeGreaterThan(0);
      expect(exited).toBe(false);
      // Memory steady: the server process does not keep what the requests or the updates brought.
      expect(after - before).toBeLessThan(64);
      expect(modelServerProcesses(dataDir)).toHaveLength(1);
    },
    seconds * 1000 + updates * 120_000 + 30_000,
  );
});
