import { describe, expect, it } from '@jest/globals';
import type { Template } from 'aws-cdk-lib/assertions';
import { synthesize } from './support/cdk.js';

const PROJECT_STACK = 'slipway-sentiment-project';
const STAGE_STACK = 'slipway-sentiment-stage-prod';
const BUILD = '111111111111';
const PROD = '222222222222';
const REPO = 'octo-org/sentiment-reviews';
const ACCOUNTS = { buildAccount: BUILD, stageAccounts: { prod: { account: PROD } } };
const PROD_ROLES = [
  `arn:aws:iam::${PROD}:role/slipway-sentiment-github-deploy-prod`,
  `arn:aws:iam::${PROD}:role/slipway-sentiment-endpoint-deployer-prod`,
  `arn:aws:iam::${PROD}:role/slipway-sentiment-sagemaker-execution`,
];

type Statement = Record<string, unknown>;
type Resource = { Type: string; Properties?: Record<string, unknown> };

function resources(template: Template, type: string): Resource[] {
  return Object.values(template.toJSON()['Resources'] as Record<string, Resource>).filter((r) => r.Type === type);
}

/** The statements of every resource of `type` (bucket policies, keys). */
function policyStatements(template: Template, type: string, property: string): Statement[] {
  return resources(template, type).flatMap(
    (resource) => (resource.Properties?.[property] as { Statement: Statement[] }).Statement,
  );
}

const text = (value: unknown): string => JSON.stringify(value);
const roleNames = (template: Template) => resources(template, 'AWS::IAM::Role').map((r) => r.Properties?.['RoleName']);

describe('cross-account promotion in the build account (ProjectStack)', () => {
  it('a config without accounts shares nothing: no group policy, no statement for another account', () => {
    const template = synthesize().template(PROJECT_STACK);
    const [group] = resources(template, 'AWS::SageMaker::ModelPackageGroup');
    expect(group?.Properties?.['ModelPackageGroupPolicy']).toBeUndefined();
    expect(text(template.toJSON())).not.toMatch(/StageAccounts/);
    expect(roleNames(template)).toContain('slipway-sentiment-github-deploy-prod');
  });

  it("the group's resource policy lets the stage account read versions and write lifecycle stages, never approvals", () => {
    const { template, violations } = synthesize({}, ACCOUNTS);
    expect(violations).toEqual([]);
    const [group] = resources(template(PROJECT_STACK), 'AWS::SageMaker::ModelPackageGroup');
    const policy = group?.Properties?.['ModelPackageGroupPolicy'] as { Statement: Statement[] };
    const principal = { AWS: [`arn:aws:iam::${PROD}:root`] };
    expect(JSON.parse(text(policy.Statement))).toEqual([
      {
        Sid: 'StageAccountsReadGroup',
        Effect: 'Allow',
        Principal: principal,
        Action: ['sagemaker:DescribeModelPackageGroup'],
        Resource: { 'Fn::Sub': 'arn:aws:sagemaker:us-east-1:${AWS::AccountId}:model-package-group/sentiment-models' },
      },
      {
        Sid: 'StageAccountsReadVersions',
        Effect: 'Allow',
        Principal: principal,
        Action: ['sagemaker:DescribeModelPackage', 'sagemaker:ListModelPackages', 'sagemaker:CreateModel'],
        Resource: { 'Fn::Sub': 'arn:aws:sagemaker:us-east-1:${AWS::AccountId}:model-package/sentiment-models/*' },
      },
      {
        Sid: 'StageAccountsWriteLifecycle',
        Effect: 'Allow',
        Principal: principal,
        Action: ['sagemaker:UpdateModelPackage'],
        Resource: { 'Fn::Sub': 'arn:aws:sagemaker:us-east-1:${AWS::AccountId}:model-package/sentiment-models/*' },
        Condition: { Null: { 'sagemaker:ModelApprovalStatus': 'true' } },
      },
    ]);
  });

  it("the bucket policy lets only the stage's roles read models/ (and the journal), and write only their own prefixes", () => {
    const template = synthesize({}, ACCOUNTS).template(PROJECT_STACK);
    const statements = policyStatements(template, 'AWS::S3::BucketPolicy', 'PolicyDocument');
    const forProd = statements.filter((statement) => text(statement.Principal).includes(PROD));
    const bucket = 'arn:aws:s3:::slipway-sentiment-p-4998j71vgs5g';
    expect(forProd.map((s) => [s.Sid, s.Effect, s.Action, s.Resource])).toEqual([
      ['StageAccountsReadModels', 'Allow', 's3:GetObject', `${bucket}/models/*`],
      ['StageAccountsReadJournal', 'Allow', 's3:GetObject', `${bucket}/deployments/*`],
      ['StageAccountsListJournal', 'Allow', 's3:ListBucket', bucket],
      ['StageprodWrites', 'Allow', 's3:PutObject', [`${bucket}/deployments/prod/*`, `${bucket}/data-capture/prod/*`]],
    ]);
    for (const statement of forProd) {
      expect(statement.Principal).toEqual({ AWS: `arn:aws:iam::${PROD}:root` });
      expect((statement.Condition as { ArnEquals: Record<string, unknown> }).ArnEquals['aws:PrincipalArn']).toEqual(
        PROD_ROLES,
      );
    }
    expect(forProd[2]!.Condition).toMatchObject({ StringLike: { 's3:prefix': ['deployments/*'] } });
    // The deny that keeps models/ written by training jobs only still covers every principal.
    expect(statements.find((s) => s.Sid === 'OnlyTrainingJobsWriteModelArtifacts')?.Effect).toBe('Deny');
  });

  it("the key policy lets the stage's roles decrypt and encrypt, and grant the key to SageMaker only", () => {
    const template = synthesize({}, ACCOUNTS).template(PROJECT_STACK);
    const statements = policyStatements(template, 'AWS::KMS::Key', 'KeyPolicy').filter((s) =>
      text(s.Principal).includes(PROD),
    );
    expect(statements.map((s) => [s.Sid, s.Action, s.Resource])).toEqual([
      ['StageAccountsUseKey', ['kms:Decrypt', 'kms:GenerateDataKey', 'kms:DescribeKey'], '*'],
      ['StageAccountsGrantKeyToSageMaker', 'kms:CreateGrant', '*'],
    ]);
    expect(statements[1]!.Condition).toEqual({
      ArnEquals: { 'aws:PrincipalArn': PROD_ROLES },
      Bool: { 'kms:GrantIsForAWSResource': 'true' },
    });
  });

  it("the stage's deploy and endpoint roles live in its own account, not here; the others stay", () => {
    const names = roleNames(synthesize({}, ACCOUNTS).template(PROJECT_STACK));
    expect(names).not.toContain('slipway-sentiment-github-deploy-prod');
    expect(names).not.toContain('slipway-sentiment-endpoint-deployer-prod');
    expect(names).toEqual(
      expect.arrayContaining([
        'slipway-sentiment-github-deploy-staging',
        'slipway-sentiment-endpoint-deployer-staging',
      ]),
    );
  });
});

