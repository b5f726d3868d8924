import { Aws } from 'aws-cdk-lib';
import type * as iam from 'aws-cdk-lib/aws-iam';
import type { ProjectConfig } from '@slipway/core';
import { deploymentResourceNamePrefix, endpointName, endpointStackName, rollbackAlarmNames } from '../../names.js';
import type { ArtifactStorage } from '../artifact-storage.js';
import { allow } from './acknowledge.js';
import { accountArn, alarmArn, cloudFormationStackArn, sagemakerArn } from './arns.js';

/**
 * The permissions of ProjectStack's roles, each scoped to this project's bucket, key and SageMaker
 * resources. Wildcards remain only where SageMaker generates the name (pipeline jobs, versions, executions)
 * or where a service has no resource-level permissions; each carries its reason.
 */

type Project = Pick<ProjectConfig, 'projectName' | 'pipelineName' | 'modelPackageGroupName'>;

const passRoleTo = (service: string): Record<string, unknown> => ({ StringEquals: { 'iam:PassedToService': service } });

const REASONS = {
  bucketObjects: "Keys are content-addressed or generated per job; the wildcard stays inside the project's own bucket.",
  versions: "SageMaker numbers model package versions; the wildcard covers this project's group only.",
  listModelPackages: 'sagemaker:ListModelPackages supports no resource-level permissions.',
  pipelineJobs: 'SageMaker Pipelines names its jobs and models pipelines-<execution>-<step>.',
  endpointResources:
    'Each version gets its own model and endpoint config, named <project>-<stage>-v<version>-<hash>; the wildcard covers the versions of this one stage (its endpoint is named exactly).',
} as const;

function registryArns(project: Project): { group: string; versions: string } {
  return {
    group: sagemakerArn('model-package-group', project.modelPackageGroupName),
    versions: sagemakerArn('model-package', `${project.modelPackageGroupName}/*`),
  };
}

/** One stage's endpoint (by its exact name) and the models and endpoint configs of its versions. */
function endpointResourceArns(project: Project, stage: string): string[] {
  const versions = `${deploymentResourceNamePrefix(project, stage)}*`;
  return [
    sagemakerArn('model', versions),
    sagemakerArn('endpoint-config', versions),
    sagemakerArn('endpoint', endpointName(project, stage)),
  ];
}

function pipelineJobArns(): string[] {
  return [sagemakerArn('processing-job', 'pipelines-*'), sagemakerArn('training-job', 'pipelines-*')];
}

