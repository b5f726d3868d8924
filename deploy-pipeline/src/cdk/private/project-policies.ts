import { ArnFormat, Aws, Stack } from 'aws-cdk-lib';
import type * as iam from 'aws-cdk-lib/aws-iam';
import type { ProjectConfig } from '@slipway/core';
import { alarmNamePrefix } from '../../names.js';
import type { ArtifactStorage } from '../artifact-storage.js';
import { allow } from './acknowledge.js';
import { cloudFormationStackArn, sagemakerArn } from './arns.js';

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
    "Each stage and version gets its own model, config and endpoint named <project>-<stage>…; the wildcard stops at this project's prefix.",
} as const;

function registryArns(role: iam.IRole, project: Project): { group: string; versions: string } {
  return {
    group: sagemakerArn(role, 'model-package-group', project.modelPackageGroupName),
    versions: sagemakerArn(role, 'model-package', `${project.modelPackageGroupName}/*`),
  };
}

function endpointResourceArns(role: iam.IRole, project: Project): string[] {
  return ['model', 'endpoint-config', 'endpoint'].map((type) => sagemakerArn(role, type, `${project.projectName}-*`));
}

function pipelineJobArns(role: iam.IRole): string[] {
  return [sagemakerArn(role, 'processing-job', 'pipelines-*'), sagemakerArn(role, 'training-job', 'pipelines-*')];
}

/** The role SageMaker assumes for the pipeline's jobs and for the endpoints' containers. */
export function grantSageMakerExecution(
  role: iam.Role,
  { project, storage }: { project: Project; storage: ArtifactStorage },
): void {
  const { bucket, key } = storage;
  const registry = registryArns(role, project);
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
  const logGroups = Stack.of(role).formatArn({
    service: 'logs',
    resource: 'log-group',
    resourceName: '/aws/sagemaker/*',
    arnFormat: ArnFormat.COLON_RESOURCE_NAME,
  });
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
    pipelineJobArns(role),
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
    [sagemakerArn(role, 'model', 'pipelines-*')],
    {
      wildcardReason: REASONS.pipelineJobs,
    },
  );
  allow(role, ['iam:PassRole'], [role.roleArn], { conditions: passRoleTo('sagemaker.amazonaws.com') });
}

/** The role CloudFormation assumes to create and update the endpoint stacks. */
export function grantEndpointDeployment(
  role: iam.Role,
  { project, storage, executionRole }: { project: Project; storage: ArtifactStorage; executionRole: iam.IRole },
): void {
  const registry = registryArns(role, project);
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
    endpointResourceArns(role, project),
    { wildcardReason: REASONS.endpointResources },
  );
  allow(role, ['sagemaker:DescribeModelPackage'], [registry.versions], { wildcardReason: REASONS.versions });
  allow(role, ['iam:PassRole'], [executionRole.roleArn], { conditions: passRoleTo('sagemaker.amazonaws.com') });
  allow(role, ['kms:CreateGrant', 'kms:DescribeKey', 'kms:Decrypt', 'kms:GenerateDataKey'], [storage.key.keyArn]);
  const alarms = Stack.of(role).formatArn({
    service: 'cloudwatch',
    resource: 'alarm',
    resourceName: `${alarmNamePrefix(project)}*`,
    arnFormat: ArnFormat.COLON_RESOURCE_NAME,
  });
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
    [alarms],
    {
      wildcardReason: 'The rollback alarms of every stage are named slipway-<project>-<stage>-<alarm>.',
    },
  );
  allow(
    role,
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
    role,
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
    role,
    ['iam:CreateServiceLinkedRole'],
    [
      `arn:${Aws.PARTITION}:iam::${Aws.ACCOUNT_ID}:role/aws-service-role/sagemaker.application-autoscaling.amazonaws.com/AWSServiceRoleForApplicationAutoScaling_SageMakerEndpoint`,
    ],
    { conditions: { StringEquals: { 'iam:AWSServiceName': 'sagemaker.application-autoscaling.amazonaws.com' } } },
  );
}

/** The GitHub build role: upload code and data, upsert and run the pipeline, read the registry. */
export function grantBuild(
  role: iam.Role,
  { project, storage, executionRole }: { project: Project; storage: ArtifactStorage; executionRole: iam.IRole },
): void {
  const { bucket, key } = storage;
  const registry = registryArns(role, project);
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
    [sagemakerArn(role, 'pipeline', project.pipelineName)],
  );
  allow(
    role,
    [
      'sagemaker:DescribePipelineExecution',
      'sagemaker:ListPipelineExecutionSteps',
      'sagemaker:StopPipelineExecution',
      'sagemaker:DescribePipelineDefinitionForExecution',
    ],
    [sagemakerArn(role, 'pipeline', `${project.pipelineName}/execution/*`)],
    { wildcardReason: "SageMaker generates execution ids; the wildcard covers this pipeline's executions only." },
  );
  allow(
    role,
    ['sagemaker:DescribeModelPackageGroup', 'sagemaker:CreateModelPackageGroup', 'sagemaker:AddTags'],
    [registry.group],
  );
  allow(role, ['sagemaker:DescribeModelPackage'], [registry.versions], { wildcardReason: REASONS.versions });
  allow(role, ['sagemaker:ListModelPackages'], ['*'], { wildcardReason: REASONS.listModelPackages });
  allow(role, ['sagemaker:DescribeProcessingJob', 'sagemaker:DescribeTrainingJob'], pipelineJobArns(role), {
    wildcardReason: `Read-only, to report failed steps. ${REASONS.pipelineJobs}`,
  });
  allow(role, ['iam:PassRole'], [executionRole.roleArn], { conditions: passRoleTo('sagemaker.amazonaws.com') });
}

/** The GitHub deploy role: deploy the endpoint stacks through CloudFormation's role, then read and test them. */
export function grantDeploy(
  role: iam.Role,
  {
    project,
    endpointDeployerRole,
    endpointStackNamePattern,
  }: { project: Project; endpointDeployerRole: iam.IRole; endpointStackNamePattern: string },
): void {
  const registry = registryArns(role, project);
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
    [cloudFormationStackArn(role, endpointStackNamePattern)],
    {
      wildcardReason:
        'One endpoint stack per stage, named slipway-<project>-endpoint-<stage>; the trailing /* is the stack id.',
    },
  );
  allow(role, ['iam:PassRole'], [endpointDeployerRole.roleArn], {
    conditions: passRoleTo('cloudformation.amazonaws.com'),
  });
  allow(
    role,
    ['sagemaker:DescribeEndpoint', 'sagemaker:DescribeEndpointConfig', 'sagemaker:DescribeModel'],
    endpointResourceArns(role, project),
    {
      wildcardReason: REASONS.endpointResources,
    },
  );
  allow(role, ['sagemaker:InvokeEndpoint'], [sagemakerArn(role, 'endpoint', `${project.projectName}-*`)], {
    wildcardReason: REASONS.endpointResources,
  });
  allow(role, ['sagemaker:DescribeModelPackage'], [registry.versions], { wildcardReason: REASONS.versions });
  allow(role, ['sagemaker:ListModelPackages'], ['*'], { wildcardReason: REASONS.listModelPackages });
}
