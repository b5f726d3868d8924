import { Aws } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import { MODEL_ARTIFACTS_PREFIX, type ProjectConfig } from '@slipway/core';
import { DEPLOYMENTS_PREFIX } from '../../deploy/deployment-journal.js';
import { deploymentResourceNamePrefix, endpointName, endpointStackName, rollbackAlarmNames } from '../../names.js';
import type { ArtifactStorage } from '../artifact-storage.js';
import { allow } from './acknowledge.js';
import { accountArn, alarmArn, bucketArn, cloudFormationStackArn, sagemakerArn } from './arns.js';

/**
 * The permissions of ProjectStack's roles, each scoped to this project's bucket, key and SageMaker
 * resources. Wildcards remain only where SageMaker generates the name (pipeline jobs, versions, executions)
 * or where a service has no resource-level permissions; each carries its reason.
 */

type Project = Pick<ProjectConfig, 'projectName' | 'pipelineName' | 'modelPackageGroupName' | 'region'>;

const passRoleTo = (service: string): Record<string, unknown> => ({ StringEquals: { 'iam:PassedToService': service } });

const REASONS = {
  bucketObjects: "Keys are content-addressed or generated per job; the wildcard stays inside the project's own bucket.",
  versions: "SageMaker numbers model package versions; the wildcard covers this project's group only.",
  listModelPackages: 'sagemaker:ListModelPackages supports no resource-level permissions.',
  pipelineJobs: 'SageMaker Pipelines names its jobs and models pipelines-<execution>-<step>.',
  journal:
    'Deployment records are named by the time and version of each deploy; the wildcard stays inside the deployments/ prefix.',
  endpointResources:
    'Each version gets its own model and endpoint config, named <project>-<stage>-v<version>-<hash>; the wildcard covers the versions of this one stage (its endpoint is named exactly).',
} as const;

function registryArns(project: Project): { group: string; versions: string } {
  return {
    group: sagemakerArn(project.region, 'model-package-group', project.modelPackageGroupName),
    versions: sagemakerArn(project.region, 'model-package', `${project.modelPackageGroupName}/*`),
  };
}

/** One stage's endpoint (by its exact name) and the models and endpoint configs of its versions. */
function endpointResourceArns(project: Project, stage: string): string[] {
  const versions = `${deploymentResourceNamePrefix(project, stage)}*`;
  return [
    sagemakerArn(project.region, 'model', versions),
    sagemakerArn(project.region, 'endpoint-config', versions),
    sagemakerArn(project.region, 'endpoint', endpointName(project, stage)),
  ];
}

function pipelineJobArns(region: string): string[] {
  return [sagemakerArn(region, 'processing-job', 'pipelines-*'), sagemakerArn(region, 'training-job', 'pipelines-*')];
}

/**
 * What every SageMaker job of the project may do, whatever its role (execution or training): read the
 * bucket and use its key, pull framework images, write logs and metrics. One managed policy both share.
 */
