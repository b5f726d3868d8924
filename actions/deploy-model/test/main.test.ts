import { beforeEach, describe, expect, it, jest } from '@jest/globals';
import type {
  DeployRequest,
  DeployStageOptions,
  DeployStageResult,
  ResolvedDeployment,
  ResolveDeps,
} from '@slipway/deploy-pipeline';
import { createCoreFake } from '../../../test/support/core-fake.js';

const core = createCoreFake();
const resolveDeployment = jest.fn<(request: DeployRequest, deps: ResolveDeps) => Promise<ResolvedDeployment>>();
const deployStage = jest.fn<(options: DeployStageOptions) => Promise<DeployStageResult>>();
const actual = await import('@slipway/deploy-pipeline');
jest.unstable_mockModule('@actions/core', () => core.module);
jest.unstable_mockModule('@slipway/deploy-pipeline', () => ({ ...actual, resolveDeployment, deployStage }));
const { run } = await import('../src/main.js');

const ARN = 'arn:aws:sagemaker:us-east-1:123456789012:model-package/sentiment-models/4';

describe('deploy-model main', () => {
  beforeEach(() => {
    resolveDeployment.mockReset();
    deployStage.mockReset();
  });

  it('resolves a dispatch payload and outputs the decision', async () => {
    core.reset({
      mode: 'resolve',
      'event-type': 'model-package-approved',
      'model-package-arn': ARN,
      'model-package-version': '4',
    });
    resolveDeployment.mockResolvedValue({
      action: 'deploy',
      modelPackageArn: ARN,
      version: 4,
      message: 'Version 4 is Approved',
    });
    await run();
    expect(core.failures).toEqual([]);
    expect(resolveDeployment.mock.calls[0]?.[0]).toEqual({
      eventType: 'model-package-approved',
      modelPackageArn: ARN,
      modelPackageGroup: '',
      modelPackageVersion: '4',
      approvalStatus: '',
    });
    expect(resolveDeployment.mock.calls[0]?.[1].backend).toEqual({ kind: 'aws', region: 'us-east-1' });
    expect(core.outputs).toEqual({
      action: 'deploy',
      'model-package-arn': ARN,
      'replaces-model-package-arn': '',
      message: 'Version 4 is Approved',
    });
  });

  it('outputs the rejected and replacement versions of a rollback', async () => {
    core.reset({ mode: 'resolve', 'event-type': 'model-package-rejected', 'model-package-arn': ARN });
    resolveDeployment.mockResolvedValue({
      action: 'rollback',
      rejectedModelPackageArn: ARN,
      modelPackageArn: ARN.replace(/4$/, '3'),
      message: 'roll back',
    });
    await run();
    expect(core.outputs).toMatchObject({
      action: 'rollback',
      'model-package-arn': ARN.replace(/4$/, '3'),
      'replaces-model-package-arn': ARN,
    });
  });

  it('deploys one stage and outputs the endpoint, the live version and whether it changed', async () => {
    core.reset({
      stage: 'staging',
      'model-package-arn': ARN,
      backend: 'local',
      'endpoint-url': 'http://127.0.0.1:4566',
      'timeout-minutes': '5',
    });
    deployStage.mockResolvedValue({
      stage: 'staging',
      endpointName: 'sentiment-staging',
      endpointArn: 'arn:aws:sagemaker:us-east-1:123456789012:endpoint/sentiment-staging',
      modelPackageArn: ARN,
      changed: false,
      message: 'already serves it',
    });
    await run();
    expect(core.failures).toEqual([]);
    expect(deployStage.mock.calls[0]?.[0]).toMatchObject({
      stage: 'staging',
      modelPackageArn: ARN,
      backend: { kind: 'local', region: 'us-east-1', endpoint: 'http://127.0.0.1:4566' },
      timeoutSeconds: 300,
    });
    expect(core.outputs).toEqual({
      'endpoint-name': 'sentiment-staging',
      'endpoint-arn': 'arn:aws:sagemaker:us-east-1:123456789012:endpoint/sentiment-staging',
      'model-package-arn': ARN,
      changed: 'false',
    });
    expect(core.summaryText()).toMatch(
      /Deploy to staging[\s\S]*sentiment-staging \| .*sentiment-models\/4 \| no \(already live\)/,
    );
  });

  it('passes a rollback to the stage with the version it replaces', async () => {
    core.reset({ stage: 'prod', 'replaces-model-package-arn': ARN });
    deployStage.mockResolvedValue({
      stage: 'prod',
      endpointName: 'sentiment-prod',
      changed: false,
      message: 'not live',
    });
    await run();
    expect(deployStage.mock.calls[0]?.[0]).toMatchObject({ stage: 'prod', replaces: ARN });
    expect(deployStage.mock.calls[0]?.[0]).not.toHaveProperty('modelPackageArn');
  });

  it.each([
    [{ mode: 'resolve' }, 'input event-type is required when mode is resolve'],
    [{ 'model-package-arn': ARN }, 'input stage is required when mode is deploy'],
    [{ stage: 'staging' }, 'input model-package-arn is required when mode is deploy'],
    [{ mode: 'yolo' }, 'input mode must be "resolve" or "deploy", got "yolo"'],
    [
      { stage: 'staging', 'model-package-arn': ARN, 'timeout-minutes': 'soon' },
      'input timeout-minutes must be a whole number of minutes',
    ],
    [{ stage: 'staging', 'model-package-arn': ARN, backend: 'local' }, 'endpoint-url must be the http(s) URL'],
  ])('fails the step on bad inputs %j before any AWS call', async (inputs, message) => {
    core.reset(inputs);
    await run();
    expect(core.failures).toHaveLength(1);
    expect(core.failures[0]).toContain(message);
    expect(resolveDeployment).not.toHaveBeenCalled();
    expect(deployStage).not.toHaveBeenCalled();
  });

  it("fails the step with the logic's message when deploying fails", async () => {
    core.reset({ stage: 'staging', 'model-package-arn': ARN });
    deployStage.mockRejectedValue(new Error('model_package_arn is PendingManualApproval in the registry now'));
    await run();
    expect(core.failures).toEqual(['model_package_arn is PendingManualApproval in the registry now']);
    expect(core.outputs).toEqual({});
  });
});
