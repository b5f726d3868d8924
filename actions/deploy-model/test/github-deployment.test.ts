import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { getOctokit } from '@actions/github';
import { FakeGitHub, closedPortUrl } from '../../../test/support/fake-github.js';
import {
  GitHubDeployment,
  MODEL_DEPLOYMENT_TASK,
  endpointEnvironmentUrl,
  modelDeploymentPayload,
  type GitHubDeploymentTarget,
} from '../src/github-deployment.js';

const TOKEN = 'ghs_deployjobtoken0123456789';
const ARN = (version: number): string =>
  `arn:aws:sagemaker:eu-west-1:123456789012:model-package/sentiment-models/${version}`;

/**
 * The deploy's GitHub deployments, through @actions/github's Octokit, against a fake GitHub that checks every
 * request against GitHub's OpenAPI description (a wrong path, method or field is a violation).
 */
describe('GitHub deployments of a stage', () => {
  const github = new FakeGitHub();
  let count = 0;
  let repository: string;
  let warnings: string[];
  const client = (token = TOKEN) => getOctokit(token, { baseUrl: github.url });
  const target = (environment: string, stage: string, production: boolean): GitHubDeploymentTarget => ({
    repository,
    ref: '0123456789abcdef0123456789abcdef01234567',
    environment,
    stage,
    production,
    logUrl: `https://github.com/${repository}/actions/runs/42`,
  });
  const payload = (version: number, stage: string) =>
    modelDeploymentPayload(ARN(version), { stage, endpointName: `sentiment-${stage}`, kind: 'deploy' });
  const deployments = () => github.repositories.get(repository.toLowerCase())!.deployments;

  beforeAll(async () => {
    await github.start();
    github.tokens.add(TOKEN);
  });
  afterAll(() => github.stop());
  beforeEach(() => {
    count += 1;
    repository = `acme/reviews-${count}`;
    github.addRepository(repository);
    warnings = [];
  });

  it('records a deploy: the model in the payload, in_progress then success with the endpoint as the URL', async () => {
    const url = endpointEnvironmentUrl('sentiment-prod', { region: 'eu-west-1' });
    const deployment = await GitHubDeployment.start(
      client(),
      target('production', 'prod', true),
      payload(4, 'prod'),
      (line) => warnings.push(line),
    );
    expect(deployment).toBeDefined();
    await deployment!.succeeded(url, 'prod now serves version 4');
    expect(github.violations).toEqual([]);
    expect(warnings).toEqual([]);
    const [recorded] = deployments();
    expect(recorded).toMatchObject({
      task: MODEL_DEPLOYMENT_TASK,
      environment: 'production',
      production_environment: true,
      payload: {
        model_package_arn: ARN(4),
        model_package_group: 'sentiment-models',
        model_package_version: 4,
        stage: 'prod',
        endpoint_name: 'sentiment-prod',
      },
    });
    expect(recorded?.statuses.map((status) => status.state)).toEqual(['in_progress', 'success']);
    expect(recorded?.statuses[1]).toMatchObject({
      environment_url:
        'https://eu-west-1.console.aws.amazon.com/sagemaker/home?region=eu-west-1#/endpoints/sentiment-prod',
      log_url: `https://github.com/${repository}/actions/runs/42`,
    });
  });

  it('marks the deployment it replaced inactive, in production too (where GitHub does not)', async () => {
    for (const version of [3, 4]) {
      const deployment = await GitHubDeployment.start(
        client(),
        target('production', 'prod', true),
        payload(version, 'prod'),
        (line) => warnings.push(line),
      );
      await deployment!.succeeded(endpointEnvironmentUrl('sentiment-prod', { region: 'eu-west-1' }), 'ok');
    }
    // Another environment's live deployment is left alone.
    const staging = await GitHubDeployment.start(
      client(),
      target('staging', 'staging', false),
      payload(4, 'staging'),
      (line) => warnings.push(line),
    );
    await staging!.succeeded('http://127.0.0.1:4566/endpoints/sentiment-staging/invocations', 'ok');
    expect(github.violations).toEqual([]);
    expect(
      deployments().map((deployment) => [
        deployment.environment,
        (deployment.payload as { model_package_version: number }).model_package_version,
        deployment.statuses.at(-1)?.state,
      ]),
    ).toEqual([
      ['production', 3, 'inactive'],
      ['production', 4, 'success'],
      ['staging', 4, 'success'],
    ]);
    expect(deployments()[0]?.statuses.at(-1)?.description).toBe(`Replaced by deployment ${deployments()[1]?.id}`);
  });

  it('records a failed deploy as failure, and leaves the live one live', async () => {
    const live = await GitHubDeployment.start(
      client(),
      target('staging', 'staging', false),
      payload(3, 'staging'),
      (line) => warnings.push(line),
    );
    await live!.succeeded('http://127.0.0.1:4566/endpoints/sentiment-staging/invocations', 'ok');
    const failing = await GitHubDeployment.start(
      client(),
      target('staging', 'staging', false),
      payload(4, 'staging'),
      (line) => warnings.push(line),
    );
    await failing!.failed('model_package_arn is PendingManualApproval in the registry now');
    expect(github.violations).toEqual([]);
    expect(deployments().map((deployment) => deployment.statuses.map((status) => status.state))).toEqual([
      ['in_progress', 'success'],
      ['in_progress', 'failure'],
    ]);
  });

  it('warns, saying why, and records nothing when GitHub refuses the token or cannot be reached', async () => {
    const refused = await GitHubDeployment.start(
      client('ghs_not_accepted'),
      target('staging', 'staging', false),
      payload(4, 'staging'),
      (line) => warnings.push(line),
    );
    expect(refused).toBeUndefined();
    expect(warnings[0]).toMatch(/not recorded in GitHub's deployments: GitHub answered 401 .*The deploy goes on/);
    const unreachable = await GitHubDeployment.start(
      getOctokit(TOKEN, { baseUrl: await closedPortUrl() }),
      target('staging', 'staging', false),
      payload(4, 'staging'),
      (line) => warnings.push(line),
    );
    expect(unreachable).toBeUndefined();
    expect(warnings[1]).toMatch(/GitHub could not be reached/);
    const misnamed = await GitHubDeployment.start(
      client(),
      { ...target('staging', 'staging', false), repository: 'reviews' },
      payload(4, 'staging'),
      (line) => warnings.push(line),
    );
    expect(misnamed).toBeUndefined();
    expect(warnings[2]).toMatch(/GITHUB_REPOSITORY must be OWNER\/REPO, got "reviews"\. The deploy goes on/);
    expect(deployments()).toEqual([]);
  });

  it("is checked against GitHub's OpenAPI description: a state GitHub does not have is a violation", async () => {
    const deployment = await GitHubDeployment.start(
      client(),
      target('staging', 'staging', false),
      payload(4, 'staging'),
      (line) => warnings.push(line),
    );
    const { owner, repo } = { owner: repository.split('/')[0]!, repo: repository.split('/')[1]! };
    const wrong = { owner, repo, deployment_id: deployment!.id, state: 'live' } as unknown as Parameters<
      ReturnType<typeof client>['rest']['repos']['createDeploymentStatus']
    >[0];
    await expect(client().rest.repos.createDeploymentStatus(wrong)).rejects.toMatchObject({ status: 422 });
    expect(github.violations.splice(0)).toEqual([
      expect.stringMatching(/deployments\/\d+\/statuses: the body does not match repos\/create-deployment-status/),
    ]);
  });

  it('names the local server as the environment URL locally', () => {
    expect(
      endpointEnvironmentUrl('sentiment-staging', { region: 'us-east-1', localUrl: 'http://127.0.0.1:4566/' }),
    ).toBe('http://127.0.0.1:4566/endpoints/sentiment-staging/invocations');
  });
});
