#!/usr/bin/env node
// The AWS calls one followed execution of the seed pipeline costs, against step transitions and idle minutes.
//  1. For real: runPipeline (what the action and `slipway pipeline run` call) against the local server, which
//     runs the seed pipeline's jobs; every request the SDK sends is counted by operation.
//  2. At SageMaker's pace: the same follow loop against a stand-in that reports the seed pipeline with
//     job durations as SageMaker takes them (minutes), on a simulated clock, with the action's schedule
//     (5 s, doubling to 60 s while nothing changes).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { SageMakerClient } from '@aws-sdk/client-sagemaker';
import { S3Client } from '@aws-sdk/client-s3';
import {
  AWS_POLL_SCHEDULE,
  LOCAL_POLL_SCHEDULE,
  compilePipelineForRun,
  followExecution,
  runPipeline,
} from '@slipway/build-pipeline';
import { awsClientConfig } from '@slipway/core';
import { silentLogger, startLocalServer } from '@slipway/local';

/** Adds a counter of sent requests (retries included) to a client. */
function counted(client, counts) {
  client.middlewareStack.add(
    (next, context) => async (args) => {
      counts.set(context.commandName, (counts.get(context.commandName) ?? 0) + 1);
      return next(args);
    },
    { step: 'finalizeRequest', name: 'slipwayBenchCounter' },
  );
  return client;
}

const FOLLOW = new Set(['ListPipelineExecutionStepsCommand', 'DescribePipelineExecutionCommand']);
const list = (counts) =>
  [...counts.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([name, n]) => `${name.replace(/Command$/, '')} ${n}`)
    .join(', ');

async function realRun(label, schedule) {
  const dataDir = mkdtempSync(join(tmpdir(), 'slipway-bench-calls-'));
  const server = await startLocalServer({ dataDir, port: 0, logger: silentLogger });
  const counts = new Map();
  const config = awsClientConfig({
    kind: 'local',
    region: 'us-east-1',
    endpoint: server.url,
    credentials: server.credentials,
  });
  const sagemaker = counted(new SageMakerClient(config), counts);
  const s3 = counted(new S3Client(config), counts);
  const compiled = await compilePipelineForRun({ roleArn: 'arn:aws:iam::000000000000:role/bench' });
  let transitions = 0;
  let startedAt = 0;
  const followCounts = new Map();
  try {
    const started = performance.now();
    const result = await runPipeline(
      {
        compile: async () => compiled,
        region: 'us-east-1',
        project: { name: 'bench', id: 'p-benchbench00' },
        wait: true,
        timeoutMs: 600_000,
        compareWithApproved: false,
        schedule,
        createMissingBucket: true,
      },
      {
        sagemaker,
        s3,
        onEvent: (event) => {
          if (event.kind === 'step') transitions += 1;
          if (event.kind === 'started') startedAt = performance.now();
        },
      },
    );
    const followed = [...counts.entries()].filter(([name]) => FOLLOW.has(name));
    for (const [name, n] of followed) followCounts.set(name, n);
    const follow = followed.reduce((sum, [, n]) => sum + n, 0);
    const total = [...counts.values()].reduce((sum, n) => sum + n, 0);
    console.log(
      `${label}: ${result.status} in ${((performance.now() - started) / 1000).toFixed(1)} s (${((performance.now() - startedAt) / 1000).toFixed(1)} s followed); ` +
        `${transitions} step transitions seen; ${total} calls in all, ${follow} to follow (${list(followCounts)})`,
    );
    console.log(`  every call: ${list(counts)}`);
  } finally {
    sagemaker.destroy();
    s3.destroy();
    await server.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/** The seed pipeline as SageMaker runs it: seconds from the start at which each step starts and ends. */
function sagemakerPaced(trainMinutes) {
  const train = trainMinutes * 60;
  const plan = [
    ['Preprocess', 0, 270],
    ['Train', 275, 275 + train],
    ['Evaluate', 280 + train, 530 + train],
    ['CheckAccuracy', 535 + train, 536 + train],
    ['RegisterModel', 537 + train, 540 + train],
    ['CreateModel', 537 + train, 539 + train],
  ];
  return { plan, end: 541 + train };
}

async function simulated(trainMinutes) {
  const { plan, end } = sagemakerPaced(trainMinutes);
  let now = 0;
  const clock = { now: () => now, sleep: async (ms) => void (now += ms) };
  const counts = new Map();
  const base = Date.UTC(2026, 0, 1);
  const fake = {
    async send(command) {
      const name = command.constructor.name;
      counts.set(name, (counts.get(name) ?? 0) + 1);
      const seconds = now / 1000;
      if (name === 'ListPipelineExecutionStepsCommand') {
        return {
          PipelineExecutionSteps: plan
            .filter(([, start]) => start <= seconds)
            .map(([StepName, start, stop]) => ({
              StepName,
              StartTime: new Date(base + start * 1000),
              ...(stop <= seconds ? { EndTime: new Date(base + stop * 1000) } : {}),
              StepStatus: stop <= seconds ? 'Succeeded' : 'Executing',
              AttemptCount: 1,
            }))
            .reverse(),
        };
      }
      return { PipelineExecutionStatus: seconds >= end ? 'Succeeded' : 'Executing', CreationTime: new Date(base) };
    },
  };
  let transitions = 0;
  await followExecution(fake, 'arn:aws:sagemaker:us-east-1:123456789012:pipeline/p/execution/x', {
    schedule: AWS_POLL_SCHEDULE,
    timeoutMs: 24 * 3_600_000,
    clock,
    onEvent: (event) => {
      if (event.kind === 'step') transitions += 1;
    },
  });
  const calls = [...counts.values()].reduce((sum, n) => sum + n, 0);
  const minutes = end / 60;
  // Transitions SageMaker made: each step starts and ends; the execution ends.
  const made = plan.length * 2 + 1;
  console.log(
    `SageMaker-paced seed pipeline, Train ${trainMinutes} min: ${minutes.toFixed(1)} min followed, ${made} transitions (${transitions} step events reported), ` +
      `${calls} calls (${list(counts)}) = ${(calls / minutes).toFixed(2)} calls per minute`,
  );
}

console.log('Followed with the action’s AWS schedule (5 s → 60 s) and the local schedule (0.2 s → 2 s):');
await realRun('local server, AWS schedule', AWS_POLL_SCHEDULE);
await realRun('local server, local schedule', LOCAL_POLL_SCHEDULE);
for (const minutes of [6, 60, 240]) await simulated(minutes);
