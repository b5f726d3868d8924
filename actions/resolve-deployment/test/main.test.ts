import { beforeEach, describe, expect, it, jest } from '@jest/globals';
import type { DeployRequest, ResolvedDeployment, ResolveDeps } from '@slipway/deploy-pipeline';
import { createCoreFake } from '../../../test/support/core-fake.js';

const core = createCoreFake();
const resolveDeployment = jest.fn<(request: DeployRequest, deps: ResolveDeps) => Promise<ResolvedDeployment>>();
const checkRollbackRequest = jest.fn<(request: { stage: string; to?: string }) => Promise<string | undefined>>();
const actual = await import('@slipway/deploy-pipeline');
jest.unstable_mockModule('@actions/core', () => core.module);
jest.unstable_mockModule('@slipway/deploy-pipeline', () => ({ ...actual, resolveDeployment, checkRollbackRequest }));
const { run } = await import('../src/main.js');

const ARN = 'arn:aws:sagemaker:us-east-1:123456789012:model-package/sentiment-models/4';

describe('resolve-deployment main', () => {
  beforeEach(() => {
    resolveDeployment.mockReset();
    checkRollbackRequest.mockReset();
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
      'rollback-stage': '',
      message: 'Version 4 is Approved',
    });
  });

  it('resolves a version named by hand without the runs list: a person may deploy an older version', async () => {
    core.reset({
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
    core.reset({ 'event-type': 'model-package-approved', 'model-package-arn': ARN, 'event-id': 'e1' });
    await run();
    expect(core.failures).toEqual([expect.stringMatching(/input github-token is empty.*actions: read/)]);
    expect(resolveDeployment).not.toHaveBeenCalled();
  });

  it('outputs the rejected and replacement versions of a rollback', async () => {
    Object.assign(process.env, GITHUB_ENV);
    core.reset({
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

  it.each([
    [{}, 'input event-type is required and was not given'],
    [
      { trigger: 'push', 'event-type': 'x' },
      'input trigger must be "repository_dispatch" or "workflow_dispatch", got "push"',
    ],
  ])('fails the step on bad inputs %j before any AWS call', async (inputs, message) => {
    core.reset(inputs);
    await run();
    expect(core.failures).toHaveLength(1);
    expect(core.failures[0]).toContain(message);
    expect(resolveDeployment).not.toHaveBeenCalled();
  });

  it("resolves a person's rollback of one stage: the version named, checked Approved, or the stage's previous", async () => {
    core.reset({
      trigger: 'workflow_dispatch',
      'event-type': 'model-package-approved',
      'rollback-stage': 'prod',
      'rollback-to': '3',
    });
    checkRollbackRequest.mockResolvedValue(ARN.replace(/4$/, '3'));
    await run();
    expect(core.failures).toEqual([]);
    expect(checkRollbackRequest.mock.calls[0]?.[0]).toMatchObject({ stage: 'prod', to: '3' });
    expect(resolveDeployment).not.toHaveBeenCalled();
    expect(core.outputs).toMatchObject({
      action: 'rollback',
      'model-package-arn': ARN.replace(/4$/, '3'),
      'replaces-model-package-arn': '',
      'rollback-stage': 'prod',
    });
    core.reset({ trigger: 'workflow_dispatch', 'event-type': 'model-package-approved', 'rollback-stage': 'staging' });
    checkRollbackRequest.mockResolvedValue(undefined);
    await run();
    expect(checkRollbackRequest.mock.calls[1]?.[0]).not.toHaveProperty('to');
    expect(core.outputs).toMatchObject({ action: 'rollback', 'model-package-arn': '', 'rollback-stage': 'staging' });
  });

  it('refuses a rollback to a version that is not Approved, with the reason', async () => {
    core.reset({
      trigger: 'workflow_dispatch',
      'event-type': 'model-package-approved',
      'rollback-stage': 'prod',
      'rollback-to': '4',
    });
    checkRollbackRequest.mockRejectedValue(
      new Error('model_package_arn is Rejected in the registry now, not Approved (version 4)'),
    );
    await run();
    expect(core.failures).toEqual(['model_package_arn is Rejected in the registry now, not Approved (version 4)']);
    expect(core.outputs).toEqual({});
  });

  it('never takes a rollback from an event', async () => {
    core.reset({ trigger: 'repository_dispatch', 'event-type': 'model-package-approved', 'rollback-stage': 'prod' });
    await run();
    expect(core.failures[0]).toContain('rollback-stage is read from workflow_dispatch runs only');
    expect(checkRollbackRequest).not.toHaveBeenCalled();
  });
});
