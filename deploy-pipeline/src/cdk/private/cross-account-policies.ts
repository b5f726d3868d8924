import * as iam from 'aws-cdk-lib/aws-iam';
import type * as sagemaker from 'aws-cdk-lib/aws-sagemaker';
import { MODEL_ARTIFACTS_PREFIX, partitionOf, type ProjectConfig, type StageTarget } from '@slipway/core';
import { DEPLOYMENTS_PREFIX } from '../../deploy/deployment-journal.js';
import { endpointDeployerRoleName, githubDeployRoleName, roleNames } from '../../names.js';
import type { ArtifactStorage } from '../artifact-storage.js';
import { bucketArn, sagemakerArn } from './arns.js';

type Project = Pick<ProjectConfig, 'projectName' | 'modelPackageGroupName' | 'region' | 'artifactBucket'>;

/** Where a stage's endpoint captures its requests (its stage config's default), for its own writes. */
export const DATA_CAPTURE_PREFIX = 'data-capture/';

/**
 * What the registry's versions grant each stage account (the group's resource policy). Read: the group and
 * its versions, and CreateModel from a version (SageMaker checks it on the package when the model is made
 * in another account). Write: UpdateModelPackage, because each stage's deploy records the version's
 * ModelLifeCycle (Staging/Production, Deployed; Archived for the one it replaces), and only when the request
 * carries no approval status: a stage account can move a version's stage, never approve or reject it.
 */
export const STAGE_ACCOUNT_REGISTRY_ACTIONS = Object.freeze({
  group: ['sagemaker:DescribeModelPackageGroup'],
  versions: ['sagemaker:DescribeModelPackage', 'sagemaker:ListModelPackages', 'sagemaker:CreateModel'],
  lifecycle: ['sagemaker:UpdateModelPackage'],
});

/** The roles of one stage account that reach into the build account: its deploy role and its endpoints'. */
export function stageAccountRoleArns(
  project: Pick<ProjectConfig, 'projectName' | 'region'>,
  target: StageTarget,
): string[] {
  const iamArn = (name: string) => `arn:${partitionOf(target.region)}:iam::${target.account!}:role/${name}`;
  return [
    iamArn(githubDeployRoleName(project, target.stage)),
    iamArn(endpointDeployerRoleName(project, target.stage)),
    iamArn(roleNames(project).sagemakerExecution),
  ];
}

const accountRoot = (project: Pick<ProjectConfig, 'region'>, account: string) =>
  `arn:${partitionOf(project.region)}:iam::${account}:root`;

/**
 * The build account's half of cross-account promotion, in ProjectStack: the group's resource policy, and
 * bucket and key policy statements that let each stage account's own roles read the model artifacts (and
 * nothing else of the bucket but the deployment journal, which promotion reads, and its own records and
 * captured requests, which it writes). Statements list every stage account at once instead of repeating per
 * stage, where the grant is the same: ProjectStack is sent inline and must stay under 51,200 bytes.
 */
export function shareWithStageAccounts(
  project: Project,
  {
    storage,
    modelPackageGroup,
    stages,
  }: { storage: ArtifactStorage; modelPackageGroup: sagemaker.CfnModelPackageGroup; stages: readonly StageTarget[] },
): void {
  if (stages.length === 0) return;
  const accounts = [...new Set(stages.map((target) => target.account!))];
  const roots = accounts.map((account) => accountRoot(project, account));
  const roles = stages.flatMap((target) => stageAccountRoleArns(project, target));
  const group = sagemakerArn(project.region, 'model-package-group', project.modelPackageGroupName);
  const versions = sagemakerArn(project.region, 'model-package', `${project.modelPackageGroupName}/*`);
  modelPackageGroup.modelPackageGroupPolicy = {
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'StageAccountsReadGroup',
        Effect: 'Allow',
        Principal: { AWS: roots },
        Action: STAGE_ACCOUNT_REGISTRY_ACTIONS.group,
        Resource: group,
      },
      {
        Sid: 'StageAccountsReadVersions',
        Effect: 'Allow',
        Principal: { AWS: roots },
        Action: STAGE_ACCOUNT_REGISTRY_ACTIONS.versions,
        Resource: versions,
      },
      {
        Sid: 'StageAccountsWriteLifecycle',
        Effect: 'Allow',
        Principal: { AWS: roots },
        Action: STAGE_ACCOUNT_REGISTRY_ACTIONS.lifecycle,
        Resource: versions,
        Condition: { Null: { 'sagemaker:ModelApprovalStatus': 'true' } },
      },
    ],
  };

  const onlyStageRoles = { ArnEquals: { 'aws:PrincipalArn': roles } };
  const bucket = project.artifactBucket;
  const statement = (sid: string, actions: string[], resources: string[], condition = onlyStageRoles) =>
    new iam.PolicyStatement({
      sid,
      principals: roots.map((root) => new iam.ArnPrincipal(root)),
      actions,
      resources,
      conditions: condition,
    });
  storage.bucket.addToResourcePolicy(
    statement(
      'StageAccountsReadModels',
      ['s3:GetObject'],
      [bucketArn(project.region, bucket, `${MODEL_ARTIFACTS_PREFIX}*`)],
    ),
  );
  // Promotion checks the previous stage's newest record; `deploy history` reads them all.
  storage.bucket.addToResourcePolicy(
    statement(
      'StageAccountsReadJournal',
      ['s3:GetObject'],
      [bucketArn(project.region, bucket, `${DEPLOYMENTS_PREFIX}*`)],
    ),
  );
  storage.bucket.addToResourcePolicy(
    statement('StageAccountsListJournal', ['s3:ListBucket'], [bucketArn(project.region, bucket)], {
      ...onlyStageRoles,
      StringLike: { 's3:prefix': [`${DEPLOYMENTS_PREFIX}*`] },
    } as never),
  );
  // Each stage writes its own records and captured requests only: one statement per stage account.
  for (const target of stages) {
    storage.bucket.addToResourcePolicy(
      statement(
        `Stage${target.stage.replace(/[^A-Za-z0-9]/g, '')}Writes`,
        ['s3:PutObject'],
        [
          bucketArn(project.region, bucket, `${DEPLOYMENTS_PREFIX}${target.stage}/*`),
          bucketArn(project.region, bucket, `${DATA_CAPTURE_PREFIX}${target.stage}/*`),
        ],
        { ArnEquals: { 'aws:PrincipalArn': stageAccountRoleArns(project, target) } },
      ),
    );
  }
  // The key: decrypt what they read, encrypt what they write, and let SageMaker use it for the endpoint's
  // volume (a grant, for AWS resources only).
  storage.key.addToResourcePolicy(
    statement('StageAccountsUseKey', ['kms:Decrypt', 'kms:GenerateDataKey', 'kms:DescribeKey'], ['*']),
  );
  storage.key.addToResourcePolicy(
    statement('StageAccountsGrantKeyToSageMaker', ['kms:CreateGrant'], ['*'], {
      ...onlyStageRoles,
      Bool: { 'kms:GrantIsForAWSResource': 'true' },
    } as never),
  );
}