/** The role SageMaker assumes for the pipeline's jobs and for the endpoints' containers. */
export function grantSageMakerExecution(
  role: iam.Role,
  { project, storage }: { project: Project; storage: ArtifactStorage },
): void {
  const { bucket, key } = storage;
  const registry = registryArns(project);
  allow(role, ['s3:ListBucket', 's3:GetBucketLocation'], [bucket.bucketArn]);
  allow(
    role,
    ['s3:GetObject', 's3:PutObject', 's3:DeleteObject', 's3:AbortMultipartUpload'],
    [bucket.arnForObjects('*')],
    {
      wildcardReason: REASONS.bucketObjects,
    },
  );
  allow(role, ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey', 'kms:DescribeKey'], [key.keyArn]);
  allow(role, ['kms:CreateGrant'], [key.keyArn], { conditions: { Bool: { 'kms:GrantIsForAWSResource': 'true' } } });
  allow(role, ['ecr:GetAuthorizationToken'], ['*'], {
    wildcardReason:
      'ecr:GetAuthorizationToken has no resource; cloudwatch:PutMetricData is limited to /aws/sagemaker/* by a condition.',
  });
  allow(
    role,
    ['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer', 'ecr:BatchCheckLayerAvailability'],
    [`arn:${Aws.PARTITION}:ecr:${Aws.REGION}:*:repository/*`],
    {
      wildcardReason:
        'SageMaker framework images (scikit-learn, PyTorch) live in AWS-owned accounts that differ per region.',
    },
  );
  const logGroups = accountArn('logs', 'log-group:/aws/sagemaker/*');
  allow(
    role,
    ['logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:PutLogEvents', 'logs:DescribeLogStreams'],
    [logGroups],
    {
      wildcardReason: 'SageMaker writes job and endpoint logs to log groups under /aws/sagemaker/.',
    },
  );
  allow(role, ['cloudwatch:PutMetricData'], ['*'], {
    conditions: { StringLike: { 'cloudwatch:namespace': '/aws/sagemaker/*' } },
    wildcardReason:
      'cloudwatch:PutMetricData has no resource; a condition limits it to the /aws/sagemaker/* namespaces.',
  });
  allow(
    role,
    [
      'sagemaker:CreateProcessingJob',
      'sagemaker:CreateTrainingJob',
      'sagemaker:DescribeProcessingJob',
      'sagemaker:DescribeTrainingJob',
      'sagemaker:StopProcessingJob',
      'sagemaker:StopTrainingJob',
      'sagemaker:AddTags',
    ],
    pipelineJobArns(),
    { wildcardReason: REASONS.pipelineJobs },
  );
  allow(
    role,
    ['sagemaker:CreateModelPackage', 'sagemaker:DescribeModelPackage', 'sagemaker:AddTags'],
    [registry.group, registry.versions],
    {
      wildcardReason: REASONS.versions,
    },
  );
  allow(role, ['sagemaker:DescribeModelPackageGroup'], [registry.group]);
  allow(
    role,
    ['sagemaker:CreateModel', 'sagemaker:DescribeModel', 'sagemaker:AddTags'],
    [sagemakerArn('model', 'pipelines-*')],
    {
      wildcardReason: REASONS.pipelineJobs,
    },
  );
  allow(role, ['iam:PassRole'], [role.roleArn], { conditions: passRoleTo('sagemaker.amazonaws.com') });
}

/** What the CloudFormation role of every stage may do, whatever the stage: one managed policy they share. */
export function grantEndpointDeploymentCommon(
  policy: iam.ManagedPolicy,
  { project, storage, executionRole }: { project: Project; storage: ArtifactStorage; executionRole: iam.IRole },
): void {
  const registry = registryArns(project);
  allow(policy, ['sagemaker:DescribeModelPackage'], [registry.versions], { wildcardReason: REASONS.versions });
  allow(policy, ['iam:PassRole'], [executionRole.roleArn], { conditions: passRoleTo('sagemaker.amazonaws.com') });
  allow(policy, ['kms:CreateGrant', 'kms:DescribeKey', 'kms:Decrypt', 'kms:GenerateDataKey'], [storage.key.keyArn]);
  allow(
    policy,
    [
      'application-autoscaling:RegisterScalableTarget',
      'application-autoscaling:DeregisterScalableTarget',
      'application-autoscaling:PutScalingPolicy',
      'application-autoscaling:DeleteScalingPolicy',
      'application-autoscaling:TagResource',
      'application-autoscaling:UntagResource',
    ],
    ['*'],
    {
      conditions: {
        StringEquals: {
          'application-autoscaling:service-namespace': 'sagemaker',
          'application-autoscaling:scalable-dimension': 'sagemaker:variant:DesiredInstanceCount',
        },
      },
      wildcardReason:
        'Scalable targets get generated ids; conditions limit these writes to SageMaker variant instance counts.',
    },
  );
  allow(
    policy,
    [
      'application-autoscaling:DescribeScalableTargets',
      'application-autoscaling:DescribeScalingPolicies',
      'application-autoscaling:DescribeScalingActivities',
      'application-autoscaling:ListTagsForResource',
    ],
    ['*'],
    { wildcardReason: 'Application Auto Scaling describe calls support no resource-level permissions.' },
  );
  allow(
    policy,
    ['iam:CreateServiceLinkedRole'],
    [
      `arn:${Aws.PARTITION}:iam::${Aws.ACCOUNT_ID}:role/aws-service-role/sagemaker.application-autoscaling.amazonaws.com/AWSServiceRoleForApplicationAutoScaling_SageMakerEndpoint`,
    ],
    { conditions: { StringEquals: { 'iam:AWSServiceName': 'sagemaker.application-autoscaling.amazonaws.com' } } },
  );
}

/**
 * The CloudFormation role of one stage's endpoint stack (besides the shared policy): that stage's endpoint,
 * the models and endpoint configs of its versions, and its rollback alarms, each named exactly.
 */
export function grantEndpointDeployment(role: iam.Role, { project, stage }: { project: Project; stage: string }): void {
  allow(
    role,
    [
      'sagemaker:CreateModel',
      'sagemaker:DeleteModel',
      'sagemaker:DescribeModel',
      'sagemaker:CreateEndpointConfig',
      'sagemaker:DeleteEndpointConfig',
      'sagemaker:DescribeEndpointConfig',
      'sagemaker:CreateEndpoint',
      'sagemaker:UpdateEndpoint',
      'sagemaker:DeleteEndpoint',
      'sagemaker:DescribeEndpoint',
      'sagemaker:AddTags',
      'sagemaker:DeleteTags',
      'sagemaker:ListTags',
    ],
    endpointResourceArns(project, stage),
    { wildcardReason: REASONS.endpointResources },
  );
  allow(
    role,
    [
      'cloudwatch:PutMetricAlarm',
      'cloudwatch:DeleteAlarms',
      'cloudwatch:DescribeAlarms',
      'cloudwatch:TagResource',
      'cloudwatch:UntagResource',
      'cloudwatch:ListTagsForResource',
    ],
    rollbackAlarmNames(project, stage).map(alarmArn),
  );
}

/** The GitHub build role: upload code and data, upsert and run the pipeline, read the registry. */
export function grantBuild(
  role: iam.Role,
  { project, storage, executionRole }: { project: Project; storage: ArtifactStorage; executionRole: iam.IRole },
): void {
  const { bucket, key } = storage;
  const registry = registryArns(project);
  allow(role, ['s3:ListBucket', 's3:GetBucketLocation'], [bucket.bucketArn]);
  allow(role, ['s3:GetObject', 's3:PutObject'], [bucket.arnForObjects('*')], { wildcardReason: REASONS.bucketObjects });
  allow(role, ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey'], [key.keyArn]);
  allow(
    role,
    [
      'sagemaker:CreatePipeline',
      'sagemaker:UpdatePipeline',
      'sagemaker:DescribePipeline',
      'sagemaker:StartPipelineExecution',
      'sagemaker:ListPipelineExecutions',
      'sagemaker:AddTags',
      'sagemaker:ListTags',
    ],
    [sagemakerArn('pipeline', project.pipelineName)],
  );
  allow(
    role,
    [
      'sagemaker:DescribePipelineExecution',
      'sagemaker:ListPipelineExecutionSteps',
      'sagemaker:StopPipelineExecution',
      'sagemaker:DescribePipelineDefinitionForExecution',
    ],
    [sagemakerArn('pipeline', `${project.pipelineName}/execution/*`)],
    { wildcardReason: "SageMaker generates execution ids; the wildcard covers this pipeline's executions only." },
  );
  allow(
    role,
    ['sagemaker:DescribeModelPackageGroup', 'sagemaker:CreateModelPackageGroup', 'sagemaker:AddTags'],
    [registry.group],
  );
  allow(role, ['sagemaker:DescribeModelPackage'], [registry.versions], { wildcardReason: REASONS.versions });
  allow(role, ['sagemaker:ListModelPackages'], ['*'], { wildcardReason: REASONS.listModelPackages });
  allow(role, ['sagemaker:DescribeProcessingJob', 'sagemaker:DescribeTrainingJob'], pipelineJobArns(), {
    wildcardReason: `Read-only, to report failed steps. ${REASONS.pipelineJobs}`,
  });
  allow(role, ['iam:PassRole'], [executionRole.roleArn], { conditions: passRoleTo('sagemaker.amazonaws.com') });
}

/** What every stage's GitHub deploy role may read, whatever the stage: one managed policy they share. */
export function grantDeployCommon(policy: iam.ManagedPolicy, { project }: { project: Project }): void {
  const registry = registryArns(project);
  allow(policy, ['sagemaker:DescribeModelPackage'], [registry.versions], { wildcardReason: REASONS.versions });
  allow(policy, ['sagemaker:DescribeModelPackageGroup'], [registry.group]);
  allow(policy, ['sagemaker:ListModelPackages'], ['*'], { wildcardReason: REASONS.listModelPackages });
}

/**
 * One stage's GitHub deploy role (besides the shared policy): deploy that stage's endpoint stack through its
 * own CloudFormation role, then read and test that stage's endpoint. A stage after the first may also read
 * the previous stage's endpoint, to check before promoting that it serves the version the run tested there.
 */
export function grantDeploy(
  role: iam.Role,
  {
    project,
    stage,
    previousStage,
    endpointDeployerRole,
  }: { project: Project; stage: string; previousStage?: string; endpointDeployerRole: iam.IRole },
): void {
  allow(
    role,
    [
      'cloudformation:DescribeStacks',
      'cloudformation:DescribeStackEvents',
      'cloudformation:DescribeStackResources',
      'cloudformation:ListStackResources',
      'cloudformation:GetTemplate',
      'cloudformation:CreateChangeSet',
      'cloudformation:DescribeChangeSet',
      'cloudformation:ExecuteChangeSet',
      'cloudformation:DeleteChangeSet',
    ],
    [cloudFormationStackArn(endpointStackName(project, stage))],
    {
      wildcardReason: `The ${stage} endpoint stack by its exact name; the trailing /* is the stack id CloudFormation generates.`,
    },
  );
  allow(role, ['iam:PassRole'], [endpointDeployerRole.roleArn], {
    conditions: passRoleTo('cloudformation.amazonaws.com'),
  });
  const readable = [stage, ...(previousStage ? [previousStage] : [])].flatMap((name) =>
    endpointResourceArns(project, name),
  );
  allow(role, ['sagemaker:DescribeEndpoint', 'sagemaker:DescribeEndpointConfig', 'sagemaker:DescribeModel'], readable, {
    wildcardReason: REASONS.endpointResources,
  });
  allow(role, ['sagemaker:InvokeEndpoint'], [sagemakerArn('endpoint', endpointName(project, stage))]);
}
