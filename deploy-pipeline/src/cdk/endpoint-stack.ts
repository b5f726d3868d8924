import { CfnOutput, Duration, Stack, Tags, type IStackSynthesizer, type StackProps } from 'aws-cdk-lib';
import * as appscaling from 'aws-cdk-lib/aws-applicationautoscaling';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as sagemaker from 'aws-cdk-lib/aws-sagemaker';
import type { Construct } from 'constructs';
import type { ProjectConfig } from '@slipway/core';
import type { StageConfig } from '../config/stage-config.js';
import {
  createEndpointConfigRequest,
  createModelRequest,
  deploymentConfig,
  endpointSpec,
  executionRoleArnOf,
  type EndpointSpec,
} from '../endpoint-spec.js';
import { endpointDeployerRoleName, kmsKeyAlias, projectTags } from '../names.js';
import { CliCredentialsOnlySynthesizer } from './cli-credentials-synthesizer.js';
import { asInterface } from './private/as-interface.js';
import { toL1Props } from './private/cfn-properties.js';
import { skipCheckov } from './private/checkov.js';

export interface EndpointStackProps extends StackProps {
  readonly project: ProjectConfig;
  /** The stage's settings, from `deploy-pipeline/config/<stage>.json`. */
  readonly stageConfig: StageConfig;
  /** The exact model package version to serve (context `modelPackageArn`). */
  readonly modelPackageArn: string;
}

/** SageMaker stores ModelLatency in microseconds. */
const MICROSECONDS_PER_MILLISECOND = 1000;

/**
 * One stage's endpoint serving one model package version: a Model made from the package, an endpoint config
 * named after the version (configs are immutable, so every version gets a new one) and the endpoint, whose
 * name never changes. Stages with a `deployment` section update blue/green with a canary and roll back on
 * the 5xx and latency alarms; stages with `autoscaling` track invocations per instance.
 *
 * Deployed with the stage's CloudFormation role, which ProjectStack creates (no CDK bootstrap roles or assets
 * needed): only the stage's own deploy role may pass it to CloudFormation.
 */
export class EndpointStack extends Stack {
  readonly spec: EndpointSpec;
  readonly model: sagemaker.CfnModel;
  readonly endpointConfig: sagemaker.CfnEndpointConfig;
  readonly endpoint: sagemaker.CfnEndpoint;

  constructor(scope: Construct, id: string, props: EndpointStackProps) {
    const spec = endpointSpec(props.project, props.stageConfig, props.modelPackageArn);
    super(scope, id, {
      ...props,
      description: `Slipway ${props.project.projectName} ${spec.stage} endpoint serving model package version ${spec.version}`,
      // The stage's account (its own, or the package's) and the package's region are where the endpoint runs.
      env: { account: spec.deployAccount, region: spec.region },
      synthesizer: asInterface<IStackSynthesizer>(
        new CliCredentialsOnlySynthesizer({
          cloudFormationExecutionRoleArn: `arn:${spec.partition}:iam::${spec.deployAccount}:role/${endpointDeployerRoleName(props.project, spec.stage)}`,
        }),
      ),
    });
    this.spec = spec;
    const { project, stageConfig } = props;
    // ProjectStack's role and key have fixed names, so the stage stacks refer to them by ARN rather than
    // importing exports (which would pin ProjectStack's outputs for as long as an endpoint exists).
    const executionRoleArn = executionRoleArnOf(project, spec);
    const kmsKeyId = stageConfig.encryptWithProjectKey
      ? `arn:${spec.partition}:kms:${spec.region}:${spec.account}:${kmsKeyAlias(project)}`
      : undefined;

    this.model = new sagemaker.CfnModel(this, 'Model', toL1Props(createModelRequest(spec, executionRoleArn)));
    if (!stageConfig.enableNetworkIsolation) {
      skipCheckov(this.model, {
        id: 'CKV_AWS_370',
        comment: `The ${spec.stage} stage config sets enableNetworkIsolation false: the scikit-learn container installs code/requirements.txt at start-up.`,
      });
    }
    this.endpointConfig = new sagemaker.CfnEndpointConfig(
      this,
      'EndpointConfig',
      toL1Props(createEndpointConfigRequest(spec, kmsKeyId ? { kmsKeyId } : {})),
    );
    this.endpointConfig.node.addDependency(this.model);

    const deployment = deploymentConfig(spec);
    this.endpoint = new sagemaker.CfnEndpoint(this, 'Endpoint', {
      endpointName: spec.endpointName,
      endpointConfigName: spec.endpointConfigName,
      ...(deployment
        ? { deploymentConfig: toL1Props<sagemaker.CfnEndpoint.DeploymentConfigProperty>(deployment) }
        : {}),
    });
    this.endpoint.node.addDependency(this.endpointConfig);
    Tags.of(this.endpoint).add('slipway:model-package-version', String(spec.version));

    if (stageConfig.deployment && spec.rollbackAlarmNames)
      this.addRollbackAlarms(spec, stageConfig.deployment.rollbackAlarms);
    if (stageConfig.autoscaling) this.addAutoscaling(spec, stageConfig.autoscaling);

    for (const [key, value] of Object.entries(projectTags(project))) Tags.of(this).add(key, value);
    new CfnOutput(this, 'EndpointName', { value: this.endpoint.attrEndpointName });
    new CfnOutput(this, 'EndpointArn', { value: this.endpoint.ref });
    new CfnOutput(this, 'ModelPackageArn', { value: spec.modelPackageArn });
  }

