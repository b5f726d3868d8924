import { beforeEach, describe, expect, it } from '@jest/globals';
import {
  CreateModelPackageGroupCommand,
  CreatePipelineCommand,
  DescribeModelPackageCommand,
  DescribeModelPackageGroupCommand,
  DescribePipelineExecutionCommand,
  DescribeProcessingJobCommand,
  ListModelPackagesCommand,
  ListPipelineExecutionStepsCommand,
  SageMakerClient,
  StartPipelineExecutionCommand,
  UpdateModelPackageCommand,
  UpdatePipelineCommand,
  type StartPipelineExecutionCommandInput,
} from '@aws-sdk/client-sagemaker';
import { GetObjectCommand, HeadObjectCommand, S3Client, type GetObjectCommandOutput } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { AWS_POLL_SCHEDULE, PipelineRunError, runPipeline, type RunPipelineOptions } from '@slipway/build-pipeline';
import { ValidationError } from '@slipway/core';
import {
  EXECUTION_ARN,
  PACKAGE_ARN,
  PIPELINE_ARN,
  compiledGolden,
  fakeClock,
  serviceError,
  timeline,
  type TimelineStep,
} from './support.js';

const credentials = { accessKeyId: 'x', secretAccessKey: 'x' };
const sagemakerMock = mockClient(SageMakerClient);
const s3Mock = mockClient(S3Client);
const sagemaker = new SageMakerClient({ region: 'us-east-1', credentials });
const s3 = new S3Client({ region: 'us-east-1', credentials });

const EVALUATION = { multiclass_classification_metrics: { accuracy: { value: 0.86, standard_deviation: 'NaN' } } };
const EVALUATE_JOB = 'arn:aws:sagemaker:us-east-1:123456789012:processing-job/pipelines-abc123def456-evaluate-x1';
const SOURCE = {
  revision: '0123456789abcdef0123456789abcdef01234567',
  repository: 'acme/sentiment',
  runUrl: 'https://github.com/acme/sentiment/actions/runs/99',
  runId: '99',
  runAttempt: '1',
};

const HAPPY: TimelineStep[] = [
  { name: 'Preprocess', start: 0, end: 60 },
  { name: 'Train', start: 61, end: 300 },
  { name: 'Evaluate', start: 301, end: 400, metadata: { ProcessingJob: { Arn: EVALUATE_JOB } } },
  { name: 'CheckAccuracy', start: 401, end: 401, metadata: { Condition: { Outcome: 'True' } } },
  { name: 'RegisterModel', start: 402, end: 403, metadata: { RegisterModel: { Arn: PACKAGE_ARN } } },
];

function body(value: unknown): GetObjectCommandOutput {
  return {
    Body: { transformToString: async () => JSON.stringify(value) },
    $metadata: {},
  } as unknown as GetObjectCommandOutput;
}

/** SageMaker as a fake: an existing group, a new pipeline, executions that follow `steps` over fake time. */
function fakeSageMaker(
  clock: ReturnType<typeof fakeClock>,
  steps: TimelineStep[] = HAPPY,
  end: Parameters<typeof timeline>[1] = { at: 403, status: 'Succeeded' },
) {
  const run = timeline(steps, end);
  // StartPipelineExecution is idempotent per ClientRequestToken, as the service documents it.
  const byToken = new Map<string, string>();
  sagemakerMock.on(StartPipelineExecutionCommand).callsFake((input: StartPipelineExecutionCommandInput) => {
    const token = input.ClientRequestToken!;
    if (!byToken.has(token)) byToken.set(token, byToken.size === 0 ? EXECUTION_ARN : `${EXECUTION_ARN}${byToken.size}`);
    return { PipelineExecutionArn: byToken.get(token) };
  });
  sagemakerMock.on(DescribeModelPackageGroupCommand).resolves({ ModelPackageGroupName: 'golden-models' });
  sagemakerMock.on(CreatePipelineCommand).resolves({ PipelineArn: PIPELINE_ARN });
  sagemakerMock
    .on(ListPipelineExecutionStepsCommand)
    .callsFake(() => ({ PipelineExecutionSteps: run.steps(clock.time()) }));
  sagemakerMock.on(DescribePipelineExecutionCommand).callsFake(() => run.describe(clock.time()));
  sagemakerMock
    .on(DescribeModelPackageCommand, { ModelPackageName: PACKAGE_ARN })
    .resolves({ ModelApprovalStatus: 'PendingManualApproval' });
  sagemakerMock.on(DescribeProcessingJobCommand).resolves({
    ProcessingOutputConfig: {
      Outputs: [
        {
          OutputName: 'evaluation',
          S3Output: {
            S3Uri: 's3://golden-bucket/run/Evaluate/output/evaluation',
            LocalPath: '/x',
            S3UploadMode: 'EndOfJob',
          },
        },
      ],
    },
  });
  s3Mock.on(HeadObjectCommand).resolves({ ContentLength: 9 });
  s3Mock.on(GetObjectCommand, { Key: 'run/Evaluate/output/evaluation/evaluation.json' }).resolves(body(EVALUATION));
  return byToken;
}

