import { CfnOutput, Stack, Tags, type StackProps } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as sagemaker from 'aws-cdk-lib/aws-sagemaker';
import type { Construct } from 'constructs';
import { ValidationError, type ProjectConfig } from '@slipway/core';
import {
  approvalRuleNamePrefix,
  endpointStackName,
  githubTokenSecretName,
  kmsKeyAlias,
  projectTags,
  roleNames,
} from '../names.js';
import { ApprovalRoute } from './approval-route.js';
import { ArtifactStorage } from './artifact-storage.js';
import { GitHubOidcRoles } from './github-oidc-roles.js';
import {
  grantBuild,
  grantDeploy,
  grantEndpointDeployment,
  grantSageMakerExecution,
} from './private/project-policies.js';

export interface ProjectStackProps extends StackProps {
  /** The project config; `githubRepository` must be set. */
  readonly project: ProjectConfig;
  /**
   * ARN of the account's existing GitHub OIDC provider (context `githubOidcProviderArn`).
   * @default - a new provider is created
   */
  readonly githubOidcProviderArn?: string;
  /**
   * The branch whose workflows may assume the build role.
   * @default 'main'
   */
  readonly defaultBranch?: string;
  /**
   * GitHub environments allowed to assume the deploy role.
   * @default ['staging', 'production']
   */
  readonly deployEnvironments?: readonly string[];
  /**
   * Version id of the GitHub token secret written by `slipway bootstrap`.
   * @default - the secret's current version when the Connection is created
   */
  readonly githubTokenSecretVersionId?: string;
  /**
   * Email subscribed to the approval route's failure alarm.
   * @default - none
   */
  readonly alarmEmail?: string;
}

/**
 * Everything a Slipway project needs once per account and region: encrypted artifact storage, the SageMaker
 * execution role, the model package group, the GitHub OIDC roles, the CloudFormation role that deploys the
 * endpoint stacks, and the approval route from the Model Registry to GitHub.
 */
export class ProjectStack extends Stack {
  readonly storage: ArtifactStorage;
  readonly executionRole: iam.Role;
  readonly endpointDeployerRole: iam.Role;
  readonly github: GitHubOidcRoles;
  readonly modelPackageGroup: sagemaker.CfnModelPackageGroup;
  readonly approvalRoute: ApprovalRoute;

  constructor(scope: Construct, id: string, props: ProjectStackProps) {
    super(scope, id, {
      description: `Slipway project ${props.project.projectName}: artifacts, roles, model registry, approval route`,
      ...props,
    });
    const { project } = props;
    const githubRepository = project.githubRepository;
    if (!githubRepository) {
      throw new ValidationError({
        where: 'slipway.config.json',
        field: 'githubRepository',
        problem: 'is missing, and the OIDC roles and the approval route need it',
        fix: 'run `npx slipway init --project NAME --github OWNER/REPO`',
      });
    }
    const names = roleNames(project);

    this.storage = new ArtifactStorage(this, 'Artifacts', {
      bucketName: project.artifactBucket,
      keyAlias: kmsKeyAlias(project),
    });

    this.modelPackageGroup = new sagemaker.CfnModelPackageGroup(this, 'ModelPackageGroup', {
      modelPackageGroupName: project.modelPackageGroupName,
      modelPackageGroupDescription: `Model versions of the Slipway project ${project.projectName}`,
    });

    this.executionRole = new iam.Role(this, 'SageMakerExecutionRole', {
      roleName: names.sagemakerExecution,
      description: `Runs the ${project.pipelineName} pipeline's jobs and the project's endpoints`,
      assumedBy: new iam.ServicePrincipal('sagemaker.amazonaws.com'),
    });
    grantSageMakerExecution(this.executionRole, { project, storage: this.storage });

    this.endpointDeployerRole = new iam.Role(this, 'EndpointDeployerRole', {
      roleName: names.endpointDeployer,
      description: `CloudFormation role that deploys the endpoint stacks of ${project.projectName}`,
      assumedBy: new iam.ServicePrincipal('cloudformation.amazonaws.com'),
    });
    grantEndpointDeployment(this.endpointDeployerRole, {
      project,
      storage: this.storage,
      executionRole: this.executionRole,
    });

    this.github = new GitHubOidcRoles(this, 'GitHub', {
      githubRepository,
      buildRoleName: names.githubBuild,
      deployRoleName: names.githubDeploy,
      ...(props.githubOidcProviderArn ? { existingProviderArn: props.githubOidcProviderArn } : {}),
      ...(props.defaultBranch ? { defaultBranch: props.defaultBranch } : {}),
      ...(props.deployEnvironments ? { deployEnvironments: props.deployEnvironments } : {}),
    });
    grantBuild(this.github.buildRole, { project, storage: this.storage, executionRole: this.executionRole });
    grantDeploy(this.github.deployRole, {
      project,
      endpointDeployerRole: this.endpointDeployerRole,
      endpointStackNamePattern: endpointStackName(project, '*'),
    });

    this.approvalRoute = new ApprovalRoute(this, 'ApprovalRoute', {
      ruleNamePrefix: approvalRuleNamePrefix(project),
      modelPackageGroupName: project.modelPackageGroupName,
      githubRepository,
      githubTokenSecretName: githubTokenSecretName(project),
      encryptionKey: this.storage.key,
      ...(props.githubTokenSecretVersionId ? { githubTokenSecretVersionId: props.githubTokenSecretVersionId } : {}),
      ...(props.alarmEmail ? { alarmEmail: props.alarmEmail } : {}),
    });

    for (const [key, value] of Object.entries(projectTags(project))) Tags.of(this).add(key, value);

    const output = (id: string, value: string, description: string): void => {
      new CfnOutput(this, id, { value, description });
    };
    output('ArtifactBucketName', this.storage.bucket.bucketName, 'Artifact bucket');
    output('KmsKeyArn', this.storage.key.keyArn, 'Project KMS key');
    output(
      'SageMakerExecutionRoleArn',
      this.executionRole.roleArn,
      'Role the pipeline and the endpoints run as (repository variable SLIPWAY_SAGEMAKER_ROLE_ARN)',
    );
    output('BuildRoleArn', this.github.buildRole.roleArn, 'Repository variable SLIPWAY_BUILD_ROLE_ARN');
    output('DeployRoleArn', this.github.deployRole.roleArn, 'Repository variable SLIPWAY_DEPLOY_ROLE_ARN');
    output('EndpointDeployerRoleArn', this.endpointDeployerRole.roleArn, 'CloudFormation role of the endpoint stacks');
    output('ModelPackageGroupName', project.modelPackageGroupName, 'Model package group');
    output('ApprovalDeadLetterQueueUrl', this.approvalRoute.deadLetterQueue.queueUrl, 'Undelivered approval events');
    output(
      'ApprovalAlarmTopicArn',
      this.approvalRoute.alarmTopic.topicArn,
      'Subscribe to hear about undelivered approvals',
    );
  }
}
