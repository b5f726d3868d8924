import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from '@jest/globals';
import { EventBridgeClient, PutRuleCommand, PutTargetsCommand } from '@aws-sdk/client-eventbridge';
import {
  DescribePipelineExecutionCommand,
  DescribeProcessingJobCommand,
  ListModelPackagesCommand,
  SageMakerClient,
  StartPipelineExecutionCommand,
} from '@aws-sdk/client-sagemaker';
import { CreateBucketCommand, HeadObjectCommand, S3Client } from '@aws-sdk/client-s3';
import {
  ROLE,
  definition,
  localClientConfig,
  runPipeline,
  stepsByName,
  tempDir,
  waitForExecution,
  type ServerAddress,
} from './support/harness.js';
import { spawnServerProcess, type ServerProcess } from './support/server-process.js';

const clients = (server: ServerAddress) => {
  const config = localClientConfig(server);
  return { sagemaker: new SageMakerClient(config), s3: new S3Client(config), events: new EventBridgeClient(config) };
};

/** Prep writes an artifact, Register records a package pointing at it, Long runs until the crash. */
const PIPELINE = definition(
  [
    {
      Name: 'Prep',
      Type: 'Processing',
      Arguments: {
        AppSpecification: { ImageUri: 'test/sleep' },
        ProcessingResources: { ClusterConfig: { InstanceCount: 1, InstanceType: 'ml.m5.large', VolumeSizeInGB: 30 } },
        RoleArn: ROLE,
        Environment: { SLEEP_MS: '10', CONTENT_model: '{"weights":[1,2,3]}' },
        ProcessingOutputConfig: {
          Outputs: [
            {
              OutputName: 'model',
              S3Output: {
                S3Uri: { 'Std:Join': { On: '/', Values: ['s3://bkt/runs', { Get: 'Execution.PipelineExecutionId' }] } },
                LocalPath: '/opt/ml/processing/model',
                S3UploadMode: 'EndOfJob',
              },
            },
          ],
        },
      },
    },
    {
      Name: 'Register',
      Type: 'RegisterModel',
      Arguments: {
        ModelPackageGroupName: 'crash-models',
        InferenceSpecification: {
          Containers: [
            {
              Image: 'img:1',
              ModelDataUrl: {
                'Std:Join': {
                  On: '/',
                  Values: [{ Get: "Steps.Prep.ProcessingOutputConfig.Outputs['model'].S3Output.S3Uri" }, 'result.json'],
                },
              },
            },
          ],
        },
      },
    },
    {
      Name: 'Long',
      Type: 'Processing',
      DependsOn: ['Register'],
      Arguments: {
        AppSpecification: { ImageUri: 'test/sleep' },
        ProcessingResources: { ClusterConfig: { InstanceCount: 1, InstanceType: 'ml.m5.large', VolumeSizeInGB: 30 } },
        RoleArn: ROLE,
        Environment: { SLEEP_MS: { 'Std:Join': { Values: [{ Get: 'Parameters.LongMs' }] } } },
      },
    },
  ],
  [{ Name: 'LongMs', Type: 'Integer', DefaultValue: 60000 }],
);

