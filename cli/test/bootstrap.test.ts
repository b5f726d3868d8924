import { beforeEach, describe, expect, it, jest } from '@jest/globals';
import type {
  BootstrapOptions,
  BootstrapResult,
  PublishProjectsTemplateOptions,
  PublishProjectsTemplateResult,
} from '@slipway/deploy-pipeline';
import { REPO_ROOT } from '../../deploy-pipeline/test/support/moto-server.js';
import { EXIT_CODES } from '../src/failure.js';

const TOKEN = 'github_pat_11AAAAAAA0abcdefghijklmnopqrstuvwxyz0123456789';
const bootstrapProject = jest.fn<(options: BootstrapOptions) => Promise<BootstrapResult>>();
const actual = await import('@slipway/deploy-pipeline');
const publishProjectsTemplate =
  jest.fn<(options: PublishProjectsTemplateOptions) => Promise<PublishProjectsTemplateResult>>();
jest.unstable_mockModule('@slipway/deploy-pipeline', () => ({ ...actual, bootstrapProject, publishProjectsTemplate }));
const { runCli } = await import('./support.js');

describe('slipway bootstrap', () => {
  beforeEach(() => {
    bootstrapProject.mockReset();
    bootstrapProject.mockResolvedValue({
      stackName: 'slipway-sentiment-project',
      secretName: 'slipway/sentiment/github-dispatch-token',
      outputs: { ProdDeployRoleArn: 'arn:aws:iam::123456789012:role/slipway-sentiment-github-deploy-prod' },
      repositoryVariables: {
        SLIPWAY_AWS_REGION: 'us-east-1',
        SLIPWAY_BUILD_ROLE_ARN: 'arn:aws:iam::123456789012:role/slipway-sentiment-github-build',
        SLIPWAY_STAGING_DEPLOY_ROLE_ARN: 'arn:aws:iam::123456789012:role/slipway-sentiment-github-deploy-staging',
        SLIPWAY_PROD_DEPLOY_ROLE_ARN: 'arn:aws:iam::123456789012:role/slipway-sentiment-github-deploy-prod',
        SLIPWAY_SAGEMAKER_ROLE_ARN: 'arn:aws:iam::123456789012:role/slipway-sentiment-sagemaker-execution',
        SLIPWAY_ARTIFACT_BUCKET: 'slipway-sentiment-p-4998j71vgs5g',
      },
      githubSetup: actual.githubSetupSteps({
        stages: ['staging', 'prod'],
        githubRepository: 'octo-org/sentiment-reviews',
      }),
    });
  });

  it('takes the token from SLIPWAY_GITHUB_TOKEN, never prints it, and prints the variables to set', async () => {
    const result = await runCli(
      [
        'bootstrap',
        '--github-oidc-provider-arn',
        'arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com',
      ],
      {
        cwd: REPO_ROOT,
        env: { SLIPWAY_GITHUB_TOKEN: TOKEN },
      },
    );
    expect(result.code).toBe(0);
    expect(bootstrapProject.mock.calls[0]?.[0]).toMatchObject({
      githubToken: TOKEN,
      defaultBranch: 'main',
      githubOidcProviderArn: expect.stringContaining('oidc-provider'),
    });
    expect(result.stdout).toMatch(
      /gh variable set SLIPWAY_PROD_DEPLOY_ROLE_ARN --repo \S+ --body 'arn:aws:iam::123456789012:role\/slipway-sentiment-github-deploy-prod'/,
    );
    // The exact GitHub calls, in order: the OIDC subject template, then each environment and its branch policy.
    const calls = [...result.stdout.matchAll(/gh api --method (\w+) (\S+)/g)].map((match) => `${match[1]} ${match[2]}`);
    expect(calls).toEqual([
      'PUT repos/octo-org/sentiment-reviews/actions/oidc/customization/sub',
      'PUT repos/octo-org/sentiment-reviews/environments/staging',
      'POST repos/octo-org/sentiment-reviews/environments/staging/deployment-branch-policies',
      'PUT repos/octo-org/sentiment-reviews/environments/production',
      'POST repos/octo-org/sentiment-reviews/environments/production/deployment-branch-policies',
    ]);
    expect(result.stdout).toContain('{"use_default":false,"include_claim_keys":["repo","context","job_workflow_ref"]}');
    expect(result.stdout).toMatch(/"production" environment: main only, with required reviewers/);
    expect(result.stdout).toContain('"reviewers":[{"type":"User","id":"REVIEWER_USER_ID"}]');
    expect(result.stdout).toContain('{"name":"main","type":"branch"}');
    expect(result.stdout + result.stderr).not.toContain(TOKEN.slice(12));
  });

  it('--projects-template publishes the template for the Studio roles instead of deploying the project stack', async () => {
    publishProjectsTemplate.mockReset();
    publishProjectsTemplate.mockResolvedValue({
      portfolioStackName: 'slipway-sentiment-portfolio',
      bucket: 'slipway-templates-p-4998j71vgs5g',
      templateKey: 'project-templates/sentiment-0123456789abcdef.template.json',
      templateUrl:
        'https://slipway-templates-p-4998j71vgs5g.s3.us-east-1.amazonaws.com/project-templates/sentiment-0123456789abcdef.template.json',
      uploaded: true,
      secretName: 'slipway/sentiment/github-dispatch-token',
    });
    const studio = 'arn:aws:iam::123456789012:role/service-role/AmazonSageMaker-ExecutionRole-1';
    const result = await runCli(
      ['bootstrap', '--projects-template', '--studio-role-arn', `${studio}, arn:aws:iam::123456789012:role/two`],
      { cwd: REPO_ROOT, env: { SLIPWAY_GITHUB_TOKEN: TOKEN } },
    );
    expect(result.code).toBe(0);
    expect(bootstrapProject).not.toHaveBeenCalled();
    expect(publishProjectsTemplate.mock.calls[0]?.[0]).toMatchObject({
      githubToken: TOKEN,
      studioRoleArns: [studio, 'arn:aws:iam::123456789012:role/two'],
    });
    expect(result.stdout).toMatch(/Published the project template: https:\/\/slipway-templates-p-4998j71vgs5g\.s3/);
    expect(result.stdout).toMatch(/Organization templates → "Slipway sentiment"/);
    expect(result.stdout).toContain('"sagemakerProject"');
    expect(result.stdout + result.stderr).not.toContain(TOKEN.slice(12));

    const missing = await runCli(['bootstrap', '--projects-template'], {
      cwd: REPO_ROOT,
      env: { SLIPWAY_GITHUB_TOKEN: TOKEN },
    });
    expect(missing.code).toBe(EXIT_CODES.failure);
    expect(missing.stderr).toMatch(/--studio-role-arn is missing.*Execution role/);
  });

  it('prints the result as JSON without the token', async () => {
    const result = await runCli(['bootstrap', '--json'], { cwd: REPO_ROOT, env: { SLIPWAY_GITHUB_TOKEN: TOKEN } });
    expect(JSON.parse(result.stdout)).toMatchObject({ repositoryVariables: { SLIPWAY_AWS_REGION: 'us-east-1' } });
    expect(result.stdout).not.toContain(TOKEN.slice(12));
  });

  it('fails clearly without a token and without a terminal to ask on', async () => {
    const result = await runCli(['bootstrap'], { cwd: REPO_ROOT, env: {} });
    expect(result.code).toBe(EXIT_CODES.failure);
    expect(result.stderr).toMatch(/SLIPWAY_GITHUB_TOKEN is not set, and there is no terminal to ask on/);
    expect(bootstrapProject).not.toHaveBeenCalled();
  });

  it('refuses a malformed token without echoing it', async () => {
    const result = await runCli(['bootstrap'], {
      cwd: REPO_ROOT,
      env: { SLIPWAY_GITHUB_TOKEN: 'hunter2 secret value' },
    });
    expect(result.code).toBe(EXIT_CODES.failure);
    expect(result.stderr).toMatch(/GitHub token must be 20–255 letters/);
    expect(result.stderr).not.toContain('hunter2');
    expect(bootstrapProject).not.toHaveBeenCalled();
  });
});
