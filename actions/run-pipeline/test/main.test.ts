import { beforeEach, describe, expect, it, jest } from '@jest/globals';
import { join } from 'node:path';
import {
  CreatePipelineCommand,
  DescribeModelPackageCommand,
  DescribeModelPackageGroupCommand,
  DescribePipelineExecutionCommand,
  ListPipelineExecutionStepsCommand,
  SageMakerClient,
  StartPipelineExecutionCommand,
} from '@aws-sdk/client-sagemaker';
import { HeadObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { EXECUTION_ARN, PACKAGE_ARN, PIPELINE_ARN, compiledGolden } from '../../../build-pipeline/test/run/support.js';

/** Typed fakes of the parts of @actions/core the action uses, installed before main is imported. */
const inputs = new Map<string, string>();
const outputs = new Map<string, string>();
const summaries: string[] = [];
const core = {
  getInput: jest.fn((name: string) => inputs.get(name) ?? ''),
  setOutput: jest.fn((name: string, value: string) => void outputs.set(name, value)),
  setFailed: jest.fn<(message: string) => void>(),
  info: jest.fn<(message: string) => void>(),
  debug: jest.fn<(message: string) => void>(),
  summary: {
    addRaw(text: string) {
      summaries.push(text);
      return this;
    },
    write: async () => undefined,
  },
};
jest.unstable_mockModule('@actions/core', () => core);
const { run } = await import('../src/main.js');

const REPO = join(import.meta.dirname, '..', '..', '..');
const credentials = { accessKeyId: 'x', secretAccessKey: 'x' };
const sagemakerMock = mockClient(SageMakerClient);
const s3Mock = mockClient(S3Client);
const sagemaker = new SageMakerClient({ region: 'us-east-1', credentials });
const s3 = new S3Client({ region: 'us-east-1', credentials });
const env = {
  GITHUB_STEP_SUMMARY: '/dev/null',
  GITHUB_SHA: 'c0ffee',
  GITHUB_REPOSITORY: 'acme/sentiment',
  GITHUB_RUN_ID: '42',
  GITHUB_RUN_ATTEMPT: '1',
};
const compile = jest.fn(async () => compiledGolden());

function finishedExecution(status: 'Succeeded' | 'Failed', steps: object[], reason?: string) {
  s3Mock.on(HeadObjectCommand).resolves({ ContentLength: 9 });
  sagemakerMock.on(DescribeModelPackageGroupCommand).resolves({});
  sagemakerMock.on(CreatePipelineCommand).resolves({ PipelineArn: PIPELINE_ARN });
  sagemakerMock.on(StartPipelineExecutionCommand).resolves({ PipelineExecutionArn: EXECUTION_ARN });
  sagemakerMock.on(ListPipelineExecutionStepsCommand).resolves({ PipelineExecutionSteps: steps });
  sagemakerMock
    .on(DescribePipelineExecutionCommand)
    .resolves({ PipelineExecutionStatus: status, ...(reason ? { FailureReason: reason } : {}) });
  sagemakerMock.on(DescribeModelPackageCommand).resolves({ ModelApprovalStatus: 'PendingManualApproval' });
}

beforeEach(() => {
  inputs.clear();
  outputs.clear();
  summaries.length = 0;
  jest.clearAllMocks();
  sagemakerMock.reset();
  s3Mock.reset();
});

describe('run-pipeline action', () => {
  it('sets the outputs and writes the job summary for a registered model', async () => {
    inputs.set('role', 'arn:aws:iam::123456789012:role/exec').set('parameters', 'MaxFeatures=3000');
    finishedExecution('Succeeded', [
      { StepName: 'RegisterModel', StepStatus: 'Succeeded', Metadata: { RegisterModel: { Arn: PACKAGE_ARN } } },
    ]);
    await run({ cwd: REPO, env, compile, sagemaker, s3 });
    expect(core.setFailed).not.toHaveBeenCalled();
    expect(Object.fromEntries(outputs)).toEqual({
      'pipeline-arn': PIPELINE_ARN,
      'execution-arn': EXECUTION_ARN,
      status: 'Succeeded',
      'model-package-arn': PACKAGE_ARN,
    });
    expect(summaries).toHaveLength(1);
    expect(summaries[0]).toContain('```mermaid');
    expect(summaries[0]).toContain(`npx slipway registry approve ${PACKAGE_ARN}`);
    expect(core.info).toHaveBeenCalledWith(
      `Started ${EXECUTION_ARN} with SourceRevision=c0ffee, SourceRepository=acme/sentiment, SourceRunUrl=https://github.com/acme/sentiment/actions/runs/42, MaxFeatures=3000, SourcePipelineVersion=1`,
    );
    expect(compile).toHaveBeenCalledTimes(1);
  });

  it("fails the step with the pipeline's failure reason, after setting the outputs and the summary", async () => {
    inputs.set('role', 'arn:aws:iam::123456789012:role/exec');
    finishedExecution(
      'Failed',
      [
        {
          StepName: 'AccuracyTooLow',
          StepStatus: 'Failed',
          FailureReason: 'Model accuracy 0.6 is below the minimum 0.7 - not registered.',
        },
      ],
      'Step failure: One or multiple steps failed.',
    );
    await run({ cwd: REPO, env, compile, sagemaker, s3 });
    expect(outputs.get('status')).toBe('Failed');
    expect(outputs.get('model-package-arn')).toBe('');
    expect(core.setFailed).toHaveBeenCalledWith(
      `Pipeline execution ${EXECUTION_ARN} Failed: Step failure: One or multiple steps failed.\n  - AccuracyTooLow: Model accuracy 0.6 is below the minimum 0.7 - not registered.`,
    );
    expect(summaries[0]).toContain('❌ Failed');
  });

  it('fails on a missing role before compiling or calling AWS, naming the input', async () => {
    await run({ cwd: REPO, env, compile, sagemaker, s3 });
    expect(core.setFailed).toHaveBeenCalledWith(expect.stringMatching(/^input role is required and was not given: /));
    expect(compile).not.toHaveBeenCalled();
    expect(sagemakerMock.calls()).toHaveLength(0);
    expect(s3Mock.calls()).toHaveLength(0);
  });

  it('fails on a malformed parameter line before any AWS call, naming the input', async () => {
    inputs.set('role', 'arn:aws:iam::123456789012:role/exec').set('parameters', 'MinAccuracy: 0.9');
    await run({ cwd: REPO, env, compile, sagemaker, s3 });
    expect(core.setFailed).toHaveBeenCalledWith(expect.stringMatching(/^parameters: line 1 must be NAME=VALUE/));
    expect(sagemakerMock.calls()).toHaveLength(0);
    expect(s3Mock.calls()).toHaveLength(0);
    expect(outputs.size).toBe(0);
  });
});