function options(overrides: Partial<RunPipelineOptions> = {}): RunPipelineOptions {
  return {
    compile: async () => compiledGolden(),
    region: 'us-east-1',
    source: SOURCE,
    project: { name: 'golden', id: 'p-g01den0000ab' },
    wait: true,
    timeoutMs: 3_600_000,
    compareWithApproved: false,
    schedule: AWS_POLL_SCHEDULE,
    ...overrides,
  };
}

const startInput = (index = 0) => sagemakerMock.commandCalls(StartPipelineExecutionCommand)[index]!.args[0].input;

beforeEach(() => {
  sagemakerMock.reset();
  s3Mock.reset();
});

describe('runPipeline', () => {
  it("writes the registered version's model card, Draft, with the evaluation metrics", async () => {
    const clock = fakeClock();
    fakeSageMaker(clock);
    const events: string[] = [];
    await runPipeline(options(), { sagemaker, s3, clock, onEvent: (event) => events.push(event.kind) });
    const update = sagemakerMock.commandCalls(UpdateModelPackageCommand)[0]?.args[0].input;
    expect(update?.ModelPackageArn).toBe(PACKAGE_ARN);
    expect(update?.ModelCard?.ModelCardStatus).toBe('Draft');
    const content = JSON.parse(update?.ModelCard?.ModelCardContent ?? '{}');
    expect(content.evaluation_details[0]).toMatchObject({
      name: 'Evaluate',
      evaluation_job_arn: EVALUATE_JOB,
      metric_groups: [
        { name: 'multiclass_classification_metrics', metric_data: [{ name: 'accuracy', type: 'number', value: 0.86 }] },
      ],
    });
    expect(content.model_overview.model_creator).toBe(SOURCE.repository);
    expect(events).toContain('model-card');
    // Never an approval: the build role may not approve its own version.
    expect(update).not.toHaveProperty('ModelApprovalStatus');
  });

  it('keeps a card the version already has, and warns without failing the run when the card cannot be written', async () => {
    const clock = fakeClock();
    fakeSageMaker(clock);
    sagemakerMock.on(DescribeModelPackageCommand, { ModelPackageName: PACKAGE_ARN }).resolves({
      ModelApprovalStatus: 'PendingManualApproval',
      ModelCard: { ModelCardContent: '{"intended_uses":{"risk_rating":"Low"}}', ModelCardStatus: 'Approved' },
    });
    const warnings: string[] = [];
    const onEvent = (event: { kind: string; message?: string }) => {
      if (event.kind === 'warning') warnings.push(event.message ?? '');
    };
    await runPipeline(options(), { sagemaker, s3, clock, onEvent });
    expect(sagemakerMock.commandCalls(UpdateModelPackageCommand)).toEqual([]);
    expect(warnings).toEqual([`${PACKAGE_ARN} already has a model card; it is kept`]);

    sagemakerMock.on(DescribeModelPackageCommand, { ModelPackageName: PACKAGE_ARN }).resolves({
      ModelApprovalStatus: 'PendingManualApproval',
    });
    sagemakerMock.on(UpdateModelPackageCommand).rejects(new Error('AccessDeniedException: not authorized'));
    warnings.length = 0;
    const result = await runPipeline(options({ clientRequestToken: 'second' }), { sagemaker, s3, clock, onEvent });
    expect(result.status).toBe('Succeeded');
    expect(warnings).toEqual([
      `the model card of ${PACKAGE_ARN} was not written: AccessDeniedException: not authorized`,
    ]);
  });

  it('uploads, upserts, starts with the source in parameters and names, follows, and reads the outcome', async () => {
    const clock = fakeClock();
    fakeSageMaker(clock);
    const result = await runPipeline(options({ parameters: 'MaxFeatures=5000' }), { sagemaker, s3, clock });
    expect(result).toMatchObject({
      pipelineArn: PIPELINE_ARN,
      executionArn: EXECUTION_ARN,
      status: 'Succeeded',
      followed: true,
      modelPackageArn: PACKAGE_ARN,
      modelApprovalStatus: 'PendingManualApproval',
      evaluation: [{ stepName: 'Evaluate', propertyFile: 'EvaluationReport', document: EVALUATION }],
    });
    expect(startInput()).toMatchObject({
      PipelineName: 'golden-pipeline',
      PipelineParameters: [
        { Name: 'SourceRevision', Value: SOURCE.revision },
        { Name: 'SourceRepository', Value: SOURCE.repository },
        { Name: 'SourceRunUrl', Value: SOURCE.runUrl },
        { Name: 'MaxFeatures', Value: '5000' },
        // The version the upsert wrote: created, so the first; the registered version records it.
        { Name: 'SourcePipelineVersion', Value: '1' },
      ],
      // Exactly that version, never "the latest", which a concurrent push may have replaced meanwhile.
      PipelineVersionId: 1,
      PipelineExecutionDisplayName: 'commit-0123456789ab-run-99-1',
      PipelineExecutionDescription: `Started by Slipway from acme/sentiment@${SOURCE.revision}, run ${SOURCE.runUrl}`,
    });
    expect(sagemakerMock.commandCalls(CreatePipelineCommand)[0]!.args[0].input.Tags).toEqual([
      { Key: 'sagemaker:project-name', Value: 'golden' },
      { Key: 'sagemaker:project-id', Value: 'p-g01den0000ab' },
    ]);
  });

  it('starts at most one execution per commit, run and attempt: a retried job gets the same execution', async () => {
    const clock = fakeClock();
    const byToken = fakeSageMaker(clock);
    const first = await runPipeline(options(), { sagemaker, s3, clock });
    const retried = await runPipeline(options(), { sagemaker, s3, clock });
    expect(retried.executionArn).toBe(first.executionArn);
    expect(startInput(1).ClientRequestToken).toBe(startInput(0).ClientRequestToken);
    expect(startInput(0).ClientRequestToken).toMatch(/^slipway-[0-9a-f]{64}$/);
    const rerun = await runPipeline(options({ source: { ...SOURCE, runAttempt: '2' } }), { sagemaker, s3, clock });
    expect(rerun.executionArn).not.toBe(first.executionArn);
    expect(byToken.size).toBe(2);
  });

  it('fails on bad parameters before any AWS call, naming the input', async () => {
    fakeSageMaker(fakeClock());
    const attempt = runPipeline(options({ parameters: 'MinAccuracy=high\nNope=1', parametersInput: 'parameters' }), {
      sagemaker,
      s3,
    });
    await expect(attempt).rejects.toThrow(ValidationError);
    await expect(attempt).rejects.toThrow(
      /parameters: MinAccuracy must be a number[\s\S]*parameters: Nope is not a parameter/,
    );
    expect(sagemakerMock.calls()).toHaveLength(0);
    expect(s3Mock.calls()).toHaveLength(0);
  });

  it('creates the model package group when it is missing', async () => {
    const clock = fakeClock();
    fakeSageMaker(clock);
    sagemakerMock
      .on(DescribeModelPackageGroupCommand)
      .rejects(serviceError('ValidationException', 'ModelPackageGroup golden-models does not exist.'));
    sagemakerMock.on(CreateModelPackageGroupCommand).resolves({ ModelPackageGroupArn: 'arn' });
    await runPipeline(options(), { sagemaker, s3, clock });
    expect(sagemakerMock.commandCalls(CreateModelPackageGroupCommand)[0]!.args[0].input.ModelPackageGroupName).toBe(
      'golden-models',
    );
  });

  describe('compare-with-approved', () => {
    function champion(accuracy: number) {
      sagemakerMock
        .on(ListModelPackagesCommand, {
          ModelPackageGroupName: 'golden-models',
          ModelApprovalStatus: 'Approved',
          SortBy: 'CreationTime',
          SortOrder: 'Descending',
          MaxResults: 1,
        })
        .resolves({
          ModelPackageSummaryList: [
            {
              ModelPackageArn: 'arn:champion',
              ModelPackageGroupName: 'golden-models',
              CreationTime: new Date(),
              ModelPackageStatus: 'Completed',
            },
          ],
        });
      sagemakerMock.on(DescribeModelPackageCommand, { ModelPackageName: 'arn:champion' }).resolves({
        ModelMetrics: {
          ModelQuality: {
            Statistics: { ContentType: 'application/json', S3Uri: 's3://golden-bucket/champion/evaluation.json' },
          },
        },
      });
      s3Mock
        .on(GetObjectCommand, { Key: 'champion/evaluation.json' })
        .resolves(body({ multiclass_classification_metrics: { accuracy: { value: accuracy } } }));
    }
    const minAccuracySent = () =>
      startInput().PipelineParameters?.find((parameter) => parameter.Name === 'MinAccuracy')?.Value;

    it('raises MinAccuracy to the newest approved package accuracy when that is higher', async () => {
      const clock = fakeClock();
      fakeSageMaker(clock);
      champion(0.91);
      const result = await runPipeline(options({ compareWithApproved: true }), { sagemaker, s3, clock });
      expect(minAccuracySent()).toBe('0.91');
      expect(result.qualityBar).toMatchObject({
        given: 0.7,
        effective: 0.91,
        champion: { modelPackageArn: 'arn:champion', accuracy: 0.91 },
      });
    });

    it('keeps the configured MinAccuracy when it is already higher than the champion', async () => {
      const clock = fakeClock();
      fakeSageMaker(clock);
      champion(0.8);
      await runPipeline(options({ compareWithApproved: true, parameters: 'MinAccuracy=0.85' }), {
        sagemaker,
        s3,
        clock,
      });
      expect(minAccuracySent()).toBe('0.85');
    });

    it('leaves MinAccuracy alone when nothing is approved yet', async () => {
      const clock = fakeClock();
      fakeSageMaker(clock);
      sagemakerMock.on(ListModelPackagesCommand).resolves({ ModelPackageSummaryList: [] });
      const result = await runPipeline(options({ compareWithApproved: true }), { sagemaker, s3, clock });
      expect(minAccuracySent()).toBeUndefined();
      expect(result.qualityBar).toEqual({ given: 0.7, effective: 0.7 });
    });

    it('refuses to guess when the approved package has no readable accuracy', async () => {
      const clock = fakeClock();
      fakeSageMaker(clock);
      champion(0.8);
      sagemakerMock.on(DescribeModelPackageCommand, { ModelPackageName: 'arn:champion' }).resolves({});
      await expect(runPipeline(options({ compareWithApproved: true }), { sagemaker, s3, clock })).rejects.toThrow(
        /approved model package arn:champion has no ModelQuality statistics/,
      );
      expect(sagemakerMock.commandCalls(StartPipelineExecutionCommand)).toHaveLength(0);
    });
  });

  it("fails a failed execution with the pipeline's own failure reason, keeping the result", async () => {
    const clock = fakeClock();
    fakeSageMaker(
      clock,
      [
        { name: 'Preprocess', start: 0, end: 60 },
        {
          name: 'Train',
          start: 61,
          end: 90,
          status: 'Failed',
          failureReason: 'AlgorithmError: --ngram-max must be 1..3, exit code: 1',
        },
      ],
      { at: 90, status: 'Failed', reason: 'Step failure: One or multiple steps failed.' },
    );
    const error = await runPipeline(options(), { sagemaker, s3, clock }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(PipelineRunError);
    const failure = error as PipelineRunError;
    expect(failure.message).toBe(
      `Pipeline execution ${EXECUTION_ARN} Failed: Step failure: One or multiple steps failed.\n  - Train: AlgorithmError: --ngram-max must be 1..3, exit code: 1`,
    );
    expect(failure.result).toMatchObject({ status: 'Failed', executionArn: EXECUTION_ARN });
    expect(failure.result.modelPackageArn).toBeUndefined();
  });

  it('fails at the timeout, saying the execution keeps running', async () => {
    const clock = fakeClock();
    fakeSageMaker(clock, [{ name: 'Preprocess', start: 0, end: 99_999 }], undefined);
    const error = (await runPipeline(options({ timeoutMs: 10 * 60_000 }), { sagemaker, s3, clock }).catch(
      (caught: unknown) => caught,
    )) as PipelineRunError;
    expect(error).toBeInstanceOf(PipelineRunError);
    expect(error.message).toMatch(/was still Executing after 10 min; it keeps running/);
    expect(error.result).toMatchObject({ timedOut: true, status: 'Executing' });
  });

  it('with wait false returns once the execution has started, without following it', async () => {
    const clock = fakeClock();
    fakeSageMaker(clock);
    const result = await runPipeline(options({ wait: false }), { sagemaker, s3, clock });
    expect(result).toMatchObject({ status: 'Executing', followed: false, steps: [] });
    expect(sagemakerMock.commandCalls(ListPipelineExecutionStepsCommand)).toHaveLength(0);
  });

  it('updates an existing pipeline and starts the version it wrote', async () => {
    const clock = fakeClock();
    fakeSageMaker(clock);
    sagemakerMock
      .on(CreatePipelineCommand)
      .rejects(serviceError('ValidationException', 'Pipeline with name (golden-pipeline) already exists.'));
    sagemakerMock.on(UpdatePipelineCommand).resolves({ PipelineArn: PIPELINE_ARN, PipelineVersionId: 4 });
    await runPipeline(options(), { sagemaker, s3, clock });
    expect(startInput().PipelineVersionId).toBe(4);
    expect(startInput().PipelineParameters).toContainEqual({ Name: 'SourcePipelineVersion', Value: '4' });
  });
});
