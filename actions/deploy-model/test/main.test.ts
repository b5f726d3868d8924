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

  const GITHUB_ENV = {
    GITHUB_REPOSITORY: 'octo-org/sentiment-reviews',
    GITHUB_WORKFLOW_REF: 'octo-org/sentiment-reviews/.github/workflows/deploy.yml@refs/heads/main',
    GITHUB_RUN_ID: '9001',
    GITHUB_RUN_NUMBER: '17',
  };

  it('resolves a dispatch payload, once per event id, and outputs the decision', async () => {
    Object.assign(process.env, GITHUB_ENV);
    core.reset({
      mode: 'resolve',
      trigger: 'repository_dispatch',
      'event-type': 'model-package-approved',
      'model-package-arn': ARN,
      'event-id': '844e2571-85d4-695f-b930-0153b71dcb42',
      'model-package-version': '4',
      'github-token': 'ghs_job_token',
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
      trigger: 'event',
      eventType: 'model-package-approved',
      modelPackageArn: ARN,
      eventId: '844e2571-85d4-695f-b930-0153b71dcb42',
      modelPackageGroup: '',
      modelPackageVersion: '4',
      approvalStatus: '',
    });
    expect(resolveDeployment.mock.calls[0]?.[1].backend).toEqual({ kind: 'aws', region: 'us-east-1' });
    // The earlier runs come from GitHub's API, with the job's token.
    expect(resolveDeployment.mock.calls[0]?.[1].deliveries).toBeDefined();
    expect(core.outputs).toEqual({
      action: 'deploy',
      'model-package-arn': ARN,
      'replaces-model-package-arn': '',
      message: 'Version 4 is Approved',
    });
  });

  it('resolves a version named by hand without the runs list: a person may deploy an older version', async () => {
    core.reset({
      mode: 'resolve',
      trigger: 'workflow_dispatch',
      'event-type': 'model-package-approved',
      'model-package-arn': ARN,
    });
    resolveDeployment.mockResolvedValue({ action: 'deploy', modelPackageArn: ARN, version: 4, message: 'by hand' });
    await run();
    expect(core.failures).toEqual([]);
    expect(resolveDeployment.mock.calls[0]?.[0]).toMatchObject({ trigger: 'manual', eventId: '' });
    expect(resolveDeployment.mock.calls[0]?.[1].deliveries).toBeUndefined();
  });

  it('fails an event it cannot de-duplicate: no token to list the earlier runs', async () => {
    Object.assign(process.env, GITHUB_ENV);
    core.reset({ mode: 'resolve', 'event-type': 'model-package-approved', 'model-package-arn': ARN, 'event-id': 'e1' });
    await run();
    expect(core.failures).toEqual([expect.stringMatching(/input github-token is empty.*actions: read/)]);
    expect(resolveDeployment).not.toHaveBeenCalled();
  });

  it('outputs the rejected and replacement versions of a rollback', async () => {
    Object.assign(process.env, GITHUB_ENV);
    core.reset({
      mode: 'resolve',
      'event-type': 'model-package-rejected',
      'model-package-arn': ARN,
      'event-id': 'e2',
      'github-token': 't',
    });
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

  it('passes a promotion its source stage, and a downgrade only when allowed', async () => {
    core.reset({ stage: 'prod', 'model-package-arn': ARN, 'promoted-from': 'staging' });
    deployStage.mockResolvedValue({ stage: 'prod', endpointName: 'sentiment-prod', changed: true, message: 'ok' });
    await run();
    expect(deployStage.mock.calls[0]?.[0]).toMatchObject({ promotedFrom: 'staging', allowDowngrade: false });
    core.reset({ stage: 'staging', 'model-package-arn': ARN, 'allow-downgrade': 'true' });
    await run();
    expect(deployStage.mock.calls[1]?.[0]).toMatchObject({ allowDowngrade: true });
    expect(deployStage.mock.calls[1]?.[0]).not.toHaveProperty('promotedFrom');
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
    [{ mode: 'resolve', trigger: 'push', 'event-type': 'x' }, 'input trigger must be "repository_dispatch" or'],
    [{ stage: 'staging', 'model-package-arn': ARN, 'allow-downgrade': 'yes' }, 'input allow-downgrade must be'],
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
