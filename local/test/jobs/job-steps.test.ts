import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CreatePipelineCommand, DescribeTransformJobCommand } from '@aws-sdk/client-sagemaker';
import { CreateBucketCommand, GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { PIPELINE_STEP_TYPE_NAMES } from '@slipway/core';
import { packTarGz } from '../../src/archive/index.js';
import { LOCAL_STEP_TYPES } from '../../src/engine/steps/local-step-types.js';
import { TrainingRunner, TransformRunner } from '../../src/runners/index.js';
import { TEST_IMAGE, runnerOptions } from '../runners/job-fixtures.js';
import {
  ROLE,
  definition,
  runPipeline,
  startTestServer,
  stepsByName,
  tempDir,
  waitForExecution,
  type TestServer,
} from '../support/harness.js';

const BUCKET = 'steps';

const TRAIN = `
import json, os
hp = json.load(open(os.path.join(os.environ["SM_INPUT_CONFIG_DIR"], "hyperparameters.json")))
x = float(hp["x"])
print("score=%s" % (-(x - 3) ** 2), flush=True)
model = os.environ["SM_MODEL_DIR"]
os.makedirs(os.path.join(model, "code"), exist_ok=True)
open(os.path.join(model, "code", "inference.py"), "w").write(open(os.path.join(os.path.dirname(__file__), "inference.py")).read())
open(os.path.join(model, "x.txt"), "w").write(str(x))
`;

/** Answers each CSV line with "<line>,<the x the model was trained with>". */
const INFERENCE = `
def model_fn(model_dir):
    return open(model_dir + "/x.txt").read()
def transform_fn(model, body, content_type, accept):
    body = body.decode() if isinstance(body, bytes) else body
    return "".join("%s,%s\\n" % (line, model) for line in body.split("\\n") if line), "text/csv"
`;

describe('Tuning and Transform steps in a pipeline', () => {
  let t: TestServer;
  let sourceDir: string;

  beforeAll(async () => {
    const options = runnerOptions();
    t = await startTestServer({
      runners: { Training: new TrainingRunner(options), Transform: new TransformRunner(options) },
    });
    await t.s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
    const dir = tempDir('slipway-steps-src-');
    await mkdir(join(dir, 'src'), { recursive: true });
    await writeFile(join(dir, 'src', 'train.py'), TRAIN);
    await writeFile(join(dir, 'src', 'inference.py'), INFERENCE);
    await packTarGz(join(dir, 'src'), join(dir, 'sourcedir.tar.gz'));
    await t.s3.send(
      new PutObjectCommand({
        Bucket: BUCKET,
        Key: 'code/sourcedir.tar.gz',
        Body: await readFile(join(dir, 'sourcedir.tar.gz')),
      }),
    );
    sourceDir = `s3://${BUCKET}/code/sourcedir.tar.gz`;
    await t.s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'batch/in/a.csv', Body: '1,2\n3,4\n5,6\n' }));
  });
  afterAll(async () => {
    await t.close();
  });

  const tuningStep = (strategy: string, extra: Record<string, unknown> = {}) => ({
    Name: 'Tune',
    Type: 'Tuning',
    Arguments: {
      HyperParameterTuningJobConfig: {
        Strategy: strategy,
        HyperParameterTuningJobObjective: { Type: 'Maximize', MetricName: 'score' },
        ResourceLimits: { MaxParallelTrainingJobs: 2 },
        ParameterRanges: { CategoricalParameterRanges: [{ Name: 'x', Values: ['1', '3', '5'] }] },
        ...extra,
      },
      TrainingJobDefinition: {
        AlgorithmSpecification: {
          TrainingImage: TEST_IMAGE,
          TrainingInputMode: 'File',
          MetricDefinitions: [{ Name: 'score', Regex: 'score=(-?[0-9.]+)' }],
        },
        StaticHyperParameters: {
          sagemaker_program: '"train.py"',
          sagemaker_submit_directory: JSON.stringify(sourceDir),
        },
        OutputDataConfig: { S3OutputPath: `s3://${BUCKET}/tuning` },
        ResourceConfig: { InstanceCount: 1, InstanceType: 'ml.m5.large', VolumeSizeInGB: 30 },
        RoleArn: ROLE,
        StoppingCondition: { MaxRuntimeInSeconds: 600 },
      },
    },
  });

  it('a grid Tuning step, a Model from its best training job (get_top_model_s3_uri), a Transform step with it', async () => {
    // Before: Tuning and Transform steps were refused at CreatePipeline ("not wired yet").
    const arn = await runPipeline(
      t.sagemaker,
      'tune-and-transform',
      definition([
        tuningStep('Grid'),
        {
          Name: 'BestModel',
          Type: 'Model',
          Arguments: {
            ExecutionRoleArn: ROLE,
            PrimaryContainer: {
              Image: TEST_IMAGE,
              Environment: { SAGEMAKER_PROGRAM: 'inference.py' },
              // What the SDK's TuningStep.get_top_model_s3_uri(top_k=0, s3_bucket=..., prefix="tuning") emits.
              ModelDataUrl: {
                'Std:Join': {
                  On: '/',
                  Values: [
                    's3:/',
                    BUCKET,
                    'tuning',
                    { Get: 'Steps.Tune.TrainingJobSummaries[0].TrainingJobName' },
                    'output/model.tar.gz',
                  ],
                },
              },
            },
          },
        },
        {
          Name: 'Score',
          Type: 'Transform',
          Arguments: {
            ModelName: { Get: 'Steps.BestModel.ModelName' },
            TransformInput: {
              DataSource: { S3DataSource: { S3DataType: 'S3Prefix', S3Uri: `s3://${BUCKET}/batch/in` } },
              ContentType: 'text/csv',
              SplitType: 'Line',
            },
            TransformOutput: { S3OutputPath: `s3://${BUCKET}/batch/out`, AssembleWith: 'Line' },
            TransformResources: { InstanceCount: 1, InstanceType: 'ml.m5.large' },
          },
        },
      ]),
    );
    const execution = await waitForExecution(t.sagemaker, arn, 120_000);
    const steps = await stepsByName(t.sagemaker, arn);
    expect([steps['Tune']?.FailureReason, steps['Score']?.FailureReason]).toEqual([undefined, undefined]);
    expect(execution.PipelineExecutionStatus).toBe('Succeeded');
    expect(steps['Tune']!.Metadata?.TuningJob?.Arn).toMatch(/:hyper-parameter-tuning-job\//);
    const transformArn = steps['Score']!.Metadata!.TransformJob!.Arn!;
    const transform = await t.sagemaker.send(
      new DescribeTransformJobCommand({ TransformJobName: transformArn.split('/').pop()! }),
    );
    expect(transform.TransformJobStatus).toBe('Completed');
    const output = await t.s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'batch/out/a.csv.out' }));
    // SingleRecord: one request per line; the best model was trained with x = 3 (score 0).
    expect(await output.Body!.transformToString()).toBe('1,2,3.0\n3,4,3.0\n5,6,3.0\n');
  }, 150_000);

  it('refuses at CreatePipeline what a Tuning or Transform step cannot run, naming the step and field', async () => {
    const tuning = tuningStep('Grid', { ResourceLimits: { MaxParallelTrainingJobs: 2, MaxNumberOfTrainingJobs: 5 } });
    await expect(
      t.sagemaker.send(
        new CreatePipelineCommand({
          PipelineName: 'bad-grid',
          RoleArn: ROLE,
          PipelineDefinition: JSON.stringify(definition([tuning])),
        }),
      ),
    ).rejects.toThrow(
      /Steps\[0\]\.Arguments\.HyperParameterTuningJobConfig\.ResourceLimits\.MaxNumberOfTrainingJobs \(step "Tune"\) is 5, but the grid has 3 combinations/,
    );
    const transform = {
      Name: 'Batch',
      Type: 'Transform',
      Arguments: {
        ModelName: 'm',
        TransformInput: {
          DataSource: { S3DataSource: { S3DataType: 'S3Prefix', S3Uri: `s3://${BUCKET}/batch/in` } },
          SplitType: 'TFRecord',
        },
        TransformOutput: { S3OutputPath: `s3://${BUCKET}/batch/out` },
        TransformResources: { InstanceCount: 1, InstanceType: 'ml.m5.large' },
      },
    };
    await expect(
      t.sagemaker.send(
        new CreatePipelineCommand({
          PipelineName: 'bad-transform',
          RoleArn: ROLE,
          PipelineDefinition: JSON.stringify(definition([transform])),
        }),
      ),
    ).rejects.toThrow(/TransformInput\.SplitType \(step "Batch"\) is TFRecord, which the local runner does not split/);
  });

  it('every step type of the schema either runs or is refused at CreatePipeline by name', async () => {
    for (const type of PIPELINE_STEP_TYPE_NAMES) {
      const entry: { run?: unknown; refused?: string } = LOCAL_STEP_TYPES[type];
      const name = `Step${type}`;
      const attempt = t.sagemaker.send(
        new CreatePipelineCommand({
          PipelineName: `matrix-${type.toLowerCase()}`,
          RoleArn: ROLE,
          PipelineDefinition: JSON.stringify(definition([{ Name: name, Type: type, Arguments: {} }])),
        }),
      );
      if (entry.refused !== undefined) {
        await expect(attempt).rejects.toThrow(
          new RegExp(`step "${name}" of type ${type}: the local server cannot run ${type} steps: `),
        );
      } else {
        // A runnable type is accepted, or refused for what its Arguments lack (never for its type).
        await attempt.then(
          () => undefined,
          (error: Error) => expect(error.message).not.toMatch(/cannot run .* steps/),
        );
      }
    }
  });
});
