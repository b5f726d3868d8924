import { CfnOutput, Duration, Stack, Tags, type StackProps } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cloudwatchActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import type { Construct } from 'constructs';
import { ValidationError, type LoadedProjectConfig, type StageTarget } from '@slipway/core';
import type { StageConfig } from '../config/stage-config.js';
import { GITHUB_OIDC_AUDIENCE, GITHUB_OIDC_ISSUER, githubOidcSubject } from '../github/oidc-subject.js';
import {
  WORKFLOW_FILES,
  endpointDeployerRoleName,
  endpointName,
  githubDeployRoleName,
  githubEnvironmentName,
  projectTags,
  roleNames,
  stageEndpointAlarmName,
} from '../names.js';
import { deployRoleVariable, stageOutputId } from '../bootstrap/repository-variables.js';
import { githubOidcPrincipal } from './github-oidc-roles.js';
import {
  grantContainerRuntime,
  grantDeploy,
  grantEndpointAutoscaling,
  grantEndpointDeployment,
} from './private/project-policies.js';
import {
  grantStageDeployReads,
  grantStageEndpointDeployerReads,
  grantStageEndpointExecution,
} from './private/stage-account-policies.js';

export interface StageAccountStackProps extends StackProps {
  readonly project: LoadedProjectConfig;
  /** The stage and its own account (`stageAccounts` in slipway.config.json). */
  readonly target: StageTarget;
  readonly stageConfig: StageConfig;
  /**
   * ARN of the stage account's existing GitHub OIDC provider.
   * @default - a new provider is created
   */
  readonly githubOidcProviderArn?: string;
  /** @default 'main' */
  readonly defaultBranch?: string;
  /** @default - no email subscription to the endpoint alarms */
  readonly alarmEmail?: string;
}

/**
 * What a stage in its own AWS account needs there, deployed by `slipway bootstrap --stage S` with that
 * account's credentials: the stage's GitHub deploy role (trusted by that GitHub environment's deploy jobs
 * only, pinned like ProjectStack's), the CloudFormation role of its endpoint stack, the SageMaker execution
 * role its endpoints run as, and alarms on its endpoint. The registry, model artifacts and key stay in the
 * build account, whose ProjectStack shares them with exactly these roles.
 */
export class StageAccountStack extends Stack {
  readonly deployRole: iam.Role;
  readonly endpointDeployerRole: iam.Role;
  readonly executionRole: iam.Role;
  readonly alarms: readonly cloudwatch.Alarm[];

