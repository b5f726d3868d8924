import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  CreatePipelineCommand,
  DescribePipelineCommand,
  DescribePipelineExecutionCommand,
  ListPipelineExecutionsCommand,
  StartPipelineExecutionCommand,
  StopPipelineExecutionCommand,
  type PipelineExecutionStep,
} from '@aws-sdk/client-sagemaker';
import { CreateBucketCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import {
  ROLE,
  definition,
  runPipeline,
  startTestServer,
  stepsByName,
  waitForExecution,
  type TestServer,
} from './support/harness.js';
import { FlakyRunner, SleepRunner } from './support/subprocess-runner.js';

/** A Processing step for the SleepRunner: sleeps `ms`, optionally writes `content` to output `out`. */
function sleepStep(
  name: string,
  ms: number,
  extra: Record<string, unknown> = {},
  environment: Record<string, unknown> = {},
) {
  return {
    Name: name,
    Type: 'Processing',
    Arguments: {
      AppSpecification: { ImageUri: 'test/sleep' },
      ProcessingResources: { ClusterConfig: { InstanceCount: 1, InstanceType: 'ml.m5.large', VolumeSizeInGB: 30 } },
      RoleArn: ROLE,
      Environment: { SLEEP_MS: String(ms), ...environment },
      ProcessingOutputConfig: {
        Outputs: [
          {
            OutputName: 'out',
            S3Output: { S3Uri: `s3://bkt/out/${name}`, LocalPath: '/opt/ml/processing/out', S3UploadMode: 'EndOfJob' },
          },
        ],
      },
    },
    ...extra,
  };
}

function overlaps(a: PipelineExecutionStep, b: PipelineExecutionStep): boolean {
  return a.StartTime!.getTime() < b.EndTime!.getTime() && b.StartTime!.getTime() < a.EndTime!.getTime();
}

describe('engine behaviour through the API', () => {
  let t: TestServer;
  const processing = new SleepRunner('Processing');

  beforeAll(async () => {
    t = await startTestServer({ runners: { Processing: processing } });
    await t.s3.send(new CreateBucketCommand({ Bucket: 'bkt' }));
  });
  afterAll(async () => {
    await t.close();
  });

  it('runs independent steps in parallel, and one at a time with MaxParallelExecutionSteps 1', async () => {
    const steps = [sleepStep('Left', 300), sleepStep('Right', 300)];
    const parallel = await runPipeline(t.sagemaker, 'parallel', definition(steps));
    await waitForExecution(t.sagemaker, parallel);
    const p = await stepsByName(t.sagemaker, parallel);
    expect(overlaps(p['Left']!, p['Right']!)).toBe(true);

    const serial = await runPipeline(
      t.sagemaker,
      'serial',
      definition(steps),
      {},
      { ParallelismConfiguration: { MaxParallelExecutionSteps: 1 } },
    );
    await waitForExecution(t.sagemaker, serial);
    const s = await stepsByName(t.sagemaker, serial);
    expect(overlaps(s['Left']!, s['Right']!)).toBe(false);
    const described = await t.sagemaker.send(new DescribePipelineExecutionCommand({ PipelineExecutionArn: serial }));
    expect(described.ParallelismConfiguration).toEqual({ MaxParallelExecutionSteps: 1 });
  });

  it('orders steps by DependsOn and by data references', async () => {
    const arn = await runPipeline(
      t.sagemaker,
      'ordered',
      definition([
        sleepStep('Third', 10, { DependsOn: ['Second'] }),
        sleepStep(
          'Second',
          50,
          {},
          { FROM: { Get: "Steps.First.ProcessingOutputConfig.Outputs['out'].S3Output.S3Uri" } },
        ),
        sleepStep('First', 50),
      ]),
    );
    await waitForExecution(t.sagemaker, arn);
    const steps = await stepsByName(t.sagemaker, arn);
    expect(steps['Second']!.StartTime!.getTime()).toBeGreaterThanOrEqual(steps['First']!.EndTime!.getTime());
    expect(steps['Third']!.StartTime!.getTime()).toBeGreaterThanOrEqual(steps['Second']!.EndTime!.getTime());
  });

  it('stops an execution: Stopping, then Stopped, with the running job aborted', async () => {
    const arn = await runPipeline(
      t.sagemaker,
      'stoppable',
      definition([sleepStep('Long', 60_000), sleepStep('After', 10, { DependsOn: ['Long'] })]),
    );
    for (let i = 0; i < 100 && !processing.started.some((name) => name.includes('-Long-')); i += 1) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    const token = 'stop-token-0123456789abcdef0123456789';
    await t.sagemaker.send(new StopPipelineExecutionCommand({ PipelineExecutionArn: arn, ClientRequestToken: token }));
    const stopping = await t.sagemaker.send(new DescribePipelineExecutionCommand({ PipelineExecutionArn: arn }));
    expect(['Stopping', 'Stopped']).toContain(stopping.PipelineExecutionStatus);
    const ended = await waitForExecution(t.sagemaker, arn, 5000);
    expect(ended.PipelineExecutionStatus).toBe('Stopped');
    const steps = await stepsByName(t.sagemaker, arn);
    expect(steps['Long']!.StepStatus).toBe('Stopped');
    expect(steps['After']).toBeUndefined();
    // The same request again is harmless; stopping a finished execution is refused with a reason.
    await t.sagemaker.send(new StopPipelineExecutionCommand({ PipelineExecutionArn: arn, ClientRequestToken: token }));
    await expect(
      t.sagemaker.send(
        new StopPipelineExecutionCommand({ PipelineExecutionArn: arn, ClientRequestToken: `${token}-other` }),
      ),
    ).rejects.toMatchObject({ name: 'ValidationException', message: expect.stringContaining('is Stopped') });
  });

  it('starts at most one execution per ClientRequestToken', async () => {
    await t.sagemaker.send(
      new CreatePipelineCommand({
        PipelineName: 'idempotent',
        RoleArn: ROLE,
        PipelineDefinition: JSON.stringify(definition([sleepStep('Only', 1)])),
      }),
    );
    const token = 'same-token-0123456789abcdef0123456789';
    const [a, b] = await Promise.all([
      t.sagemaker.send(new StartPipelineExecutionCommand({ PipelineName: 'idempotent', ClientRequestToken: token })),
      t.sagemaker.send(new StartPipelineExecutionCommand({ PipelineName: 'idempotent', ClientRequestToken: token })),
    ]);
    const c = await t.sagemaker.send(
      new StartPipelineExecutionCommand({ PipelineName: 'idempotent', ClientRequestToken: token }),
    );
    expect(b.PipelineExecutionArn).toBe(a.PipelineExecutionArn);
    expect(c.PipelineExecutionArn).toBe(a.PipelineExecutionArn);
    const listed = await t.sagemaker.send(new ListPipelineExecutionsCommand({ PipelineName: 'idempotent' }));
    expect(listed.PipelineExecutionSummaries).toHaveLength(1);
  });

  it('retries a step whose runner failed, with AttemptCount, and does not retry a job that failed on its own', async () => {
    const flaky = new FlakyRunner(new SleepRunner('Processing'), 2);
    const retrying = await startTestServer({ runners: { Processing: flaky } });
    try {
      const policy = {
        ExceptionType: ['SageMaker.JOB_INTERNAL_ERROR'],
        IntervalSeconds: 1,
        BackoffRate: 1,
        MaxAttempts: 2,
      };
      const arn = await runPipeline(
        retrying.sagemaker,
        'retry',
        definition([sleepStep('Flaky', 1, { RetryPolicies: [policy] })]),
      );
      const ended = await waitForExecution(retrying.sagemaker, arn, 15_000);
      expect(ended.PipelineExecutionStatus).toBe('Succeeded');
      expect((await stepsByName(retrying.sagemaker, arn))['Flaky']!.AttemptCount).toBe(3);

      flaky.attempts = 0;
      const noPolicy = await runPipeline(retrying.sagemaker, 'no-retry', definition([sleepStep('Once', 1)]));
      await waitForExecution(retrying.sagemaker, noPolicy);
      const once = (await stepsByName(retrying.sagemaker, noPolicy))['Once']!;
      expect(once.AttemptCount).toBe(1);
      expect(once.FailureReason).toContain('simulated infrastructure failure');

      flaky.attempts = 10;
      const ownFailure = await runPipeline(
        retrying.sagemaker,
        'own-failure',
        definition([
          sleepStep('Broken', 1, { RetryPolicies: [policy] }, { FAIL: 'AlgorithmError: the script raised' }),
        ]),
      );
      const failed = await waitForExecution(retrying.sagemaker, ownFailure);
      const broken = (await stepsByName(retrying.sagemaker, ownFailure))['Broken']!;
      expect(broken.AttemptCount).toBe(1);
      expect(broken.FailureReason).toMatch(/^Processing job pipelines-.* failed: AlgorithmError: the script raised$/);
      expect(failed.FailureReason).toContain('Broken');
    } finally {
      await retrying.close();
    }
  }, 20_000);

  it('refuses a step type it cannot run at CreatePipeline, naming the step, its type and why', async () => {
    // Before the step types had one registration, such a step was accepted and only failed when it ran.
    await expect(
      runPipeline(
        t.sagemaker,
        'clarify',
        definition([{ Name: 'CheckBias', Type: 'ClarifyCheck', Arguments: {}, CheckType: 'DATA_BIAS' }]),
      ),
    ).rejects.toThrow(
      /Steps\[0\]\.Type is step "CheckBias" of type ClarifyCheck: the local server cannot run ClarifyCheck steps: it runs the SageMaker Clarify container/,
    );
    await expect(t.sagemaker.send(new DescribePipelineCommand({ PipelineName: 'clarify' }))).rejects.toThrow(
      /does not exist/,
    );

    const noTraining = await runPipeline(
      t.sagemaker,
      'no-training-runner',
      definition([
        {
          Name: 'Train',
          Type: 'Training',
          Arguments: { AlgorithmSpecification: { TrainingImage: 'x', TrainingInputMode: 'File' } },
        },
      ]),
    );
    await waitForExecution(t.sagemaker, noTraining);
    expect((await stepsByName(t.sagemaker, noTraining))['Train']!.FailureReason).toMatch(/No runner for Training jobs/);
  });

  it('reads Std:JsonGet from an S3 URI and renders execution variables', async () => {
    await t.s3.send(
      new PutObjectCommand({
        Bucket: 'bkt',
        Key: 'config/threshold.json',
        Body: JSON.stringify({ limits: [{ value: 3 }] }),
      }),
    );
    const arn = await runPipeline(
      t.sagemaker,
      'jsonget',
      definition(
        [
          {
            Name: 'Check',
            Type: 'Condition',
            Arguments: {
              Conditions: [
                {
                  Type: 'Equals',
                  LeftValue: {
                    'Std:JsonGet': {
                      S3Uri: { 'Std:Join': { On: '/', Values: ['s3://bkt', 'config', { Get: 'Parameters.File' }] } },
                      Path: 'limits[0].value',
                    },
                  },
                  RightValue: 3,
                },
              ],
              IfSteps: [
                {
                  Name: 'Report',
                  Type: 'Fail',
                  Arguments: {
                    ErrorMessage: {
                      'Std:Join': {
                        On: '|',
                        Values: [
                          { Get: 'Execution.PipelineName' },
                          { Get: 'Execution.PipelineExecutionId' },
                          { Get: 'PipelineExperimentConfig.TrialName' },
                          true,
                          1.5,
                        ],
                      },
                    },
                  },
                },
              ],
              ElseSteps: [],
            },
          },
        ],
        [{ Name: 'File', Type: 'String', DefaultValue: 'threshold.json' }],
      ),
    );
    const ended = await waitForExecution(t.sagemaker, arn);
    const id = arn.split('/').pop();
    expect(ended.FailureReason).toBe(`jsonget|${id}|${id}|true|1.5`);
  });

  it('refuses bad PipelineParameters with a ValidationException naming the parameter', async () => {
    await t.sagemaker.send(
      new CreatePipelineCommand({
        PipelineName: 'typed',
        RoleArn: ROLE,
        PipelineDefinition: JSON.stringify(
          definition(
            [sleepStep('Only', 1)],
            [
              { Name: 'Count', Type: 'Integer', DefaultValue: 1 },
              { Name: 'Rate', Type: 'Float', DefaultValue: 0.5 },
              { Name: 'Flag', Type: 'Boolean', DefaultValue: false },
              { Name: 'Mode', Type: 'String', DefaultValue: 'fast', EnumValues: ['fast', 'slow'] },
              { Name: 'Required', Type: 'String' },
            ],
          ),
        ),
      }),
    );
    const start = (parameters: Record<string, string>) =>
      t.sagemaker.send(
        new StartPipelineExecutionCommand({
          PipelineName: 'typed',
          PipelineParameters: Object.entries(parameters).map(([Name, Value]) => ({ Name, Value })),
        }),
      );
    await expect(start({ Required: 'x', Unknown: '1' })).rejects.toMatchObject({
      name: 'ValidationException',
      message: expect.stringContaining('"Unknown" is not a parameter of pipeline typed'),
    });
    await expect(start({ Required: 'x', Count: 'abc' })).rejects.toThrow(
      /Count \(Integer\) must be a whole number, got "abc"/,
    );
    await expect(start({ Required: 'x', Rate: 'fast' })).rejects.toThrow(/Rate \(Float\) must be a number/);
    await expect(start({ Required: 'x', Flag: 'yes' })).rejects.toThrow(/Flag \(Boolean\) must be true or false/);
    await expect(start({ Required: 'x', Mode: 'medium' })).rejects.toThrow(/Mode \(String\) must be one of fast, slow/);
    await expect(start({})).rejects.toThrow(/Required has no default value and was not given/);
    const listed = await t.sagemaker.send(new ListPipelineExecutionsCommand({ PipelineName: 'typed' }));
    expect(listed.PipelineExecutionSummaries).toHaveLength(0);
    const ok = await start({ Required: 'x', Flag: 'TRUE', Count: '-3' });
    await waitForExecution(t.sagemaker, ok.PipelineExecutionArn!);
  });
});