describe('crash safety: kill -9 the server mid-execution, then start it again', () => {
  const dataDir = tempDir('slipway-crash-');
  const received: Record<string, unknown>[] = [];
  const hook = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString()));
    request.on('end', () => {
      received.push(JSON.parse(body) as Record<string, unknown>);
      response.writeHead(200).end();
    });
  });
  let second: ServerProcess | undefined;

  afterAll(async () => {
    second?.child.kill('SIGTERM');
    await second?.exited;
    await new Promise<void>((resolve) => hook.close(() => resolve()));
  });

  it('reports the interrupted execution Failed with a reason, keeps registry and objects consistent, and runs again', async () => {
    await new Promise<void>((resolve) => hook.listen(0, '127.0.0.1', resolve));
    const hookUrl = `http://127.0.0.1:${(hook.address() as { port: number }).port}/events`;

    const first = await spawnServerProcess(dataDir);
    const before = clients(first);
    await before.s3.send(new CreateBucketCommand({ Bucket: 'bkt' }));
    await before.events.send(
      new PutRuleCommand({
        Name: 'executions',
        EventPattern: JSON.stringify({ 'detail-type': ['SageMaker Model Building Pipeline Execution Status Change'] }),
      }),
    );
    await before.events.send(new PutTargetsCommand({ Rule: 'executions', Targets: [{ Id: 'hook', Arn: hookUrl }] }));
    const arn = await runPipeline(before.sagemaker, 'crashy', PIPELINE);
    for (let i = 0; i < 200; i += 1) {
      const steps = await stepsByName(before.sagemaker, arn);
      if (steps['Long']?.StepStatus === 'Executing') break;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect((await stepsByName(before.sagemaker, arn))['Long']?.StepStatus).toBe('Executing');
    first.child.kill('SIGKILL');
    await first.exited;
    // A partial upload the killed process might have left behind.
    mkdirSync(join(dataDir, 's3-tmp'), { recursive: true });
    writeFileSync(join(dataDir, 's3-tmp', 'half-written.part'), 'partial');

    second = await spawnServerProcess(dataDir);
    const after = clients(second);
    const described = await after.sagemaker.send(new DescribePipelineExecutionCommand({ PipelineExecutionArn: arn }));
    expect(described.PipelineExecutionStatus).toBe('Failed');
    expect(described.FailureReason).toMatch(
      /local server stopped while this execution was running .*start a new execution/,
    );
    const steps = await stepsByName(after.sagemaker, arn);
    expect(steps['Prep']!.StepStatus).toBe('Succeeded');
    expect(steps['Register']!.StepStatus).toBe('Succeeded');
    expect(steps['Long']).toMatchObject({
      StepStatus: 'Failed',
      FailureReason: expect.stringContaining('local server stopped'),
    });
    const longJob = steps['Long']!.Metadata?.ProcessingJob?.Arn;
    expect(longJob).toMatch(/:processing-job\/pipelines-/);
    const job = await after.sagemaker.send(
      new DescribeProcessingJobCommand({ ProcessingJobName: longJob!.split('/').pop()! }),
    );
    expect(job).toMatchObject({
      ProcessingJobStatus: 'Failed',
      FailureReason: expect.stringContaining('local server stopped'),
    });

    const packages = await after.sagemaker.send(
      new ListModelPackagesCommand({ ModelPackageGroupName: 'crash-models' }),
    );
    expect(packages.ModelPackageSummaryList?.map((p) => p.ModelPackageVersion)).toEqual([1]);
    const id = arn.split('/').pop();
    await expect(
      after.s3.send(new HeadObjectCommand({ Bucket: 'bkt', Key: `runs/${id}/result.json` })),
    ).resolves.toBeDefined();
    expect(existsSync(join(dataDir, 's3-tmp', 'half-written.part'))).toBe(false);

    const started = await after.sagemaker.send(
      new StartPipelineExecutionCommand({
        PipelineName: 'crashy',
        PipelineParameters: [{ Name: 'LongMs', Value: '10' }],
      }),
    );
    const ended = await waitForExecution(after.sagemaker, started.PipelineExecutionArn!);
    expect(ended.PipelineExecutionStatus).toBe('Succeeded');
    const again = await after.sagemaker.send(new ListModelPackagesCommand({ ModelPackageGroupName: 'crash-models' }));
    expect(again.ModelPackageSummaryList?.map((p) => p.ModelPackageVersion)).toEqual([1, 2]);

    // The rule registered before the crash still delivers: the Failed status change of the interrupted run.
    for (
      let i = 0;
      i < 100 &&
      !received.some((e) => (e['detail'] as Record<string, unknown>)['currentPipelineExecutionStatus'] === 'Failed');
      i += 1
    ) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const failed = received.find(
      (e) => (e['detail'] as Record<string, unknown>)['currentPipelineExecutionStatus'] === 'Failed',
    );
    expect(failed?.['detail']).toMatchObject({
      pipelineExecutionArn: arn,
      previousPipelineExecutionStatus: 'Executing',
    });
    for (const client of Object.values(after)) client.destroy();
    for (const client of Object.values(before)) client.destroy();
  }, 60_000);
});
