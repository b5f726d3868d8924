#!/usr/bin/env node
// DescribePipelineExecution latency with 50 concurrent clients (autocannon in this process, the server in
// a child process): target p99 ≤ 10 ms.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';
import autocannon from 'autocannon';
import { SageMakerClient, StartPipelineExecutionCommand } from '@aws-sdk/client-sagemaker';
import { awsClientConfig, signRequest } from '@slipway/core';
import { createPipeline, definition } from './local-lib/harness.mjs';

const child = spawn(process.execPath, [fileURLToPath(new URL('./local-lib/server.mjs', import.meta.url))], {
  stdio: ['ignore', 'pipe', 'inherit'],
});
const { url, credentials } = JSON.parse(
  await new Promise((resolve) => createInterface({ input: child.stdout }).once('line', resolve)),
);
try {
  const sagemaker = new SageMakerClient(
    awsClientConfig({ kind: 'local', region: 'us-east-1', endpoint: url, credentials }),
  );
  await createPipeline(
    sagemaker,
    'described',
    definition([{ Name: 'Stop', Type: 'Fail', Arguments: { ErrorMessage: 'done' } }]),
  );
  const { PipelineExecutionArn } = await sagemaker.send(
    new StartPipelineExecutionCommand({ PipelineName: 'described' }),
  );
  sagemaker.destroy();
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
  console.log(
    `DescribePipelineExecution, 50 concurrent clients, ${result.duration} s: ${result.requests.total} requests, ` +
      `${result.requests.average.toFixed(0)} req/s, latency p50 ${result.latency.p50} ms, p99 ${result.latency.p99} ms, max ${result.latency.max} ms, errors ${errors} (target p99 ≤ 10 ms)`,
  );
} finally {
  child.kill('SIGTERM');
}
