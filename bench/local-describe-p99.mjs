#!/usr/bin/env node
// DescribePipelineExecution latency with 50 concurrent clients while a pipeline runs (autocannon in this
// process, the server in a child process): target p99 ≤ 10 ms. The execution described is a chain of short
// steps, so the engine records step changes all through the measurement.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';
import autocannon from 'autocannon';
import {
  DescribePipelineExecutionCommand,
  ListPipelineExecutionStepsCommand,
  SageMakerClient,
  StartPipelineExecutionCommand,
} from '@aws-sdk/client-sagemaker';
import { awsClientConfig, signRequest } from '@slipway/core';
import { ROLE, createPipeline, definition } from './local-lib/harness.mjs';
import { figure } from './lib/figures.mjs';

/** Each step of the running pipeline sleeps this long: about 20 step changes a second. */
const STEP_MS = Number(process.env.STEP_MS ?? 50);

const child = spawn(
  process.execPath,
  [
    ...(process.env.BENCH_SERVER_NODE_ARGS ?? '').split(' ').filter(Boolean),
    fileURLToPath(new URL('./local-lib/server.mjs', import.meta.url)),
  ],
  {
    stdio: ['ignore', 'pipe', 'inherit'],
  },
);
const { url, credentials } = JSON.parse(
  await new Promise((resolve) => createInterface({ input: child.stdout }).once('line', resolve)),
);
try {
  const sagemaker = new SageMakerClient(
    awsClientConfig({ kind: 'local', region: 'us-east-1', endpoint: url, credentials }),
  );
  const seconds = Number(process.env.DURATION ?? 10);
  const steps = Array.from({ length: Math.ceil((seconds * 1000 + 3000) / STEP_MS) }, (_, i) => ({
    Name: `Step${i}`,
    Type: 'Processing',
    ...(i > 0 ? { DependsOn: [`Step${i - 1}`] } : {}),
    Arguments: {
      AppSpecification: { ImageUri: 'bench' },
      ProcessingResources: { ClusterConfig: { InstanceCount: 1, InstanceType: 'ml.m5.large', VolumeSizeInGB: 30 } },
      RoleArn: ROLE,
      Environment: { SLEEP_MS: String(STEP_MS) },
    },
  }));
  await createPipeline(sagemaker, 'described', definition(steps));
  const { PipelineExecutionArn } = await sagemaker.send(
    new StartPipelineExecutionCommand({ PipelineName: 'described' }),
  );
  // Signed once with the server's secret, as the SDK signs it; the signature holds for 15 minutes.
  const body = JSON.stringify({ PipelineExecutionArn });
  const headers = signRequest({
    method: 'POST',
    url,
    headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'SageMaker.DescribePipelineExecution' },
    body,
    credentials,
    region: 'us-east-1',
    service: 'sagemaker',
  });
  const result = await autocannon({
    url,
    connections: 50,
    duration: Number(process.env.DURATION ?? 10),
    method: 'POST',
    headers,
    body,
  });
  const errors = result.errors + result.non2xx;
  const after = await sagemaker.send(new DescribePipelineExecutionCommand({ PipelineExecutionArn }));
  const done = await sagemaker.send(new ListPipelineExecutionStepsCommand({ PipelineExecutionArn, MaxResults: 1 }));
  sagemaker.destroy();
  console.log(
    `DescribePipelineExecution, 50 concurrent clients, ${result.duration} s, while the execution runs ` +
      `(still ${after.PipelineExecutionStatus} at the end, at ${done.PipelineExecutionSteps?.[0]?.StepName}): ` +
      `${result.requests.total} requests, p50 ${result.latency.p50} ms, max ${result.latency.max} ms`,
  );
  figure({
    name: 'DescribePipelineExecution p99, 50 concurrent clients, while a pipeline runs',
    value: result.latency.p99,
    unit: 'ms',
    target: '≤ 10 ms, 0 errors',
    met: result.latency.p99 <= 10 && errors === 0 && after.PipelineExecutionStatus === 'Executing',
    detail: `${result.requests.average.toFixed(0)} req/s, ${errors} errors`,
  });
} finally {
  child.kill('SIGTERM');
  await new Promise((resolve) => child.once('exit', resolve));
}
