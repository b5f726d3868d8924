/**
 * Runs one pipeline of N independent processing steps (each a real `python3 -c pass` process through the
 * ProcessingRunner, all allowed to run at once) on a local server in this process, then prints the
 * execution's `{"status", "failureReason"}` on stdout. Whatever Node prints as a warning goes to stderr,
 * where the test looks for it: it runs as its own process because Jest's sandbox does not see process
 * warnings.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreatePipelineCommand, SageMakerClient, StartPipelineExecutionCommand } from '@aws-sdk/client-sagemaker';
import { awsClientConfig } from '@slipway/core';
import { ProcessingRunner, startLocalServer, silentLogger } from '@slipway/local';
import { TEST_IMAGE, runnerOptions } from '../runners/job-fixtures.js';

const steps = Number(process.argv[2] ?? 50);
const dataDir = mkdtempSync(join(tmpdir(), 'slipway-parallel-'));
const server = await startLocalServer({
  dataDir,
  runners: { Processing: new ProcessingRunner(runnerOptions()) },
  logger: silentLogger,
});
const sagemaker = new SageMakerClient({
  ...awsClientConfig({ kind: 'local', region: server.region, endpoint: server.url, credentials: server.credentials }),
  maxAttempts: 1,
});
try {
  const role = 'arn:aws:iam::000000000000:role/Test';
  const definition = {
    Version: '2020-12-01',
    Parameters: [],
    Steps: Array.from({ length: steps }, (_, index) => ({
      Name: `Step${index + 1}`,
      Type: 'Processing',
      Arguments: {
        AppSpecification: { ImageUri: TEST_IMAGE, ContainerEntrypoint: ['python3', '-c', 'pass'] },
        ProcessingResources: { ClusterConfig: { InstanceCount: 1, InstanceType: 'ml.m5.large', VolumeSizeInGB: 30 } },
        RoleArn: role,
      },
    })),
  };
  await sagemaker.send(
    new CreatePipelineCommand({
      PipelineName: 'parallel',
      RoleArn: role,
      PipelineDefinition: JSON.stringify(definition),
    }),
  );
  const { PipelineExecutionArn } = await sagemaker.send(
    new StartPipelineExecutionCommand({
      PipelineName: 'parallel',
      ParallelismConfiguration: { MaxParallelExecutionSteps: steps },
    }),
  );
  await server.engine.waitFor(PipelineExecutionArn!);
  const record = server.store.executions.get(PipelineExecutionArn!)!;
  process.stdout.write(`${JSON.stringify({ status: record.status, failureReason: record.failureReason })}\n`);
} finally {
  sagemaker.destroy();
  await server.close();
  rmSync(dataDir, { recursive: true, force: true });
}
