import type * as iam from 'aws-cdk-lib/aws-iam';
import { MODEL_ARTIFACTS_PREFIX, partitionOf, type ProjectConfig, type StageTarget } from '@slipway/core';
import { DEPLOYMENTS_PREFIX } from '../../deploy/deployment-journal.js';
import { kmsKeyAlias } from '../../names.js';
import { allow } from './acknowledge.js';
import { bucketArn } from './arns.js';
import { DATA_CAPTURE_PREFIX, STAGE_ACCOUNT_REGISTRY_ACTIONS } from './cross-account-policies.js';

/**
 * A stage account's roles' own half of cross-account promotion: what they may ask of the build account's
 * registry, bucket and key (which grant the same in their resource policies, cross-account-policies.ts).
 */

type Project = Pick<ProjectConfig, 'projectName' | 'modelPackageGroupName' | 'region' | 'artifactBucket'>;

/** The build account's resources, by ARN: the key by its alias, as its generated id is not known here. */
export function buildAccountArns(project: Project & Pick<ProjectConfig, 'buildAccount'>) {
  const partition = partitionOf(project.region);
  const inBuild = (service: string, resource: string) =>
    `arn:${partition}:${service}:${project.region}:${project.buildAccount!}:${resource}`;
  return {
    group: inBuild('sagemaker', `model-package-group/${project.modelPackageGroupName.toLowerCase()}`),
    versions: inBuild('sagemaker', `model-package/${project.modelPackageGroupName.toLowerCase()}/*`),
    keys: inBuild('kms', 'key/*'),
    keyAlias: kmsKeyAlias(project),
  };
}

const REASONS = {
  versions: "SageMaker numbers model package versions; the wildcard covers this project's group only.",
  listModelPackages: 'sagemaker:ListModelPackages supports no resource-level permissions.',
  key: "The build account's key has a generated id; a kms:ResourceAliases condition names the project's alias.",
  models: 'Model artifacts are named by the training job that wrote them, under the models/ prefix.',
  journal:
    'Deployment records are named by the time and version of each deploy; reads cover the journal, writes only this stage.',
  capture: "SageMaker names captured-request files by time; the wildcard covers this stage's prefix only.",
} as const;

/** Decrypt (and encrypt, for writes) with the build account's project key, named by its alias. */
export function allowBuildAccountKey(
  target: iam.Role,
  project: Project & Pick<ProjectConfig, 'buildAccount'>,
  actions: string[],
): void {
  const build = buildAccountArns(project);
  allow(target, actions, [build.keys], {
    conditions: { 'ForAnyValue:StringEquals': { 'kms:ResourceAliases': build.keyAlias } },
    wildcardReason: REASONS.key,
  });
}

/**
 * The stage's GitHub deploy role: read the build account's registry (and write a version's lifecycle stage,
 * never its approval), read model data and the journal, append this stage's records.
 */
export function grantStageDeployReads(
  role: iam.Role,
  { project, target }: { project: Project & Pick<ProjectConfig, 'buildAccount'>; target: StageTarget },
): void {
  const build = buildAccountArns(project);
  const bucket = project.artifactBucket;
  allow(role, STAGE_ACCOUNT_REGISTRY_ACTIONS.group, [build.group]);
  allow(role, ['sagemaker:DescribeModelPackage'], [build.versions], { wildcardReason: REASONS.versions });
  allow(role, STAGE_ACCOUNT_REGISTRY_ACTIONS.lifecycle, [build.versions], {
    wildcardReason: REASONS.versions,
    conditions: { Null: { 'sagemaker:ModelApprovalStatus': 'true' } },
  });
  allow(role, ['sagemaker:ListModelPackages'], ['*'], { wildcardReason: REASONS.listModelPackages });
  allow(role, ['s3:GetObject'], [bucketArn(project.region, bucket, `${MODEL_ARTIFACTS_PREFIX}*`)], {
    wildcardReason: REASONS.models,
  });
  allow(role, ['s3:GetObject'], [bucketArn(project.region, bucket, `${DEPLOYMENTS_PREFIX}*`)], {
    wildcardReason: REASONS.journal,
  });
  allow(role, ['s3:PutObject'], [bucketArn(project.region, bucket, `${DEPLOYMENTS_PREFIX}${target.stage}/*`)], {
    wildcardReason: REASONS.journal,
  });
  allow(role, ['s3:ListBucket'], [bucketArn(project.region, bucket)], {
    conditions: { StringLike: { 's3:prefix': [`${DEPLOYMENTS_PREFIX}*`] } },
  });
  allowBuildAccountKey(role, project, ['kms:Decrypt', 'kms:GenerateDataKey']);
}

/** The stage's endpoint stack's CloudFormation role: read the package it creates the model from, use the key. */
export function grantStageEndpointDeployerReads(
  role: iam.Role,
  { project }: { project: Project & Pick<ProjectConfig, 'buildAccount'> },
): void {
  allow(role, ['sagemaker:DescribeModelPackage'], [buildAccountArns(project).versions], {
    wildcardReason: REASONS.versions,
  });
  allowBuildAccountKey(role, project, ['kms:CreateGrant', 'kms:DescribeKey', 'kms:Decrypt', 'kms:GenerateDataKey']);
}

/**
 * The stage's endpoints' SageMaker execution role: the model data (read), the stage's captured requests
 * (written), the key; images, logs and metrics come from grantContainerRuntime.
 */
export function grantStageEndpointExecution(
  role: iam.Role,
  { project, target }: { project: Project & Pick<ProjectConfig, 'buildAccount'>; target: StageTarget },
): void {
  const bucket = project.artifactBucket;
  allow(role, ['s3:GetObject'], [bucketArn(project.region, bucket, `${MODEL_ARTIFACTS_PREFIX}*`)], {
    wildcardReason: REASONS.models,
  });
  allow(role, ['s3:PutObject'], [bucketArn(project.region, bucket, `${DATA_CAPTURE_PREFIX}${target.stage}/*`)], {
    wildcardReason: REASONS.capture,
  });
  allowBuildAccountKey(role, project, ['kms:Decrypt', 'kms:GenerateDataKey', 'kms:DescribeKey']);
  allow(role, ['kms:CreateGrant'], [buildAccountArns(project).keys], {
    conditions: {
      Bool: { 'kms:GrantIsForAWSResource': 'true' },
      'ForAnyValue:StringEquals': { 'kms:ResourceAliases': buildAccountArns(project).keyAlias },
    },
    wildcardReason: REASONS.key,
  });
}
