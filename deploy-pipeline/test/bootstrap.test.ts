import { beforeAll, describe, expect, it } from '@jest/globals';
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { GetSecretValueCommand, ListSecretsCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { ValidationError } from '@slipway/core';
import {
  REPOSITORY_VARIABLES,
  bootstrapProject,
  checkGitHubToken,
  deployRoleVariable,
  repositoryVariables,
  stageOutputId,
  type CdkRunner,
} from '../src/index.js';
import { describeWithMoto, motoClientConfig } from './support/moto-server.js';
import { testProject } from './support/project.js';
import { PROJECT_STACK_OUTPUTS } from './support/project-stack-outputs.js';

const TOKEN = 'github_pat_11AAAAAAA0abcdefghijklmnopqrstuvwxyz0123456789';
const OUTPUTS = PROJECT_STACK_OUTPUTS as Record<keyof typeof PROJECT_STACK_OUTPUTS, string>;

describe('checkGitHubToken', () => {
  it.each([
    ['empty', ''],
    ['with spaces', 'ghp_abc def ghi jkl mno pqr'],
    ['too short', 'ghp_abc'],
    ['with a newline', `${TOKEN}\nx`],
  ])('refuses a token %s without echoing it', (_name, token) => {
    let error: unknown;
    try {
      checkGitHubToken(token);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as Error).message).toMatch(
      /GitHub token must be 20–255 letters, digits or underscores.*value is not shown/,
    );
    if (token.length > 3) expect((error as Error).message).not.toContain(token.slice(4, 10));
  });

  it('accepts classic and fine-grained tokens, trimming whitespace around them', () => {
    expect(checkGitHubToken(`  ${TOKEN}\n`)).toBe(TOKEN);
    expect(checkGitHubToken('ghp_0123456789abcdefghijABCDEFGHIJ012345')).toMatch(/^ghp_/);
  });
});

describe('repositoryVariables', () => {
  const project = { region: 'us-east-1', stages: ['staging', 'prod'] };

  it('maps the stack outputs to the variables the workflows read, one deploy role per stage', () => {
    expect(repositoryVariables(OUTPUTS, project)).toEqual({
      SLIPWAY_AWS_REGION: 'us-east-1',
      SLIPWAY_BUILD_ROLE_ARN: OUTPUTS.BuildRoleArn,
      SLIPWAY_STAGING_DEPLOY_ROLE_ARN: OUTPUTS.StagingDeployRoleArn,
      SLIPWAY_PROD_DEPLOY_ROLE_ARN: OUTPUTS.ProdDeployRoleArn,
      SLIPWAY_SAGEMAKER_ROLE_ARN: OUTPUTS.SageMakerExecutionRoleArn,
      SLIPWAY_TRAINING_ROLE_ARN: OUTPUTS.SageMakerTrainingRoleArn,
      SLIPWAY_ARTIFACT_BUCKET: OUTPUTS.ArtifactBucketName,
    });
    expect(Object.keys(REPOSITORY_VARIABLES)).toHaveLength(5);
    expect(deployRoleVariable('qa-eu')).toBe('SLIPWAY_QA_EU_DEPLOY_ROLE_ARN');
    expect(stageOutputId('qa-eu', 'DeployRoleArn')).toBe('QaEuDeployRoleArn');
  });

  it('fails when an output is missing', () => {
    expect(() => repositoryVariables({ ...OUTPUTS, ProdDeployRoleArn: '' }, project)).toThrow(
      /no output ProdDeployRoleArn/,
    );
  });
});

describeWithMoto('bootstrapProject (Secrets Manager on moto, CDK CLI faked, CloudFormation mocked)', (moto) => {
  let secrets: SecretsManagerClient;
  const cloudformation = new CloudFormationClient({
    region: 'us-east-1',
    credentials: { accessKeyId: 'a', secretAccessKey: 'b' },
  });
  mockClient(cloudformation)
    .on(DescribeStacksCommand)
    .resolves({
      Stacks: [
        {
          StackName: 'slipway-sentiment-project',
          CreationTime: new Date(),
          StackStatus: 'CREATE_COMPLETE',
          Outputs: Object.entries(OUTPUTS).map(([OutputKey, OutputValue]) => ({ OutputKey, OutputValue })),
        },
      ],
    });

  beforeAll(async () => {
    secrets = new SecretsManagerClient(motoClientConfig(moto()));
  });

  it('stores the token as a secret, deploys ProjectStack with only its version id, and returns the variables', async () => {
    const runs: (readonly string[])[] = [];
    const log: string[] = [];
    const runCdk: CdkRunner = async (args) => void runs.push(args);
    const project = testProject();
    const first = await bootstrapProject(
      { project, githubToken: TOKEN, log: (line) => log.push(line) },
      { secrets, cloudformation, runCdk },
    );
    const second = await bootstrapProject(
      {
        project,
        githubToken: `${TOKEN}2`,
        githubOidcProviderArn: 'arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com',
      },
      { secrets, cloudformation, runCdk },
    );

    expect(first.secretName).toBe('slipway/sentiment/github-dispatch-token');
    const stored = await secrets.send(new GetSecretValueCommand({ SecretId: first.secretName }));
    expect(JSON.parse(stored.SecretString ?? '{}')).toEqual({ authorization: `Bearer ${TOKEN}2` });
    expect((await secrets.send(new ListSecretsCommand({}))).SecretList).toHaveLength(1);

    expect(runs[0]?.slice(0, 2)).toEqual(['deploy', 'slipway-sentiment-project']);
    const versionArg = (args: readonly string[] | undefined) =>
      args?.find((arg) => arg.startsWith('githubTokenSecretVersionId='));
    expect(versionArg(runs[0])).toMatch(/^githubTokenSecretVersionId=[\w-]+$/);
    expect(versionArg(runs[1])).not.toBe(versionArg(runs[0]));
    expect(runs[1]).toContain(
      'githubOidcProviderArn=arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com',
    );
    for (const args of runs) expect(args.join(' ')).not.toContain(TOKEN.slice(12));
    expect(log.join('\n')).not.toContain(TOKEN.slice(12));

    expect(second.repositoryVariables.SLIPWAY_PROD_DEPLOY_ROLE_ARN).toBe(OUTPUTS.ProdDeployRoleArn);
    expect(second.githubSetup.map((step) => `${step.request.method} ${step.request.path}`)).toEqual([
      'PUT repos/octo-org/sentiment-reviews/actions/oidc/customization/sub',
      'PUT repos/octo-org/sentiment-reviews/environments/staging',
      'POST repos/octo-org/sentiment-reviews/environments/staging/deployment-branch-policies',
      'PUT repos/octo-org/sentiment-reviews/environments/production',
      'POST repos/octo-org/sentiment-reviews/environments/production/deployment-branch-policies',
    ]);
  });

  it('refuses a malformed token before touching AWS', async () => {
    let ran = false;
    await expect(
      bootstrapProject(
        { project: testProject(), githubToken: 'not a token' },
        { secrets, cloudformation, runCdk: async () => void (ran = true) },
      ),
    ).rejects.toThrow(ValidationError);
    expect(ran).toBe(false);
  });
});