  private addRollbackAlarms(
    spec: EndpointSpec,
    thresholds: NonNullable<StageConfig['deployment']>['rollbackAlarms'],
  ): void {
    const dimensionsMap = { EndpointName: spec.endpointName, VariantName: spec.stageConfig.variantName };
    const metric = (metricName: string, statistic: string): cloudwatch.Metric =>
      new cloudwatch.Metric({
        namespace: 'AWS/SageMaker',
        metricName,
        dimensionsMap,
        statistic,
        period: Duration.minutes(1),
      });
    const alarms = [
      new cloudwatch.Alarm(this, 'Invocation5xxAlarm', {
        alarmName: spec.rollbackAlarmNames!.invocation5xx,
        alarmDescription: `Rolls back a ${spec.stage} update when the endpoint answers with 5xx errors`,
        metric: metric('Invocation5XXErrors', 'Sum'),
        threshold: thresholds.invocation5xxErrorsPerMinute,
        evaluationPeriods: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      }),
      new cloudwatch.Alarm(this, 'ModelLatencyAlarm', {
        alarmName: spec.rollbackAlarmNames!.modelLatency,
        alarmDescription: `Rolls back a ${spec.stage} update when p99 model latency exceeds ${thresholds.modelLatencyP99Milliseconds} ms`,
        metric: metric('ModelLatency', 'p99'),
        threshold: thresholds.modelLatencyP99Milliseconds * MICROSECONDS_PER_MILLISECOND,
        evaluationPeriods: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      }),
    ];
    // The endpoint names these alarms in its DeploymentConfig, so they must exist first.
    for (const alarm of alarms) this.endpoint.node.addDependency(alarm);
  }

  private addAutoscaling(spec: EndpointSpec, settings: NonNullable<StageConfig['autoscaling']>): void {
    // The L1 target without RoleARN uses Application Auto Scaling's service-linked role, so this stack
    // creates no IAM role and its CloudFormation role needs no iam:CreateRole.
    const target = new appscaling.CfnScalableTarget(this, 'ScalableTarget', {
      serviceNamespace: 'sagemaker',
      resourceId: `endpoint/${spec.endpointName}/variant/${spec.stageConfig.variantName}`,
      scalableDimension: 'sagemaker:variant:DesiredInstanceCount',
      minCapacity: settings.minCapacity,
      maxCapacity: settings.maxCapacity,
    });
    target.node.addDependency(this.endpoint);
    new appscaling.CfnScalingPolicy(this, 'InvocationsPerInstance', {
      policyName: `${spec.endpointName}-invocations-per-instance`,
      policyType: 'TargetTrackingScaling',
      scalingTargetId: target.ref,
      targetTrackingScalingPolicyConfiguration: {
        targetValue: settings.targetInvocationsPerInstance,
        predefinedMetricSpecification: { predefinedMetricType: 'SageMakerVariantInvocationsPerInstance' },
        scaleInCooldown: 300,
        scaleOutCooldown: 60,
      },
    });
  }
}
