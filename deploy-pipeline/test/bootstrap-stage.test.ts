import { describe, expect, it } from '@jest/globals';
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { bootstrapStage, repositoryVariables, type CdkRunner } from '../src/index.js';
import { testProject } from './support/project.js';

const PROD = '222222222222';
const project = testProject({ buildAccount: '111111111111', stageAccounts: { prod: { account: PROD } } });
const ROLE = `arn:aws:iam::${PROD}:role/slipway-sentiment-github-deploy-prod`;

function clients(account: string) {
  const sts = mockClient(STSClient);
  sts.on(GetCallerIdentityCommand).resolves({ Account: account });
  const cloudformation = mockClient(CloudFormationClient);
  cloudformation.on(DescribeStacksCommand).resolves({
    Stacks: [
      {
        StackName: 'slipway-sentiment-stage-prod',
        StackStatus: 'CREATE_COMPLETE',
        CreationTime: new Date(),
        Outputs: [{ OutputKey: 'ProdDeployRoleArn', OutputValue: ROLE }],
      },
    ],
  });
  const calls: string[][] = [];
  const runCdk: CdkRunner = async (args) => {
    calls.push([...args]);
  };
  return { sts: new STSClient({}), cloudformation: new CloudFormationClient({}), runCdk, calls };
}

describe('slipway bootstrap --stage', () => {
  it("deploys the stage's own stack with that account's credentials and returns its deploy role variable", async () => {
    const deps = clients(PROD);
    const result = await bootstrapStage({ project, stage: 'prod', defaultBranch: 'trunk' }, deps);
    expect(deps.calls).toEqual([
      [
        'deploy',
        'slipway-sentiment-stage-prod',
        '--exclusively',
        '--require-approval',
        'never',
        '--no-notices',
        '--progress',
        'events',
        '--context',
        'stageAccount=prod',
        '--context',
        'defaultBranch=trunk',
      ],
    ]);
    expect(result).toMatchObject({
      stackName: 'slipway-sentiment-stage-prod',
      account: PROD,
      repositoryVariables: { SLIPWAY_PROD_DEPLOY_ROLE_ARN: ROLE },
    });
  });

  it("refuses another account's credentials before deploying anything", async () => {
    const deps = clients('111111111111');
    await expect(bootstrapStage({ project, stage: 'prod' }, deps)).rejects.toThrow(
      /AWS credentials are for account 111111111111, not prod's account 222222222222: use credentials of account 222222222222/,
    );
    expect(deps.calls).toEqual([]);
  });

  it('refuses a stage without an account of its own, naming the setting', async () => {
    const deps = clients(PROD);
    await expect(bootstrapStage({ project, stage: 'staging' }, deps)).rejects.toThrow(
      /--stage names "staging", which deploys in the build account.*"stageAccounts": \{"staging"/,
    );
    await expect(bootstrapStage({ project, stage: 'qa' }, deps)).rejects.toThrow(/is not one of the project's stages/);
    expect(deps.calls).toEqual([]);
  });

  it("leaves a stage account's deploy role variable out of the build account's bootstrap", () => {
    const outputs = {
      BuildRoleArn: 'b',
      StagingDeployRoleArn: 's',
      SageMakerExecutionRoleArn: 'e',
      SageMakerTrainingRoleArn: 't',
      ArtifactBucketName: 'a',
    };
    const variables = repositoryVariables(outputs, project);
    expect(variables['SLIPWAY_STAGING_DEPLOY_ROLE_ARN']).toBe('s');
    expect(Object.keys(variables)).not.toContain('SLIPWAY_PROD_DEPLOY_ROLE_ARN');
  });
});
