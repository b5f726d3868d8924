import { afterAll, beforeAll, beforeEach, describe, expect, it, jest } from '@jest/globals';
import type { DeployStageOptions, DeployStageResult, RollbackTarget } from '@slipway/deploy-pipeline';
import { createCoreFake } from '../../../test/support/core-fake.js';
import { FakeGitHub, closedPortUrl } from '../../../test/support/fake-github.js';

const core = createCoreFake();
const deployStage = jest.fn<(options: DeployStageOptions) => Promise<DeployStageResult>>();
const rollbackTarget = jest.fn<(options: { stage: string; to?: string }) => Promise<RollbackTarget>>();
const actual = await import('@slipway/deploy-pipeline');
jest.unstable_mockModule('@actions/core', () => core.module);
jest.unstable_mockModule('@slipway/deploy-pipeline', () => ({ ...actual, deployStage, rollbackTarget }));
const { run } = await import('../src/main.js');

const ARN = 'arn:aws:sagemaker:us-east-1:123456789012:model-package/sentiment-models/4';

describe('deploy-model main', () => {
  beforeEach(() => {
    deployStage.mockReset();
    rollbackTarget.mockReset();
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

  it("rolls a stage back on purpose: the CLI's rollback target, deployed as a rollback", async () => {
    const previous = ARN.replace(/4$/, '3');
    core.reset({ stage: 'prod', rollback: 'true' });
    rollbackTarget.mockResolvedValue({ modelPackageArn: previous, from: ARN });
    deployStage.mockResolvedValue({
      stage: 'prod',
      endpointName: 'sentiment-prod',
      modelPackageArn: previous,
      changed: true,
      message: 'prod now serves 3',
    });
    await run();
    expect(core.failures).toEqual([]);
    expect(rollbackTarget.mock.calls[0]?.[0]).toMatchObject({ stage: 'prod' });
    expect(rollbackTarget.mock.calls[0]?.[0]).not.toHaveProperty('to');
    expect(deployStage.mock.calls[0]?.[0]).toMatchObject({
      stage: 'prod',
      modelPackageArn: previous,
      rollback: true,
      allowDowngrade: true,
    });
    core.reset({ stage: 'prod', rollback: 'true', 'model-package-arn': previous });
    await run();
    expect(rollbackTarget.mock.calls[1]?.[0]).toMatchObject({ stage: 'prod', to: previous });
  });

  it('refuses a rollback to a version that is not Approved, with the reason, deploying nothing', async () => {
    core.reset({ stage: 'prod', rollback: 'true', 'model-package-arn': ARN });
    rollbackTarget.mockRejectedValue(
      new Error('model_package_arn is Rejected in the registry now, not Approved (version 4)'),
    );
    await run();
    expect(core.failures).toEqual(['model_package_arn is Rejected in the registry now, not Approved (version 4)']);
    expect(deployStage).not.toHaveBeenCalled();
  });
});

describe('deploy-model main, recording the deploy in GitHub', () => {
  const github = new FakeGitHub();
  const TOKEN = 'ghs_deployjobtoken0123456789';
  const saved = { ...process.env };

  beforeAll(async () => {
    await github.start();
    github.tokens.add(TOKEN);
    github.addRepository('acme/reviews');
  });
  afterAll(async () => {
    process.env = saved;
    await github.stop();
  });
  beforeEach(() => {
    deployStage.mockReset();
    process.env = {
      ...saved,
      GITHUB_API_URL: github.url,
      GITHUB_REPOSITORY: 'acme/reviews',
      GITHUB_SHA: '0123456789abcdef0123456789abcdef01234567',
      GITHUB_RUN_ID: '42',
    };
  });

  it("records a deploy as the stage environment's deployment: in_progress, then success", async () => {
    core.reset({ stage: 'prod', 'model-package-arn': ARN, 'github-token': TOKEN });
    deployStage.mockResolvedValue({
      stage: 'prod',
      endpointName: 'sentiment-prod',
      modelPackageArn: ARN,
      changed: true,
      message: 'prod now serves version 4',
    });
    await run();
    expect(core.failures).toEqual([]);
    expect(github.violations).toEqual([]);
    const [deployment] = github.repositories.get('acme/reviews')!.deployments;
    expect(deployment).toMatchObject({
      environment: 'production',
      production_environment: true,
      payload: { model_package_arn: ARN, model_package_version: 4, kind: 'deploy' },
    });
    expect(deployment?.statuses.map((status) => [status.state, status.environment_url])).toEqual([
      ['in_progress', ''],
      ['success', 'https://us-east-1.console.aws.amazon.com/sagemaker/home?region=us-east-1#/endpoints/sentiment-prod'],
    ]);
  });

  it('records a failed deploy as failure, and still fails the step', async () => {
    core.reset({ stage: 'staging', 'model-package-arn': ARN, 'github-token': TOKEN });
    deployStage.mockRejectedValue(new Error('the endpoint did not become InService'));
    await run();
    expect(core.failures).toEqual(['the endpoint did not become InService']);
    const last = github.repositories.get('acme/reviews')!.deployments.at(-1);
    expect([last?.environment, last?.statuses.map((status) => status.state)]).toEqual([
      'staging',
      ['in_progress', 'failure'],
    ]);
  });

  it('does not fail a deploy that succeeded when GitHub cannot be reached: it warns and says why', async () => {
    process.env.GITHUB_API_URL = await closedPortUrl();
    core.reset({ stage: 'staging', 'model-package-arn': ARN, 'github-token': TOKEN });
    deployStage.mockResolvedValue({
      stage: 'staging',
      endpointName: 'sentiment-staging',
      modelPackageArn: ARN,
      changed: true,
      message: 'staging now serves version 4',
    });
    await run();
    expect(core.failures).toEqual([]);
    expect(core.outputs.changed).toBe('true');
    expect(core.warnings).toEqual([
      expect.stringMatching(/not recorded in GitHub's deployments: GitHub could not be reached/),
    ]);
  });

  it("records a rejection's rollback only in the stages it changed", async () => {
    const replacement = ARN.replace(/4$/, '3');
    const before = github.repositories.get('acme/reviews')!.deployments.length;
    core.reset({
      stage: 'prod',
      'replaces-model-package-arn': ARN,
      'model-package-arn': replacement,
      'github-token': TOKEN,
    });
    deployStage.mockResolvedValue({
      stage: 'prod',
      endpointName: 'sentiment-prod',
      modelPackageArn: ARN.replace(/4$/, '2'),
      changed: false,
      message: 'The rejected version is not live in prod; nothing to roll back',
    });
    await run();
    expect(github.repositories.get('acme/reviews')!.deployments.length).toBe(before);
    core.reset({
      stage: 'staging',
      'replaces-model-package-arn': ARN,
      'model-package-arn': replacement,
      'github-token': TOKEN,
    });
    deployStage.mockResolvedValue({
      stage: 'staging',
      endpointName: 'sentiment-staging',
      modelPackageArn: replacement,
      changed: true,
      message: 'staging now serves version 3',
    });
    await run();
    expect(core.failures).toEqual([]);
    expect(github.violations).toEqual([]);
    const last = github.repositories.get('acme/reviews')!.deployments.at(-1);
    expect([
      last?.environment,
      (last?.payload as { kind: string }).kind,
      last?.statuses.map((status) => status.state),
    ]).toEqual(['staging', 'rollback', ['in_progress', 'success']]);
  });

  it('records nothing, and says so, without a token', async () => {
    const before = github.requests.length;
    core.reset({ stage: 'staging', 'model-package-arn': ARN });
    deployStage.mockResolvedValue({
      stage: 'staging',
      endpointName: 'sentiment-staging',
      changed: false,
      message: 'ok',
    });
    await run();
    expect(core.failures).toEqual([]);
    expect(github.requests.length).toBe(before);
    expect(core.infos).toContain(
      'The deploy is not recorded in GitHub: it needs github-token, GITHUB_REPOSITORY and GITHUB_SHA',
    );
  });
});