export function grantSageMakerJobsCommon(
  policy: iam.ManagedPolicy,
  { project, storage }: { project: Pick<ProjectConfig, 'region'>; storage: ArtifactStorage },
): void {
  const { bucket, key } = storage;
  allow(policy, ['s3:ListBucket', 's3:GetBucketLocation'], [bucket.bucketArn]);
  allow(policy, ['s3:GetObject'], [bucket.arnForObjects('*')], { wildcardReason: REASONS.bucketObjects });
  allow(policy, ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey', 'kms:DescribeKey'], [key.keyArn]);
  allow(policy, ['kms:CreateGrant'], [key.keyArn], {
    conditions: { Bool: { 'kms:GrantIsForAWSResource': 'true' } },
  });
  grantContainerRuntime(policy, project);
}

/**
 * What a SageMaker container needs from its role whatever it runs (a job, an endpoint): pull framework
 * images, write logs and metrics.
 */
export function grantContainerRuntime(
  policy: iam.ManagedPolicy | iam.Role,
  project: Pick<ProjectConfig, 'region'>,
): void {
  allow(policy, ['ecr:GetAuthorizationToken'], ['*'], {
    wildcardReason:
      'ecr:GetAuthorizationToken has no resource; cloudwatch:PutMetricData is limited to /aws/sagemaker/* by a condition.',
  });
  allow(
    policy,
    ['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer', 'ecr:BatchCheckLayerAvailability'],
    [`arn:${Aws.PARTITION}:ecr:${Aws.REGION}:*:repository/*`],
    {
      wildcardReason:
        'SageMaker framework images (scikit-learn, PyTorch) live in AWS-owned accounts that differ per region.',
    },
  );
  allow(
    policy,
    ['logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:PutLogEvents', 'logs:DescribeLogStreams'],
    [accountArn('logs', 'log-group:/aws/sagemaker/*', project.region)],
    { wildcardReason: 'SageMaker writes job and endpoint logs to log groups under /aws/sagemaker/.' },
  );
  allow(policy, ['cloudwatch:PutMetricData'], ['*'], {
    conditions: { StringLike: { 'cloudwatch:namespace': '/aws/sagemaker/*' } },
    wildcardReason:
      'cloudwatch:PutMetricData has no resource; a condition limits it to the /aws/sagemaker/* namespaces.',
  });
}

/**
 * The role training jobs run as (besides the shared policy): the one role that may write model artifacts,
 * under the bucket's models/ prefix. The bucket policy refuses those writes to every other principal.
 */
export function grantSageMakerTraining(role: iam.Role, { storage }: { storage: ArtifactStorage }): void {
  allow(
    role,
    ['s3:PutObject', 's3:AbortMultipartUpload'],
    [storage.bucket.arnForObjects(`${MODEL_ARTIFACTS_PREFIX}*`)],
    {
      wildcardReason: 'Training jobs write <output path>/<job name>/output/model.tar.gz under the models/ prefix.',
    },
  );
}

/**
 * The role SageMaker assumes for the pipeline (besides the shared policy): its processing jobs' outputs,
 * starting the jobs (training jobs as the training role), registering versions, the pipeline's models.
 */
export function grantSageMakerExecution(
  role: iam.Role,
  { project, storage, trainingRole }: { project: Project; storage: ArtifactStorage; trainingRole: iam.IRole },
): void {
  const registry = registryArns(project);
  // Processing outputs and uploads anywhere in the bucket but models/, which the bucket policy keeps for training.
  allow(role, ['s3:PutObject', 's3:DeleteObject', 's3:AbortMultipartUpload'], [storage.bucket.arnForObjects('*')], {
    wildcardReason: REASONS.bucketObjects,
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
    pipelineJobArns(project.region),
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
    [sagemakerArn(project.region, 'model', 'pipelines-*')],
    {
      wildcardReason: REASONS.pipelineJobs,
    },
  );
  allow(role, ['iam:PassRole'], [role.roleArn, trainingRole.roleArn], {
    conditions: passRoleTo('sagemaker.amazonaws.com'),
  });
}

/**
 * Denies writing and deleting model artifacts to every principal but the training role, whatever its own
 * policies allow (the build role, the execution role, an administrator): what a version was registered
 * with stays what it serves. The deploy logic also checks each version's model data against its checksum.
 */
export function protectModelArtifacts(bucket: s3.Bucket, trainingRole: iam.IRole): void {
  bucket.addToResourcePolicy(
    new iam.PolicyStatement({
      sid: 'OnlyTrainingJobsWriteModelArtifacts',
      effect: iam.Effect.DENY,
      principals: [new iam.AnyPrincipal()],
      actions: ['s3:PutObject', 's3:DeleteObject', 's3:DeleteObjectVersion'],
      resources: [bucket.arnForObjects(`${MODEL_ARTIFACTS_PREFIX}*`)],
      conditions: { ArnNotEquals: { 'aws:PrincipalArn': trainingRole.roleArn } },
    }),
  );
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
  grantEndpointAutoscaling(policy);
}

/** What a CloudFormation role needs to give an endpoint variant target-tracking autoscaling. */
export function grantEndpointAutoscaling(policy: iam.ManagedPolicy | iam.Role): void {
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
    rollbackAlarmNames(project, stage).map((name) => alarmArn(name, project.region)),
  );
}

/** The GitHub build role: upload code and data, upsert and run the pipeline, read the registry. */
export function grantBuild(
  role: iam.Role,
  {
    project,
    storage,
    executionRole,
    trainingRole,
  }: { project: Project; storage: ArtifactStorage; executionRole: iam.IRole; trainingRole: iam.IRole },
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
    [sagemakerArn(project.region, 'pipeline', project.pipelineName)],
  );
  allow(
    role,
    [
      'sagemaker:DescribePipelineExecution',
      'sagemaker:ListPipelineExecutionSteps',
      'sagemaker:StopPipelineExecution',
      'sagemaker:DescribePipelineDefinitionForExecution',
    ],
    [sagemakerArn(project.region, 'pipeline', `${project.pipelineName}/execution/*`)],
    { wildcardReason: "SageMaker generates execution ids; the wildcard covers this pipeline's executions only." },
  );
  allow(
    role,
    ['sagemaker:DescribeModelPackageGroup', 'sagemaker:CreateModelPackageGroup', 'sagemaker:AddTags'],
    [registry.group],
  );
  // UpdateModelPackage: the run writes the model card of the version it registered (build-pipeline's
  // run/model-card.ts). As for the deploy roles, a request carrying an approval status does not match: the
  // build never approves its own version.
  allow(role, ['sagemaker:DescribeModelPackage', 'sagemaker:UpdateModelPackage'], [registry.versions], {
    wildcardReason: REASONS.versions,
    conditions: { Null: { 'sagemaker:ModelApprovalStatus': 'true' } },
  });
  allow(role, ['sagemaker:ListModelPackages'], ['*'], { wildcardReason: REASONS.listModelPackages });
  // Each action applies to its own job type only, so one pattern names exactly the jobs pipelineJobArns names,
  // in fewer bytes of a template that must stay under CloudFormation's inline limit. (The training job is also
  // read for the model card: its image, data and hyperparameters.)
  allow(
    role,
    ['sagemaker:DescribeProcessingJob', 'sagemaker:DescribeTrainingJob'],
    [sagemakerArn(project.region, '*-job', 'pipelines-*')],
    {
      wildcardReason: `Read-only, to report failed steps. ${REASONS.pipelineJobs}`,
    },
  );
  // The definition names both roles; the pipeline, running as the execution role, starts the training jobs.
  allow(role, ['iam:PassRole'], [executionRole.roleArn, trainingRole.roleArn], {
    conditions: passRoleTo('sagemaker.amazonaws.com'),
  });
}

