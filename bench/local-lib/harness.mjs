// Shared pieces of the local-server benchmarks: runners that run real trivial processes or sleep a known
// time, a seed-shaped pipeline, and timing helpers. Benchmarks import the built package (npm run bench
// builds it first).
import { spawn } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  CreatePipelineCommand,
  DescribePipelineExecutionCommand,
  ListPipelineExecutionStepsCommand,
  SageMakerClient,
  StartPipelineExecutionCommand,
} from '@aws-sdk/client-sagemaker';
import { awsClientConfig } from '@slipway/core';
import { parseS3Uri, silentLogger, startLocalServer } from '@slipway/local';

export const ROLE = 'arn:aws:iam::000000000000:role/Bench';

/**
 * Runs each job's ContainerEntrypoint as a real process (Processing: AppSpecification; Training:
 * AlgorithmSpecification), then writes a small file into each output (Processing) or a model.tar.gz
 * (Training). Records each job's process time, so the engine's own overhead can be separated out.
 */
export class ProcessRunner {
  constructor(kind) {
    this.kind = kind;
    this.processMs = new Map();
  }

  async run(spec, store) {
    const startTime = new Date();
    const entry =
      spec.kind === 'Processing'
        ? spec.request.AppSpecification?.ContainerEntrypoint
        : spec.request.AlgorithmSpecification?.ContainerEntrypoint;
    const started = performance.now();
    const code = await new Promise((resolve, reject) => {
      const child = spawn(entry[0], entry.slice(1), { stdio: 'ignore' });
      spec.signal.addEventListener('abort', () => child.kill(), { once: true });
      child.on('error', reject);
      child.on('close', resolve);
    });
    const processMs = performance.now() - started;
    this.processMs.set(spec.jobName, processMs);
    if (code !== 0)
      return { status: 'Failed', failureReason: `exit ${code}`, startTime, endTime: new Date(), processMs };
    if (spec.kind === 'Processing') {
      for (const output of spec.request.ProcessingOutputConfig?.Outputs ?? []) {
        const { bucket, key } = parseS3Uri(`${output.S3Output.S3Uri.replace(/\/+$/, '')}/evaluation.json`);
        await store.put(bucket, key, JSON.stringify({ metrics: { accuracy: { value: 0.9 } } }));
      }
      return { status: 'Completed', startTime, endTime: new Date(), processMs };
    }
    const uri = `${spec.request.OutputDataConfig.S3OutputPath.replace(/\/+$/, '')}/${spec.jobName}/output/model.tar.gz`;
    const { bucket, key } = parseS3Uri(uri);
    await store.put(bucket, key, 'model');
    return { status: 'Completed', modelArtifactsS3Uri: uri, startTime, endTime: new Date(), processMs };
  }
}

/** Sleeps Environment.SLEEP_MS (0 by default) in-process: a job whose time is known exactly. */
export class SleepRunner {
  constructor(kind) {
    this.kind = kind;
  }

  async run(spec) {
    const startTime = new Date();
    const ms = Number(spec.request.Environment?.SLEEP_MS ?? 0);
    if (ms > 0) await sleep(ms);
    return { status: 'Completed', startTime, endTime: new Date(), processMs: ms };
  }
}

/** A local server on a fresh temporary data dir; `close()` stops it and removes the data dir. */
export async function startBenchServer(runners) {
  const dataDir = mkdtempSync(join(tmpdir(), 'slipway-bench-'));
  const server = await startLocalServer({ dataDir, runners, logger: silentLogger });
  const sagemaker = new SageMakerClient({
    ...awsClientConfig({ kind: 'local', region: 'us-east-1', endpoint: server.url, credentials: server.credentials }),
    maxAttempts: 1,
  });
  return {
    server,
    sagemaker,
    dataDir,
    async close() {
      sagemaker.destroy();
      try {
        await server.close();
      } finally {
        rmSync(dataDir, { recursive: true, force: true });
      }
    },
  };
}

export async function createPipeline(sagemaker, name, definition) {
  await sagemaker.send(
    new CreatePipelineCommand({ PipelineName: name, RoleArn: ROLE, PipelineDefinition: JSON.stringify(definition) }),
  );
}

/** Starts an execution and waits for it (the engine's own completion, not a polling interval). */
export async function execute(bench, name, parameters = {}) {
  const started = await bench.sagemaker.send(
    new StartPipelineExecutionCommand({
      PipelineName: name,
      PipelineParameters: Object.entries(parameters).map(([Name, Value]) => ({ Name, Value })),
    }),
  );
  const arn = started.PipelineExecutionArn;
  await bench.server.engine.waitFor(arn);
  const described = await bench.sagemaker.send(new DescribePipelineExecutionCommand({ PipelineExecutionArn: arn }));
  const steps = [];
  let token;
  do {
    const page = await bench.sagemaker.send(
      new ListPipelineExecutionStepsCommand({ PipelineExecutionArn: arn, MaxResults: 100, NextToken: token }),
    );
    steps.push(...page.PipelineExecutionSteps);
    token = page.NextToken;
  } while (token);
  return {
    arn,
    status: described.PipelineExecutionStatus,
    failureReason: described.FailureReason,
    wallMs: described.LastModifiedTime.getTime() - described.CreationTime.getTime(),
    steps,
  };
}

