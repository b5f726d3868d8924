import { CfnOutput, Stack, Tags, type StackProps } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as sagemaker from 'aws-cdk-lib/aws-sagemaker';
import type { Construct } from 'constructs';
import { ValidationError, crossAccountStages, type ProjectConfig } from '@slipway/core';
import {
  WORKFLOW_FILES,
  approvalAlarmName,
  approvalRuleNamePrefix,
  endpointDeployerRoleName,
  githubDeployRoleName,
  githubEnvironmentName,
  githubTokenSecretName,
  kmsKeyAlias,
  projectTags,
  roleNames,
} from '../names.js';
import { deployRoleVariable, stageOutputId } from '../bootstrap/repository-variables.js';
import { ApprovalRoute } from './approval-route.js';
import { ArtifactStorage } from './artifact-storage.js';
import { GitHubOidcRoles } from './github-oidc-roles.js';
import { shareWithStageAccounts } from './private/cross-account-policies.js';
import {
  grantBuild,
  grantDeploy,
  grantDeployCommon,
  grantEndpointDeployment,
  grantEndpointDeploymentCommon,
  grantSageMakerExecution,
  grantSageMakerJobsCommon,
  grantSageMakerTraining,
  protectModelArtifacts,
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
   * The default branch: the roles trust the workflow files on it only.
   * @default 'main'
   */
  readonly defaultBranch?: string;
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
  /**
   * The `sagemaker:project-name` and `sagemaker:project-id` tags of every resource, e.g. the Studio project's
   * parameters when the stack is the SageMaker project template (ProjectTemplateStack).
   * @default projectTags(project)
   */
  readonly projectTags?: Readonly<Record<string, string>>;
}

/**
 * Everything a Slipway project needs once per account and region: encrypted artifact storage, the SageMaker
 * execution role, the model package group, the GitHub OIDC roles, the CloudFormation role that deploys the
 * endpoint stacks, and the approval route from the Model Registry to GitHub.
 */
export class ProjectStack extends Stack {
  readonly storage: ArtifactStorage;
  readonly executionRole: iam.Role;
  /** The role training jobs run as: the only one that may write model artifacts. */
  readonly trainingRole: iam.Role;
  /** The CloudFormation role of each stage's endpoint stack, by stage name. */
  readonly endpointDeployerRoles: ReadonlyMap<string, iam.Role>;
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
    // A stage in its own account gets its roles from its StageAccountStack there; this account shares the
    // registry, model artifacts and key with it instead.
    const crossAccount = crossAccountStages(project);
    const stages = project.stages.filter((stage) => !crossAccount.some((target) => target.stage === stage));

    this.storage = new ArtifactStorage(this, 'Artifacts', {
      bucketName: project.artifactBucket,
      keyAlias: kmsKeyAlias(project),
    });

    this.modelPackageGroup = new sagemaker.CfnModelPackageGroup(this, 'ModelPackageGroup', {
      modelPackageGroupName: project.modelPackageGroupName,
      modelPackageGroupDescription: `Model versions of the Slipway project ${project.projectName}`,
    });
    shareWithStageAccounts(project, {
      storage: this.storage,
      modelPackageGroup: this.modelPackageGroup,
      stages: crossAccount,
    });

    const jobsCommon = new iam.ManagedPolicy(this, 'SageMakerJobsCommonPolicy', {
      description: `Every ${project.projectName} SageMaker job`,
    });
    grantSageMakerJobsCommon(jobsCommon, { project, storage: this.storage });
    this.trainingRole = new iam.Role(this, 'SageMakerTrainingRole', {
      roleName: names.sagemakerTraining,
      description: `${project.pipelineName} training jobs: the only writer of models/`,
      assumedBy: new iam.ServicePrincipal('sagemaker.amazonaws.com'),
      managedPolicies: [jobsCommon],
    });
    grantSageMakerTraining(this.trainingRole, { storage: this.storage });
    protectModelArtifacts(this.storage.bucket, this.trainingRole);
    this.executionRole = new iam.Role(this, 'SageMakerExecutionRole', {
      roleName: names.sagemakerExecution,
      description: `${project.pipelineName} pipeline, processing jobs, endpoints`,
      assumedBy: new iam.ServicePrincipal('sagemaker.amazonaws.com'),
      managedPolicies: [jobsCommon],
    });
    grantSageMakerExecution(this.executionRole, {
      project,
      storage: this.storage,
      trainingRole: this.trainingRole,
    });

