import { beforeEach, describe, expect, it, jest } from '@jest/globals';
import type { DeployStageOptions, DeployStageResult } from '@slipway/deploy-pipeline';
import { createCoreFake } from '../../../test/support/core-fake.js';

const core = createCoreFake();
const deployStage = jest.fn<(options: DeployStageOptions) => Promise<DeployStageResult>>();
const actual = await import('@slipway/deploy-pipeline');
jest.unstable_mockModule('@actions/core', () => core.module);
jest.unstable_mockModule('@slipway/deploy-pipeline', () => ({ ...actual, deployStage }));
const { run } = await import('../src/main.js');

const ARN = 'arn:aws:sagemaker:us-east-1:123456789012:model-package/sentiment-models/4';

describe('deploy-model main', () => {
  beforeEach(() => {
    deployStage.mockReset();
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
    [{ 'model-package-arn': ARN }, 'input stage is required and was not given'],
    [{ stage: 'staging' }, 'input model-package-arn is required and was not given'],
    [{ stage: 'staging', 'model-package-arn': ARN, 'allow-downgrade': 'yes' }, 'input allow-downgrade must be'],
    [
      { stage: 'staging', 'model-package-arn': ARN, 'timeout-minutes': 'soon' },
      'input timeout-minutes must be a whole number from 1 to 360, got "soon"',
    ],
    [{ stage: 'staging', 'model-package-arn': ARN, backend: 'local' }, 'endpoint-url must be the http(s) URL'],
  ])('fails the step on bad inputs %j before any AWS call', async (inputs, message) => {
    core.reset(inputs);
    await run();
    expect(core.failures).toHaveLength(1);
    expect(core.failures[0]).toContain(message);
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