/**
 * What every stage's GitHub deploy role may read, whatever the stage: one managed policy they share. The
 * model data is read to check it against the checksum registered with the version.
 */
export function grantDeployCommon(
  policy: iam.ManagedPolicy,
  { project, storage }: { project: Project & Pick<ProjectConfig, 'artifactBucket'>; storage: ArtifactStorage },
): void {
  const registry = registryArns(project);
  allow(policy, ['s3:GetObject'], [storage.bucket.arnForObjects(`${MODEL_ARTIFACTS_PREFIX}*`)], {
    wildcardReason: 'Model artifacts are named by the training job that wrote them, under the models/ prefix.',
  });
  // GenerateDataKey: writing the deployment journal under SSE-KMS.
  allow(policy, ['kms:Decrypt', 'kms:GenerateDataKey'], [storage.key.keyArn]);
  // The deployment journal (deployment-journal.ts): read (deploy history, the version a rollback goes back
  // to) and appended to. One statement for every stage, not one per stage: ProjectStack is sent inline and
  // must stay under CloudFormation's 51,200 bytes with three stages.
  const bucket = project.artifactBucket;
  allow(policy, ['s3:GetObject', 's3:PutObject'], [bucketArn(project.region, bucket, `${DEPLOYMENTS_PREFIX}*`)], {
    wildcardReason: REASONS.journal,
  });
  // Listing shows key names only (content hashes, job names); an s3:prefix condition would not fit the size.
  allow(policy, ['s3:ListBucket'], [bucketArn(project.region, bucket)]);
  // UpdateModelPackage: the deploy writes each version's ModelLifeCycle stage (model-lifecycle.ts). A request
  // that carries an approval status does not match (the key must be absent, as it is for Describe), so a
  // deploy role can move a version's stage but never approve or reject it.
  allow(policy, ['sagemaker:DescribeModelPackage', 'sagemaker:UpdateModelPackage'], [registry.versions], {
    wildcardReason: REASONS.versions,
    conditions: { Null: { 'sagemaker:ModelApprovalStatus': 'true' } },
  });
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
    [cloudFormationStackArn(project.region, endpointStackName(project, stage))],
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
  allow(role, ['sagemaker:InvokeEndpoint'], [sagemakerArn(project.region, 'endpoint', endpointName(project, stage))]);
}