  constructor(scope: Construct, id: string, props: StageAccountStackProps) {
    const { project, target } = props;
    super(scope, id, {
      description: `Slipway project ${project.projectName}: the ${target.stage} stage's roles and alarms in its own account`,
      ...props,
    });
    const repository = project.githubRepository;
    if (!repository || !project.buildAccount || !target.account) {
      throw new ValidationError({
        where: 'slipway.config.json',
        field: repository ? 'buildAccount' : 'githubRepository',
        problem: 'is missing, and a stage account stack needs it',
        fix: repository
          ? 'set buildAccount to the 12-digit id of the account ProjectStack is deployed in'
          : 'run `npx slipway init --project NAME --github OWNER/REPO`',
      });
    }
    const { stage } = target;
    const provider = props.githubOidcProviderArn
      ? iam.OidcProviderNative.fromOidcProviderArn(this, 'GitHubOidcProvider', props.githubOidcProviderArn)
      : new iam.OidcProviderNative(this, 'GitHubOidcProvider', {
          url: `https://${GITHUB_OIDC_ISSUER}`,
          clientIds: [GITHUB_OIDC_AUDIENCE],
        });
    const subject = githubOidcSubject({
      repository,
      context: { environment: githubEnvironmentName(stage) },
      workflowFile: WORKFLOW_FILES.deploy,
      branch: props.defaultBranch ?? 'main',
    });

    this.executionRole = new iam.Role(this, 'EndpointExecutionRole', {
      roleName: roleNames(project).sagemakerExecution,
      description: `${stage} endpoints of ${project.projectName}`,
      assumedBy: new iam.ServicePrincipal('sagemaker.amazonaws.com'),
    });
    grantStageEndpointExecution(this.executionRole, { project, target });
    grantContainerRuntime(this.executionRole, project);

    this.endpointDeployerRole = new iam.Role(this, 'EndpointDeployerRole', {
      roleName: endpointDeployerRoleName(project, stage),
      description: `Deploys the ${stage} endpoint stack`,
      assumedBy: new iam.ServicePrincipal('cloudformation.amazonaws.com'),
    });
    grantEndpointDeployment(this.endpointDeployerRole, { project, stage });
    grantEndpointAutoscaling(this.endpointDeployerRole);
    grantStageEndpointDeployerReads(this.endpointDeployerRole, { project });
    this.endpointDeployerRole.addToPolicy(
      new iam.PolicyStatement({
        actions: ['iam:PassRole'],
        resources: [this.executionRole.roleArn],
        conditions: { StringEquals: { 'iam:PassedToService': 'sagemaker.amazonaws.com' } },
      }),
    );

    this.deployRole = new iam.Role(this, 'DeployRole', {
      roleName: githubDeployRoleName(project, stage),
      description: `GitHub ${githubEnvironmentName(stage)} deploy jobs`,
      assumedBy: githubOidcPrincipal(provider, subject),
      maxSessionDuration: Duration.hours(2),
    });
    grantDeploy(this.deployRole, { project, stage, endpointDeployerRole: this.endpointDeployerRole });
    grantStageDeployReads(this.deployRole, { project, target });

    // Alarms on the endpoint's own metrics, which are in this account: errors, and latency over the stage's
    // test threshold. Encrypted topic, TLS only.
    const topic = new sns.Topic(this, 'AlarmTopic', {
      displayName: `Slipway ${project.projectName} ${stage} endpoint`,
      masterKey: kms.Alias.fromAliasName(this, 'SnsKey', 'alias/aws/sns'),
      enforceSSL: true,
    });
    if (props.alarmEmail) topic.addSubscription(new subscriptions.EmailSubscription(props.alarmEmail));
    const dimensionsMap = { EndpointName: endpointName(project, stage), VariantName: props.stageConfig.variantName };
    const alarm = (id: string, alarmProps: cloudwatch.AlarmProps): cloudwatch.Alarm => {
      const created = new cloudwatch.Alarm(this, id, alarmProps);
      created.addAlarmAction(new cloudwatchActions.SnsAction(topic));
      return created;
    };
    this.alarms = [
      alarm('EndpointErrorsAlarm', {
        alarmName: stageEndpointAlarmName(project, stage, 'errors'),
        alarmDescription: `${endpointName(project, stage)} answered 5XX errors`,
        metric: new cloudwatch.Metric({
          namespace: 'AWS/SageMaker',
          metricName: 'Invocation5XXErrors',
          dimensionsMap,
          statistic: 'Sum',
          period: Duration.minutes(5),
        }),
        threshold: 1,
        evaluationPeriods: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      }),
      alarm('EndpointLatencyAlarm', {
        alarmName: stageEndpointAlarmName(project, stage, 'latency'),
        alarmDescription: `${endpointName(project, stage)} p95 model latency above the stage's ${props.stageConfig.endpointTests.maxP95LatencyMs} ms`,
        metric: new cloudwatch.Metric({
          namespace: 'AWS/SageMaker',
          metricName: 'ModelLatency',
          dimensionsMap,
          statistic: 'p95',
          period: Duration.minutes(5),
        }),
        // ModelLatency is in microseconds.
        threshold: props.stageConfig.endpointTests.maxP95LatencyMs * 1000,
        evaluationPeriods: 3,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      }),
    ];

    for (const [key, value] of Object.entries(projectTags(project))) Tags.of(this).add(key, value);
    new CfnOutput(this, stageOutputId(stage, 'DeployRoleArn'), {
      value: this.deployRole.roleArn,
      description: `Repository variable ${deployRoleVariable(stage)}`,
    });
    new CfnOutput(this, 'EndpointExecutionRoleArn', {
      value: this.executionRole.roleArn,
      description: 'Endpoint role',
    });
    new CfnOutput(this, 'AlarmTopicArn', { value: topic.topicArn, description: 'Endpoint alarms' });
  }
}