describe('the stage account stack (bootstrap --stage prod)', () => {
  const synthesized = () => synthesize({ stageAccount: 'prod' }, ACCOUNTS);

  it('is the only stack, in the stage account, and cdk-nag finds nothing', () => {
    const { app, violations, stageAccountStack, projectStack } = synthesized();
    expect(violations).toEqual([]);
    expect(projectStack).toBeUndefined();
    expect(app.node.children.filter((child) => child.node.id.startsWith('slipway-')).map((c) => c.node.id)).toEqual([
      STAGE_STACK,
    ]);
    expect(stageAccountStack?.account).toBe(PROD);
  });

  it("trusts that GitHub environment's deploy jobs only, pinned as ProjectStack's deploy roles are", () => {
    const template = synthesized().template(STAGE_STACK);
    const [role] = resources(template, 'AWS::IAM::Role').filter(
      (r) => r.Properties?.['RoleName'] === 'slipway-sentiment-github-deploy-prod',
    );
    const trust = (role?.Properties?.['AssumeRolePolicyDocument'] as { Statement: Statement[] }).Statement;
    expect(trust).toHaveLength(1);
    expect(trust[0]!.Condition).toEqual({
      StringEquals: {
        'token.actions.githubusercontent.com:aud': 'sts.amazonaws.com',
        'token.actions.githubusercontent.com:sub': `repo:${REPO}:environment:production:job_workflow_ref:${REPO}/.github/workflows/deploy.yml@refs/heads/main`,
      },
    });
    expect(roleNames(template).sort()).toEqual(
      [
        'slipway-sentiment-endpoint-deployer-prod',
        'slipway-sentiment-github-deploy-prod',
        'slipway-sentiment-sagemaker-execution',
      ].sort(),
    );
  });

  it("asks the build account for what its policies grant, naming the build account's resources", () => {
    const template = synthesized().template(STAGE_STACK);
    const policies = text(resources(template, 'AWS::IAM::Policy'));
    expect(policies).toContain(`arn:aws:sagemaker:us-east-1:${BUILD}:model-package/sentiment-models/*`);
    expect(policies).toContain(`arn:aws:sagemaker:us-east-1:${BUILD}:model-package-group/sentiment-models`);
    expect(policies).toContain(`arn:aws:kms:us-east-1:${BUILD}:key/*`);
    expect(policies).toContain('"kms:ResourceAliases":"alias/slipway-sentiment"');
    expect(policies).toContain('"sagemaker:ModelApprovalStatus":"true"');
    expect(policies).toContain('arn:aws:s3:::slipway-sentiment-p-4998j71vgs5g/data-capture/prod/*');
    expect(policies).not.toContain('data-capture/staging');
  });

  it("alarms on the stage's endpoint errors and latency", () => {
    const alarms = resources(synthesized().template(STAGE_STACK), 'AWS::CloudWatch::Alarm');
    expect(alarms.map((a) => [a.Properties?.['AlarmName'], a.Properties?.['MetricName']])).toEqual([
      ['slipway-sentiment-prod-endpoint-errors', 'Invocation5XXErrors'],
      ['slipway-sentiment-prod-endpoint-latency', 'ModelLatency'],
    ]);
  });

  it('refuses a stage that deploys in the build account, naming the fix', () => {
    expect(() => synthesize({ stageAccount: 'staging' }, ACCOUNTS)).toThrow(
      /names staging, which deploys in the build account[^]*"stageAccounts": \{"staging"/,
    );
  });
});
