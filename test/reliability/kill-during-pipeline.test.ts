import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import {
  CreatePipelineCommand,
  DescribeModelPackageCommand,
  ListModelPackagesCommand,
  ListPipelineExecutionsCommand,
  SageMakerClient,
  StartPipelineExecutionCommand,
  type PipelineExecutionSummary,
} from '@aws-sdk/client-sagemaker';
import { CreateBucketCommand, GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import {
  ROLE,
  definition,
  localClientConfig,
  stepsByName,
  tempDir,
  waitForExecution,
} from '../../local/test/support/harness.js';
import { spawnServerProcess, type ServerProcess } from '../../local/test/support/server-process.js';
import { recordFigures, runs } from './support/reliability.js';

/**
 * kill -9 of the server (a child process) at a random moment of a pipeline run, again and again on one data
 * dir; after each restart: executions consistent (none left running, each step's status agreeing with its
 * execution's), the registry intact (versions 1..n, each pointing at its execution's artifact, whole), every
 * object whole, no partial upload left; at the end the next run succeeds.
 */

const sleep = (name: string) => ({ 'Std:Join': { Values: [{ Get: `Parameters.${name}` }] } });
const processing = (name: string, environment: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
  Name: name,
  Type: 'Processing',
  Arguments: {
    AppSpecification: { ImageUri: 'test/sleep' },
    ProcessingResources: { ClusterConfig: { InstanceCount: 1, InstanceType: 'ml.m5.large', VolumeSizeInGB: 30 } },
    RoleArn: ROLE,
    Environment: environment,
    ...extra,
  },
});