export function definition(steps, parameters = []) {
  return { Version: '2020-12-01', Metadata: {}, Parameters: parameters, Steps: steps };
}

const node = (script) => [process.execPath, '-e', script];
const cache = { Enabled: true, ExpireAfter: 'PT1H' };
const outputs = (step, name) => ({
  Outputs: [
    {
      OutputName: name,
      S3Output: {
        S3Uri: {
          'Std:Join': { On: '/', Values: ['s3://bench', 'runs', { Get: 'Execution.PipelineExecutionId' }, step, name] },
        },
        LocalPath: `/opt/ml/processing/${name}`,
        S3UploadMode: 'EndOfJob',
      },
    },
  ],
});
const processing = (name, extra) => ({
  Name: name,
  Type: 'Processing',
  Arguments: {
    AppSpecification: { ImageUri: 'bench', ContainerEntrypoint: node('') },
    ProcessingResources: { ClusterConfig: { InstanceCount: 1, InstanceType: 'ml.m5.large', VolumeSizeInGB: 30 } },
    RoleArn: ROLE,
    ...extra,
  },
});

/**
 * The seed pipeline's shape (preprocess → train → evaluate → accuracy check → register + create model,
 * else fail) with trivial processes: what the engine does per step, without the ML work.
 */
export function seedShapedPipeline({ cacheable }) {
  const accuracy = {
    'Std:JsonGet': { PropertyFile: { Get: 'Steps.Evaluate.PropertyFiles.Report' }, Path: 'metrics.accuracy.value' },
  };
  return definition(
    [
      {
        ...processing('Preprocess', {
          Environment: { RUN: { Get: 'Parameters.Run' } },
          ProcessingOutputConfig: outputs('Preprocess', 'train'),
        }),
        ...(cacheable ? { CacheConfig: cache } : {}),
      },
      {
        Name: 'Train',
        Type: 'Training',
        ...(cacheable ? { CacheConfig: cache } : {}),
        Arguments: {
          AlgorithmSpecification: { TrainingImage: 'bench', TrainingInputMode: 'File', ContainerEntrypoint: node('') },
          HyperParameters: { epochs: '3' },
          InputDataConfig: [
            {
              ChannelName: 'train',
              DataSource: {
                S3DataSource: {
                  S3DataType: 'S3Prefix',
                  S3Uri: { Get: "Steps.Preprocess.ProcessingOutputConfig.Outputs['train'].S3Output.S3Uri" },
                },
              },
            },
          ],
          OutputDataConfig: { S3OutputPath: 's3://bench/models' },
          ResourceConfig: { InstanceCount: 1, InstanceType: 'ml.m5.large', VolumeSizeInGB: 30 },
          RoleArn: ROLE,
          StoppingCondition: { MaxRuntimeInSeconds: 3600 },
        },
      },
      {
        ...processing('Evaluate', {
          ProcessingInputs: [
            {
              InputName: 'model',
              S3Input: {
                S3Uri: { Get: 'Steps.Train.ModelArtifacts.S3ModelArtifacts' },
                LocalPath: '/opt/ml/processing/model',
              },
            },
          ],
          ProcessingOutputConfig: outputs('Evaluate', 'evaluation'),
        }),
        PropertyFiles: [{ PropertyFileName: 'Report', OutputName: 'evaluation', FilePath: 'evaluation.json' }],
        ...(cacheable ? { CacheConfig: cache } : {}),
      },
      {
        Name: 'CheckAccuracy',
        Type: 'Condition',
        Arguments: {
          Conditions: [{ Type: 'GreaterThanOrEqualTo', LeftValue: accuracy, RightValue: 0.8 }],
          IfSteps: [
            {
              Name: 'Register',
              Type: 'RegisterModel',
              Arguments: {
                ModelPackageGroupName: 'bench-models',
                InferenceSpecification: {
                  Containers: [
                    { Image: 'serve', ModelDataUrl: { Get: 'Steps.Train.ModelArtifacts.S3ModelArtifacts' } },
                  ],
                },
              },
            },
            {
              Name: 'CreateModel',
              Type: 'Model',
              Arguments: {
                ExecutionRoleArn: ROLE,
                PrimaryContainer: {
                  Image: 'serve',
                  ModelDataUrl: { Get: 'Steps.Train.ModelArtifacts.S3ModelArtifacts' },
                },
              },
            },
          ],
          ElseSteps: [{ Name: 'TooLow', Type: 'Fail', Arguments: { ErrorMessage: 'accuracy too low' } }],
        },
      },
    ],
    [{ Name: 'Run', Type: 'String', DefaultValue: '0' }],
  );
}

export function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

export const ms = (value) => `${value.toFixed(1)} ms`;