    // What every stage's role may do goes into one managed policy per kind, what one stage may do into that
    // stage's role: the template grows little per stage (it is sent inline, up to 51,200 bytes).
    const deployerCommon = new iam.ManagedPolicy(this, 'EndpointDeployerCommonPolicy', {
      description: `Every ${project.projectName} stage's CloudFormation role`,
    });
    grantEndpointDeploymentCommon(deployerCommon, {
      project,
      storage: this.storage,
      executionRole: this.executionRole,
    });
    const deployers = new Map<string, iam.Role>();
    for (const stage of stages) {
      const role = new iam.Role(this, `EndpointDeployerRole-${stage}`, {
        roleName: endpointDeployerRoleName(project, stage),
        description: `Deploys the ${stage} endpoint stack`,
        assumedBy: new iam.ServicePrincipal('cloudformation.amazonaws.com'),
        managedPolicies: [deployerCommon],
      });
      grantEndpointDeployment(role, { project, stage });
      deployers.set(stage, role);
    }
    this.endpointDeployerRoles = deployers;

    this.github = new GitHubOidcRoles(this, 'GitHub', {
      githubRepository,
      buildRoleName: names.githubBuild,
      deployRoles: stages.map((stage) => ({
        stage,
        roleName: githubDeployRoleName(project, stage),
        environment: githubEnvironmentName(stage),
      })),
      buildWorkflow: WORKFLOW_FILES.build,
      deployWorkflow: WORKFLOW_FILES.deploy,
      ...(props.githubOidcProviderArn ? { existingProviderArn: props.githubOidcProviderArn } : {}),
      ...(props.defaultBranch ? { defaultBranch: props.defaultBranch } : {}),
    });
    grantBuild(this.github.buildRole, {
      project,
      storage: this.storage,
      executionRole: this.executionRole,
      trainingRole: this.trainingRole,
    });
    const deployCommon = new iam.ManagedPolicy(this, 'GitHubDeployCommonPolicy', {
      description: `Every ${project.projectName} stage's GitHub deploy role`,
    });
    grantDeployCommon(deployCommon, { project, storage: this.storage });
    stages.forEach((stage) => {
      const index = project.stages.indexOf(stage);
      const previousStage = index > 0 ? project.stages[index - 1] : undefined;
      this.github.deployRoles.get(stage)!.addManagedPolicy(deployCommon);
      grantDeploy(this.github.deployRoles.get(stage)!, {
        project,
        stage,
        ...(previousStage ? { previousStage } : {}),
        endpointDeployerRole: deployers.get(stage)!,
      });
    });

    this.approvalRoute = new ApprovalRoute(this, 'ApprovalRoute', {
      ruleNamePrefix: approvalRuleNamePrefix(project),
      modelPackageGroupName: project.modelPackageGroupName,
      githubRepository,
      githubTokenSecretName: githubTokenSecretName(project),
      encryptionKey: this.storage.key,
      alarmName: approvalAlarmName(project),
      ...(props.githubTokenSecretVersionId ? { githubTokenSecretVersionId: props.githubTokenSecretVersionId } : {}),
      ...(props.alarmEmail ? { alarmEmail: props.alarmEmail } : {}),
    });

    for (const [key, value] of Object.entries(props.projectTags ?? projectTags(project))) Tags.of(this).add(key, value);

    // Descriptions stay short: with three stages this template is near CloudFormation's 51,200-byte inline limit.
    const output = (id: string, value: string, description: string): void => {
      new CfnOutput(this, id, { value, description });
    };
    output('ArtifactBucketName', this.storage.bucket.bucketName, 'Artifact bucket');
    output('KmsKeyArn', this.storage.key.keyArn, 'Project KMS key');
    output('SageMakerExecutionRoleArn', this.executionRole.roleArn, 'Repository variable SLIPWAY_SAGEMAKER_ROLE_ARN');
    output('SageMakerTrainingRoleArn', this.trainingRole.roleArn, 'Repository variable SLIPWAY_TRAINING_ROLE_ARN');
    output('BuildRoleArn', this.github.buildRole.roleArn, 'Repository variable SLIPWAY_BUILD_ROLE_ARN');
    for (const stage of stages) {
      output(
        stageOutputId(stage, 'DeployRoleArn'),
        this.github.deployRoles.get(stage)!.roleArn,
        `Repository variable ${deployRoleVariable(stage)}`,
      );
    }
    output('ModelPackageGroupName', project.modelPackageGroupName, 'Model package group');
    output('ApprovalDeadLetterQueueUrl', this.approvalRoute.deadLetterQueue.queueUrl, 'Undelivered approval events');
    output('ApprovalAlarmTopicArn', this.approvalRoute.alarmTopic.topicArn, 'Undelivered approvals alarm');
  }
}