/** Prep writes `weights-<execution id>` as the model; Register records it; Check runs after. */
const PIPELINE = definition(
  [
    processing(
      'Prep',
      {
        SLEEP_MS: sleep('PrepMs'),
        CONTENT_model: { 'Std:Join': { On: '-', Values: ['weights', { Get: 'Execution.PipelineExecutionId' }] } },
      },
      {
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
    ),
    {
      Name: 'Register',
      Type: 'RegisterModel',
      Arguments: {
        ModelPackageGroupName: 'killed-models',
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
    { ...processing('Check', { SLEEP_MS: sleep('CheckMs') }), DependsOn: ['Register'] },
  ],
  [
    { Name: 'PrepMs', Type: 'Integer', DefaultValue: 10 },
    { Name: 'CheckMs', Type: 'Integer', DefaultValue: 10 },
  ],
);

const TERMINAL = new Set(['Succeeded', 'Failed', 'Stopped']);

interface Clients {
  readonly sagemaker: SageMakerClient;
  readonly s3: S3Client;
  destroy(): void;
}

function clients(server: ServerProcess): Clients {
  const sagemaker = new SageMakerClient(localClientConfig(server));
  const s3 = new S3Client(localClientConfig(server));
  return {
    sagemaker,
    s3,
    destroy() {
      sagemaker.destroy();
      s3.destroy();
    },
  };
}

/** Every problem found in the data dir as the restarted server reports it (an empty list: consistent). */
async function problems(c: Clients, dataDir: string): Promise<string[]> {
  const found: string[] = [];
  const executions: PipelineExecutionSummary[] = [];
  let token: string | undefined;
  do {
    const page = await c.sagemaker.send(
      new ListPipelineExecutionsCommand({ PipelineName: 'killed', MaxResults: 100, NextToken: token }),
    );
    executions.push(...(page.PipelineExecutionSummaries ?? []));
    token = page.NextToken;
  } while (token);
  const registered = new Map<string, number>();
  for (const execution of executions) {
    const arn = execution.PipelineExecutionArn!;
    if (!TERMINAL.has(execution.PipelineExecutionStatus!)) found.push(`${arn} is ${execution.PipelineExecutionStatus}`);
    const steps = await stepsByName(c.sagemaker, arn);
    for (const [name, step] of Object.entries(steps)) {
      if (!TERMINAL.has(step.StepStatus!)) found.push(`${arn} step ${name} is ${step.StepStatus}`);
    }
    if (execution.PipelineExecutionStatus === 'Succeeded' && Object.keys(steps).length !== 3)
      found.push(`${arn} Succeeded with steps ${Object.keys(steps).join(',')}`);
    if (steps['Register']?.StepStatus === 'Succeeded') registered.set(arn, 0);
  }
  const packages = await c.sagemaker.send(
    new ListModelPackagesCommand({ ModelPackageGroupName: 'killed-models', MaxResults: 100 }),
  );
  const versions = (packages.ModelPackageSummaryList ?? []).map((p) => p.ModelPackageVersion!).sort((a, b) => a - b);
  if (versions.some((version, index) => version !== index + 1)) found.push(`package versions ${versions.join(',')}`);
  for (const summary of packages.ModelPackageSummaryList ?? []) {
    const described = await c.sagemaker.send(
      new DescribeModelPackageCommand({ ModelPackageName: summary.ModelPackageArn! }),
    );
    const execution = described.MetadataProperties?.GeneratedBy ?? '';
    const url = described.InferenceSpecification?.Containers?.[0]?.ModelDataUrl ?? '';
    registered.set(execution, (registered.get(execution) ?? 0) + 1);
    const id = execution.split('/').pop();
    const key = url.replace('s3://bkt/', '');
    const object = await c.s3.send(new GetObjectCommand({ Bucket: 'bkt', Key: key })).catch(() => undefined);
    const content = await object?.Body?.transformToString();
    if (content !== `weights-${id}`) found.push(`package ${summary.ModelPackageArn} points at ${url}: ${content}`);
  }
  for (const [execution, count] of registered) {
    if (count !== 1) found.push(`${execution} has ${count} packages for one succeeded Register step`);
  }
  const objects = await c.s3.send(new ListObjectsV2Command({ Bucket: 'bkt', Prefix: 'runs/' }));
  for (const object of objects.Contents ?? []) {
    const got = await c.s3.send(new GetObjectCommand({ Bucket: 'bkt', Key: object.Key! }));
    const id = object.Key!.split('/')[1];
    if ((await got.Body!.transformToString()) !== `weights-${id}`) found.push(`object ${object.Key} is not whole`);
  }
  const partial = join(dataDir, 's3-tmp');
  if (existsSync(partial) && readdirSync(partial).length > 0)
    found.push(`partial uploads left: ${readdirSync(partial)}`);
  return found;
}

describe('reliability: kill -9 the server at random points of pipeline runs', () => {
  const dataDir = tempDir('slipway-kill-');
  let current: ServerProcess | undefined;
  afterAll(async () => {
    current?.child.kill('SIGKILL');
    await current?.exited;
  });

  const kills = runs(3, 20);
  it(
    `stays consistent through ${kills} kills, and the next run succeeds`,
    async () => {
      // Reproducible: the same seed gives the same kill moments and step durations.
      const seed = Number(process.env['SLIPWAY_RELIABILITY_SEED'] ?? Date.now() % 100_000);
      const plans = fc.sample(
        fc.record({
          killAfterMs: fc.integer({ min: 0, max: 700 }),
          prepMs: fc.integer({ min: 0, max: 300 }),
          checkMs: fc.integer({ min: 0, max: 300 }),
        }),
        { numRuns: kills, seed },
      );
      let survived = 0;
      let summary = '';
      const found: string[] = [];
      for (const [round, plan] of plans.entries()) {
        current = await spawnServerProcess(dataDir);
        const c = clients(current);
        try {
          if (round === 0) {
            await c.s3.send(new CreateBucketCommand({ Bucket: 'bkt' }));
            await c.sagemaker.send(
              new CreatePipelineCommand({
                PipelineName: 'killed',
                RoleArn: ROLE,
                PipelineDefinition: JSON.stringify(PIPELINE),
              }),
            );
          } else {
            found.push(...(await problems(c, dataDir)).map((problem) => `after kill ${round}: ${problem}`));
          }
          // The start request itself may be cut by the kill.
          void c.sagemaker
            .send(
              new StartPipelineExecutionCommand({
                PipelineName: 'killed',
                PipelineParameters: [
                  { Name: 'PrepMs', Value: String(plan.prepMs) },
                  { Name: 'CheckMs', Value: String(plan.checkMs) },
                ],
              }),
            )
            .catch(() => undefined);
          await new Promise((resolve) => setTimeout(resolve, plan.killAfterMs));
          current.child.kill('SIGKILL');
          await current.exited;
          survived += 1;
        } finally {
          c.destroy();
        }
      }
      current = await spawnServerProcess(dataDir);
      const c = clients(current);
      try {
        found.push(...(await problems(c, dataDir)).map((problem) => `after the last kill: ${problem}`));
        const started = await c.sagemaker.send(new StartPipelineExecutionCommand({ PipelineName: 'killed' }));
        const ended = await waitForExecution(c.sagemaker, started.PipelineExecutionArn!);
        expect(ended.PipelineExecutionStatus).toBe('Succeeded');
        found.push(...(await problems(c, dataDir)).map((problem) => `after the next run: ${problem}`));
        const listed = await c.sagemaker.send(
          new ListPipelineExecutionsCommand({ PipelineName: 'killed', MaxResults: 100 }),
        );
        const statuses = (listed.PipelineExecutionSummaries ?? []).map((e) => e.PipelineExecutionStatus);
        const packages = await c.sagemaker.send(
          new ListModelPackagesCommand({ ModelPackageGroupName: 'killed-models', MaxResults: 100 }),
        );
        summary =
          `${statuses.length} executions (${statuses.filter((x) => x === 'Succeeded').length} succeeded, ` +
          `${statuses.filter((x) => x === 'Failed').length} failed by a kill), ` +
          `${packages.ModelPackageSummaryList?.length ?? 0} model packages, all checked`;
        // Enough kills must land inside runs, not only before or after them, for this to prove anything.
        if (kills >= 10) expect(statuses.filter((x) => x === 'Failed').length).toBeGreaterThan(0);
      } finally {
        c.destroy();
      }
      recordFigures('kill-during-pipeline', {
        inputs: kills,
        crashes: 0,
        dataLost: found.length,
        faultsSurvived: survived,
        notes: `kill -9 at 0-700 ms of a run, seed ${seed}; ${summary}; problems: ${found.slice(0, 3).join('; ') || 'none'}`,
      });
      expect(found).toEqual([]);
    },
    kills * 20_000 + 60_000,
  );
});
