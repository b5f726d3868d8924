import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  CreateHyperParameterTuningJobCommand,
  CreateModelCommand,
  CreateProcessingJobCommand,
  CreateTrainingJobCommand,
  CreateTransformJobCommand,
  DescribeHyperParameterTuningJobCommand,
  DescribeProcessingJobCommand,
  DescribeTrainingJobCommand,
  DescribeTransformJobCommand,
  ListHyperParameterTuningJobsCommand,
  ListProcessingJobsCommand,
  ListTrainingJobsCommand,
  ListTrainingJobsForHyperParameterTuningJobCommand,
  ListTransformJobsCommand,
  StopTrainingJobCommand,
  type CreateTrainingJobRequest,
  type SageMakerClient,
} from '@aws-sdk/client-sagemaker';
import { CreateBucketCommand, GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { packTarGz } from '../../src/archive/index.js';
import { ProcessingRunner, TrainingRunner, TransformRunner } from '../../src/runners/index.js';
import { TEST_IMAGE, runnerOptions } from '../runners/job-fixtures.js';
import { ROLE, callOperation, startTestServer, tempDir, type TestServer } from '../support/harness.js';

const BUCKET = 'jobs';

/** A script-mode training job: its score is -(x - 3)², logged as `score=<value>`; it saves a model that upper-cases. */
const TRAIN = `
import json, os, time
hp = json.load(open(os.path.join(os.environ["SM_INPUT_CONFIG_DIR"], "hyperparameters.json")))
x = float(hp.get("x", "0"))
time.sleep(float(hp.get("sleep", "0")))
print("training with x=%s" % x, flush=True)
print("score=%s" % (-(x - 3) ** 2), flush=True)
model = os.environ["SM_MODEL_DIR"]
os.makedirs(os.path.join(model, "code"), exist_ok=True)
open(os.path.join(model, "code", "inference.py"), "w").write(open(os.path.join(os.path.dirname(__file__), "inference.py")).read())
open(os.path.join(model, "model.txt"), "w").write("upper")
`;

/** The model's handler: one answer line per input line, {"label": <line upper-cased>} (JSON lines) or CSV. */
const INFERENCE = `
import json
def model_fn(model_dir):
    return open(model_dir + "/model.txt").read()
def transform_fn(model, body, content_type, accept):
    body = body.decode() if isinstance(body, bytes) else body
    lines = [line for line in body.split("\\n") if line]
    if content_type == "application/jsonlines":
        out = [json.dumps({"label": json.loads(line)["text"].upper()}) for line in lines]
        return "\\n".join(out) + "\\n", "application/jsonlines"
    return "\\n".join(line.upper() for line in lines) + "\\n", "text/csv"
`;

async function waitFor<T>(read: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`still waiting after ${timeoutMs} ms: ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

const ended = (status: string | undefined) => ['Completed', 'Failed', 'Stopped'].includes(status ?? '');

describe('job APIs outside pipelines (CreateXJob/Describe/List/Stop and the CloudWatch Logs calls)', () => {
  let t: TestServer;
  let sagemaker: SageMakerClient;
  let sourceDir: string;

  const training = (name: string, hyperparameters: Record<string, string> = {}): CreateTrainingJobRequest => ({
    TrainingJobName: name,
    AlgorithmSpecification: {
      TrainingImage: TEST_IMAGE,
      TrainingInputMode: 'File',
      MetricDefinitions: [{ Name: 'score', Regex: 'score=(-?[0-9.]+)' }],
    },
    HyperParameters: {
      sagemaker_program: '"train.py"',
      sagemaker_submit_directory: JSON.stringify(sourceDir),
      ...hyperparameters,
    },
    OutputDataConfig: { S3OutputPath: `s3://${BUCKET}/models` },
    ResourceConfig: { InstanceCount: 1, InstanceType: 'ml.m5.large', VolumeSizeInGB: 30 },
    RoleArn: ROLE,
    StoppingCondition: { MaxRuntimeInSeconds: 600 },
  });

  const describeTraining = (name: string) => sagemaker.send(new DescribeTrainingJobCommand({ TrainingJobName: name }));

  beforeAll(async () => {
    const options = runnerOptions();
    t = await startTestServer({
      runners: {
        Processing: new ProcessingRunner(options),
        Training: new TrainingRunner(options),
        Transform: new TransformRunner(options),
      },
    });
    sagemaker = t.sagemaker;
    await t.s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
    const dir = tempDir('slipway-jobs-src-');
    await mkdir(join(dir, 'src'), { recursive: true });
    await writeFile(join(dir, 'src', 'train.py'), TRAIN);
    await writeFile(join(dir, 'src', 'inference.py'), INFERENCE);
    await packTarGz(join(dir, 'src'), join(dir, 'sourcedir.tar.gz'));
    const { readFile } = await import('node:fs/promises');
    await t.s3.send(
      new PutObjectCommand({
        Bucket: BUCKET,
        Key: 'code/sourcedir.tar.gz',
        Body: await readFile(join(dir, 'sourcedir.tar.gz')),
      }),
    );
    sourceDir = `s3://${BUCKET}/code/sourcedir.tar.gz`;
  });
  afterAll(async () => {
    await t.close();
  });

  it('CreateTrainingJob runs the job in the background; Describe, List and the log stream show it', async () => {
    // Before: CreateTrainingJob was served only inside pipelines (UnknownOperationException).
    const created = await sagemaker.send(new CreateTrainingJobCommand(training('fit-1', { x: '1' })));
    expect(created.TrainingJobArn).toBe('arn:aws:sagemaker:us-east-1:000000000000:training-job/fit-1');
    await expect(sagemaker.send(new CreateTrainingJobCommand(training('fit-1')))).rejects.toThrow(
      /Training job names must be unique/,
    );
    const job = await waitFor(
      () => describeTraining('fit-1'),
      (d) => ended(d.TrainingJobStatus),
    );
    expect(job.TrainingJobStatus).toBe('Completed');
    expect(job.ModelArtifacts?.S3ModelArtifacts).toBe(`s3://${BUCKET}/models/fit-1/output/model.tar.gz`);
    expect(job.FinalMetricDataList?.map((m) => [m.MetricName, m.Value])).toEqual([['score', -4]]);
    expect(job.SecondaryStatusTransitions?.map((s) => s.Status)).toEqual(['Starting', 'Training', 'Completed']);

    const listed = await sagemaker.send(
      new ListTrainingJobsCommand({ NameContains: 'fit-', StatusEquals: 'Completed' }),
    );
    expect(listed.TrainingJobSummaries?.map((s) => s.TrainingJobName)).toContain('fit-1');

    // What the SageMaker SDK does with logs=True: find the stream by the `<job>/` prefix, read from the head,
    // follow nextForwardToken until a page is empty.
    const logs = async (target: string, input: object) => {
      const response = await callOperation(t.server, `Logs_20140328.${target}`, input);
      const body = (await response.json()) as Record<string, unknown>;
      return { status: response.status, body };
    };
    const streams = await logs('DescribeLogStreams', {
      logGroupName: '/aws/sagemaker/TrainingJobs',
      logStreamNamePrefix: 'fit-1/',
      orderBy: 'LogStreamName',
      limit: 1,
    });
    expect(streams.status).toBe(200);
    const stream = (streams.body['logStreams'] as { logStreamName: string }[])[0]!.logStreamName;
    expect(stream).toMatch(/^fit-1\/algo-1-\d+$/);
    const first = await logs('GetLogEvents', {
      logGroupName: '/aws/sagemaker/TrainingJobs',
      logStreamName: stream,
      startTime: 0,
      startFromHead: true,
    });
    const events = first.body['events'] as { timestamp: number; message: string }[];
    expect(events.map((event) => event.message)).toEqual(expect.arrayContaining(['training with x=1.0', 'score=-4.0']));
    for (const event of events) {
      expect(event.timestamp).toBeGreaterThanOrEqual(job.CreationTime!.getTime() - 1000);
      expect(event.timestamp).toBeLessThanOrEqual(job.TrainingEndTime!.getTime() + 1000);
    }
    const next = await logs('GetLogEvents', {
      logGroupName: '/aws/sagemaker/TrainingJobs',
      logStreamName: stream,
      startFromHead: true,
      nextToken: first.body['nextForwardToken'],
    });
    expect(next.body['events']).toEqual([]);
    expect(next.body['nextForwardToken']).toBe(first.body['nextForwardToken']);
    const missing = await logs('GetLogEvents', { logGroupName: '/aws/sagemaker/Nope', logStreamName: stream });
    expect(missing.status).toBe(400);
    expect(missing.body['__type']).toBe('ResourceNotFoundException');
  }, 90_000);

  it('StopTrainingJob stops a running job (Stopping, then Stopped); stopping an ended job is refused', async () => {
    await sagemaker.send(new CreateTrainingJobCommand(training('slow-1', { sleep: '30' })));
    await waitFor(
      () => describeTraining('slow-1'),
      (d) => d.SecondaryStatus === 'Training',
      30_000,
    );
    await sagemaker.send(new StopTrainingJobCommand({ TrainingJobName: 'slow-1' }));
    const stopped = await waitFor(
      () => describeTraining('slow-1'),
      (d) => ended(d.TrainingJobStatus),
      30_000,
    );
    expect(stopped.TrainingJobStatus).toBe('Stopped');
    await expect(sagemaker.send(new StopTrainingJobCommand({ TrainingJobName: 'slow-1' }))).rejects.toThrow(
      /only an InProgress job can be stopped/,
    );
    await expect(describeTraining('no-such-job')).rejects.toThrow(/Could not find requested job with name no-such-job/);
  }, 60_000);

  it('CreateProcessingJob runs a processing job and ListProcessingJobs lists it', async () => {
    await t.s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'proc/code/p.py', Body: 'print("processed")\n' }));
    await sagemaker.send(
      new CreateProcessingJobCommand({
        ProcessingJobName: 'proc-1',
        AppSpecification: { ImageUri: TEST_IMAGE, ContainerEntrypoint: ['python3', '/opt/ml/processing/code/p.py'] },
        ProcessingInputs: [
          {
            InputName: 'code',
            S3Input: {
              S3Uri: `s3://${BUCKET}/proc/code/`,
              LocalPath: '/opt/ml/processing/code',
              S3DataType: 'S3Prefix',
              S3InputMode: 'File',
            },
          },
        ],
        ProcessingResources: { ClusterConfig: { InstanceCount: 1, InstanceType: 'ml.m5.large', VolumeSizeInGB: 30 } },
        RoleArn: ROLE,
      }),
    );
    const job = await waitFor(
      () => sagemaker.send(new DescribeProcessingJobCommand({ ProcessingJobName: 'proc-1' })),
      (d) => ended(d.ProcessingJobStatus),
    );
    expect(job.ProcessingJobStatus).toBe('Completed');
    const listed = await sagemaker.send(new ListProcessingJobsCommand({}));
    expect(listed.ProcessingJobSummaries?.map((s) => s.ProcessingJobName)).toContain('proc-1');
    await expect(
      sagemaker.send(new CreateProcessingJobCommand({ ProcessingJobName: 'proc-2' } as never)),
    ).rejects.toThrow(/CreateProcessingJob: ProcessingResources is required/);
  }, 60_000);

  it('CreateTransformJob runs a batch transform (Line split, MultiRecord, JoinSource, OutputFilter, AssembleWith Line)', async () => {
    const model = await waitFor(
      () => describeTraining('fit-1'),
      (d) => ended(d.TrainingJobStatus),
    );
    await sagemaker.send(
      new CreateModelCommand({
        ModelName: 'upper',
        ExecutionRoleArn: ROLE,
        PrimaryContainer: {
          Image: TEST_IMAGE,
          ModelDataUrl: model.ModelArtifacts!.S3ModelArtifacts!,
          Environment: { SAGEMAKER_PROGRAM: 'inference.py' },
        },
      }),
    );
    const lines = Array.from({ length: 25 }, (_, i) => JSON.stringify({ id: i, text: `review ${i}` }));
    await t.s3.send(
      new PutObjectCommand({ Bucket: BUCKET, Key: 'batch/in/part-1.jsonl', Body: `${lines.join('\n')}\n` }),
    );
    const request = {
      ModelName: 'upper',
      TransformInput: {
        DataSource: { S3DataSource: { S3DataType: 'S3Prefix' as const, S3Uri: `s3://${BUCKET}/batch/in/` } },
        ContentType: 'application/jsonlines',
        SplitType: 'Line' as const,
      },
      TransformOutput: {
        S3OutputPath: `s3://${BUCKET}/batch/out`,
        Accept: 'application/jsonlines',
        AssembleWith: 'Line' as const,
      },
      TransformResources: { InstanceCount: 1, InstanceType: 'ml.m5.large' as const },
      BatchStrategy: 'MultiRecord' as const,
      MaxPayloadInMB: 1,
      MaxConcurrentTransforms: 2,
      DataProcessing: { JoinSource: 'Input' as const, OutputFilter: "$['id','SageMakerOutput']" },
    };
    await sagemaker.send(new CreateTransformJobCommand({ TransformJobName: 'batch-1', ...request }));
    const job = await waitFor(
      () => sagemaker.send(new DescribeTransformJobCommand({ TransformJobName: 'batch-1' })),
      (d) => ended(d.TransformJobStatus),
      90_000,
    );
    expect(job.FailureReason).toBeUndefined();
    expect(job.TransformJobStatus).toBe('Completed');
    const output = await t.s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'batch/out/part-1.jsonl.out' }));
    const answers = (await output.Body!.transformToString())
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(answers).toHaveLength(25);
    expect(answers[7]).toEqual({ id: 7, SageMakerOutput: { label: 'REVIEW 7' } });
    expect((await sagemaker.send(new ListTransformJobsCommand({}))).TransformJobSummaries?.[0]?.TransformJobName).toBe(
      'batch-1',
    );

    // Refused at creation, naming the field: a model that does not exist, a split the local runner cannot do.
    await expect(
      sagemaker.send(new CreateTransformJobCommand({ TransformJobName: 'batch-2', ...request, ModelName: 'nope' })),
    ).rejects.toThrow(/Could not find model/);
    await expect(
      sagemaker.send(
        new CreateTransformJobCommand({
          TransformJobName: 'batch-3',
          ...request,
          TransformInput: { ...request.TransformInput, SplitType: 'RecordIO' },
        }),
      ),
    ).rejects.toThrow(/TransformInput\.SplitType is RecordIO, which the local runner does not split/);
  }, 120_000);

  it('a model error during a transform fails the job, naming the records, and the server keeps serving', async () => {
    // (That such a failure cannot end the server's process is ordered-window.test.ts's: Jest hides unhandled rejections.)
    const bad = JSON.stringify({ id: 0, no_text: true });
    const good = Array.from({ length: 50_000 }, (_, i) =>
      JSON.stringify({ id: i + 1, text: `review ${i + 1} ${'x'.repeat(60)}` }),
    );
    await t.s3.send(
      new PutObjectCommand({ Bucket: BUCKET, Key: 'bad/in/part.jsonl', Body: `${[bad, ...good].join('\n')}\n` }),
    );
    await sagemaker.send(
      new CreateTransformJobCommand({
        TransformJobName: 'batch-bad',
        ModelName: 'upper',
        TransformInput: {
          DataSource: { S3DataSource: { S3DataType: 'S3Prefix', S3Uri: `s3://${BUCKET}/bad/in/` } },
          ContentType: 'application/jsonlines',
          SplitType: 'Line',
        },
        TransformOutput: { S3OutputPath: `s3://${BUCKET}/bad/out` },
        TransformResources: { InstanceCount: 1, InstanceType: 'ml.m5.large' },
        BatchStrategy: 'MultiRecord',
        MaxPayloadInMB: 1,
        MaxConcurrentTransforms: 2,
        ModelClientConfig: { InvocationsMaxRetries: 0 },
      }),
    );
    const job = await waitFor(
      () => sagemaker.send(new DescribeTransformJobCommand({ TransformJobName: 'batch-bad' })),
      (d) => ended(d.TransformJobStatus),
      90_000,
    );
    expect(job.TransformJobStatus).toBe('Failed');
    expect(job.FailureReason).toMatch(/^ClientError: part\.jsonl, records 1-\d+: the model answered 5\d\d/);
    expect((await sagemaker.send(new ListTransformJobsCommand({}))).TransformJobSummaries?.length).toBeGreaterThan(0);
  }, 120_000);

  it('CreateHyperParameterTuningJob: random search of 4 jobs, 2 at a time; the best by the objective; Bayesian runs as random', async () => {
    const { AlgorithmSpecification, HyperParameters, OutputDataConfig, ResourceConfig, RoleArn, StoppingCondition } =
      training('unused');
    const trainingDefinition = {
      AlgorithmSpecification: AlgorithmSpecification!,
      OutputDataConfig: OutputDataConfig!,
      ResourceConfig: ResourceConfig!,
      RoleArn: RoleArn!,
      StoppingCondition: StoppingCondition!,
    };
    await sagemaker.send(
      new CreateHyperParameterTuningJobCommand({
        HyperParameterTuningJobName: 'tune-1',
        HyperParameterTuningJobConfig: {
          Strategy: 'Bayesian',
          HyperParameterTuningJobObjective: { Type: 'Maximize', MetricName: 'score' },
          ResourceLimits: { MaxNumberOfTrainingJobs: 4, MaxParallelTrainingJobs: 2 },
          ParameterRanges: { ContinuousParameterRanges: [{ Name: 'x', MinValue: '0', MaxValue: '6' }] },
          RandomSeed: 7,
        },
        TrainingJobDefinition: {
          ...trainingDefinition,
          StaticHyperParameters: HyperParameters!,
        },
      }),
    );
    const tuning = await waitFor(
      () => sagemaker.send(new DescribeHyperParameterTuningJobCommand({ HyperParameterTuningJobName: 'tune-1' })),
      (d) => ended(d.HyperParameterTuningJobStatus),
      120_000,
    );
    expect(tuning.FailureReason).toBeUndefined();
    expect(tuning.HyperParameterTuningJobStatus).toBe('Completed');
    expect(tuning.TrainingJobStatusCounters).toMatchObject({ Completed: 4, InProgress: 0, NonRetryableError: 0 });
    const children = await sagemaker.send(
      new ListTrainingJobsForHyperParameterTuningJobCommand({
        HyperParameterTuningJobName: 'tune-1',
        SortBy: 'FinalObjectiveMetricValue',
        SortOrder: 'Descending',
      }),
    );
    const summaries = children.TrainingJobSummaries!;
    expect(summaries).toHaveLength(4);
    const values = summaries.map((s) => s.FinalHyperParameterTuningJobObjectiveMetric!.Value!);
    expect(values).toEqual([...values].sort((a, b) => b - a));
    expect(tuning.BestTrainingJob?.TrainingJobName).toBe(summaries[0]!.TrainingJobName);
    // Each training job scored its own x: score = -(x - 3)².
    for (const summary of summaries) {
      const x = Number(summary.TunedHyperParameters!['x']);
      expect(summary.FinalHyperParameterTuningJobObjectiveMetric!.Value).toBeCloseTo(-((x - 3) ** 2), 3);
    }
    // MaxParallelTrainingJobs 2: never more than two running at once.
    const spans = await Promise.all(summaries.map((s) => describeTraining(s.TrainingJobName!)));
    for (const job of spans) {
      const at = job.CreationTime!.getTime();
      const running = spans.filter((o) => o.CreationTime!.getTime() <= at && o.TrainingEndTime!.getTime() > at);
      expect(running.length).toBeLessThanOrEqual(2);
    }
    expect(spans[0]!.TuningJobArn).toBe(tuning.HyperParameterTuningJobArn);
    const listed = await sagemaker.send(new ListHyperParameterTuningJobsCommand({}));
    expect(listed.HyperParameterTuningJobSummaries?.[0]).toMatchObject({
      HyperParameterTuningJobName: 'tune-1',
      Strategy: 'Bayesian',
    });

    const log = await callOperation(t.server, 'Logs_20140328.DescribeLogStreams', {
      logGroupName: '/aws/sagemaker/HyperParameterTuningJobs',
      logStreamNamePrefix: 'tune-1/',
    });
    const stream = ((await log.json()) as { logStreams: { logStreamName: string }[] }).logStreams[0]!.logStreamName;
    const events = await callOperation(t.server, 'Logs_20140328.GetLogEvents', {
      logGroupName: '/aws/sagemaker/HyperParameterTuningJobs',
      logStreamName: stream,
      startFromHead: true,
    });
    const messages = ((await events.json()) as { events: { message: string }[] }).events.map((e) => e.message);
    expect(messages.join('\n')).toMatch(/strategy Bayesian: the local tuner runs it as Random/);

    await expect(
      sagemaker.send(
        new CreateHyperParameterTuningJobCommand({
          HyperParameterTuningJobName: 'tune-2',
          HyperParameterTuningJobConfig: {
            Strategy: 'Random',
            HyperParameterTuningJobObjective: { Type: 'Maximize', MetricName: 'accuracy' },
            ResourceLimits: { MaxNumberOfTrainingJobs: 2, MaxParallelTrainingJobs: 1 },
            ParameterRanges: { IntegerParameterRanges: [{ Name: 'x', MinValue: '0', MaxValue: '6' }] },
          },
          TrainingJobDefinition: { ...trainingDefinition, StaticHyperParameters: HyperParameters! },
        }),
      ),
    ).rejects.toThrow(
      /MetricName is "accuracy", which no MetricDefinitions entry of the training job definition names/,
    );
  }, 150_000);
});
