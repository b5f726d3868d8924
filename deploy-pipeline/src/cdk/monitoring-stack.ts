import { Duration, Lazy, Stack, Tags, type StackProps } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cloudwatchActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { ValidationError, type ProjectConfig } from '@slipway/core';
import { driftDetectedPattern, driftDispatchTransformer } from '../monitoring/drift-event.js';
import { DRIFT_CHECK_PARAMETERS } from '../monitoring/drift-check-pipeline.js';
import { DRIFT_METRIC } from '../monitoring/drift-metric.js';
import {
  approvalRuleNamePrefix,
  deploymentResourceNamePrefix,
  driftAlarmName,
  driftCheckPipelineName,
  driftCheckScheduleName,
  driftDeadLetterAlarmName,
  driftRuleName,
  endpointName,
  projectTags,
  roleNames,
} from '../names.js';
import { acknowledge, allow } from './private/acknowledge.js';
import { deadLetterAlarmProps } from './private/dead-letter-alarm.js';
import { accountArn, alarmArn, sagemakerArn } from './private/arns.js';
import { TransformerInput, toCdkEventPattern } from './private/transformer-input.js';

export interface MonitoringStackProps extends StackProps {
  readonly project: ProjectConfig;
  /**
   * The approval route's API destination (ProjectStack's): drift events go to the same repository_dispatch
   * endpoint through the same Connection and token. Passed as the construct, CDK exports its ARN from
   * ProjectStack and imports it here.
   */
  readonly destination: events.IApiDestination;
  /**
   * How long EventBridge keeps retrying a failed delivery.
   * @default Duration.hours(24)
   */
  readonly maxEventAge?: Duration;
  /**
   * Delivery attempts before an event goes to the dead-letter queue.
   * @default 185 (EventBridge's maximum)
   */
  readonly retryAttempts?: number;
  /**
   * How often each endpoint's traffic is checked: the window of one check, and the period of its drift alarm.
   * @default Duration.days(1)
   */
  readonly checkEvery?: Duration;
  /**
   * Whether the drift-check schedules run. build.yml upserts the `slipway-<project>-drift-check` pipeline
   * (build-pipeline/drift-check.ts) on every build, so it exists from the project's first build on; a start
   * before that finds no pipeline and lands in the dead-letter queue (its alarm says so). Turn it off to stop
   * checking without deleting the schedules.
   * @default true
   */
  readonly scheduleChecks?: boolean;
  /**
   * Email address subscribed to the monitoring alarms.
   * @default - no subscription; subscribe to the topic yourself
   */
  readonly alarmEmail?: string;
}

/**
 * The AWS half of the drift loop, in a stack of its own because ProjectStack is at CloudFormation's inline
 * template limit: the `<prefix>-drift` rule (a drift check's Model Drift Detected event → repository_dispatch
 * `model-drift-detected`, which runs build.yml) on ProjectStack's API destination, with its own retries,
 * encrypted dead-letter queue and alarm, and the topic the monitoring alarms notify.
 */
export class MonitoringStack extends Stack {
  /** Encrypts the dead-letter queue and the alarm topic. */
  readonly key: kms.Key;
  readonly rule: events.Rule;
  readonly deadLetterQueue: sqs.Queue;
  readonly deadLetterAlarm: cloudwatch.Alarm;
  readonly alarmTopic: sns.Topic;
  /** The schedule that starts each stage's endpoint's drift check, by stage. */
  readonly schedules: ReadonlyMap<string, scheduler.CfnSchedule>;
  /** The role the schedules start the drift-check pipeline as: that pipeline only. */
  readonly schedulerRole: iam.Role;
  /** The drift alarm of each stage's endpoint, by stage. */
  readonly driftAlarms: ReadonlyMap<string, cloudwatch.Alarm>;
  /** Names of the alarms that may publish to the topic (its key policy names each). */
  private readonly alarmNames: string[] = [];

  constructor(scope: Construct, id: string, props: MonitoringStackProps) {
    super(scope, id, {
      description: `Slipway project ${props.project.projectName}: drift route and monitoring alarms`,
      ...props,
    });
    const { project } = props;
    const ruleName = driftRuleName(approvalRuleNamePrefix(project));

    this.key = new kms.Key(this, 'Key', {
      description: `Slipway ${project.projectName}: drift route dead letters and monitoring alarm topic`,
      enableKeyRotation: true,
    });
    // EventBridge writes undeliverable events into the encrypted queue only if the key lets it; the rule is
    // named by its fixed name, not its attribute (key → queue → rule → key would be a cycle).
    this.key.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AllowTheDriftRuleToUseTheDeadLetterQueueKey',
        principals: [new iam.ServicePrincipal('events.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
        resources: ['*'],
        conditions: { ArnEquals: { 'aws:SourceArn': accountArn('events', `rule/${ruleName}`) } },
      }),
    );

    this.deadLetterQueue = new sqs.Queue(this, 'DeadLetterQueue', {
      encryption: sqs.QueueEncryption.KMS,
      encryptionMasterKey: this.key,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    acknowledge(this.deadLetterQueue, {
      id: 'AwsSolutions-SQS3',
      reason: 'This queue is itself the dead-letter queue of the drift route; nothing reads it automatically.',
    });

    // Its own role: the destination's default (ProjectStack's events role) would put this rule's grant, and an
    // export of that role, into ProjectStack.
    const invokeRole = new iam.Role(this, 'DriftRuleRole', {
      assumedBy: new iam.ServicePrincipal('events.amazonaws.com'),
      description: `Lets the ${ruleName} rule call the repository_dispatch API destination`,
    });
    this.rule = new events.Rule(this, 'DriftRule', {
      ruleName,
      description: `Drift of ${project.modelPackageGroupName}'s live versions → model-drift-detected (retrain)`,
      eventPattern: toCdkEventPattern(driftDetectedPattern(project.modelPackageGroupName)),
      targets: [
        new targets.ApiDestination(props.destination, {
          event: new TransformerInput(driftDispatchTransformer()),
          eventRole: invokeRole,
          deadLetterQueue: this.deadLetterQueue,
          retryAttempts: props.retryAttempts ?? 185,
          maxEventAge: props.maxEventAge ?? Duration.hours(24),
        }),
      ],
    });

    this.alarmTopic = new sns.Topic(this, 'AlarmTopic', {
      displayName: `Slipway ${project.projectName} monitoring`,
      masterKey: this.key,
      enforceSSL: true,
    });
    if (props.alarmEmail) this.alarmTopic.addSubscription(new subscriptions.EmailSubscription(props.alarmEmail));
    this.deadLetterAlarm = this.alarm('DeadLetterAlarm', {
      alarmName: driftDeadLetterAlarmName(project),
      alarmDescription: `A drift event of ${project.modelPackageGroupName} could not be delivered to GitHub; see the dead-letter queue`,
      ...deadLetterAlarmProps(this.deadLetterQueue),
    });

    // One alarm per stage's endpoint, on the metric each check publishes: any drifted statistic in a period.
    const checkEvery = props.checkEvery ?? Duration.days(1);
    // CloudWatch alarm periods are whole minutes and at most a day.
    if (checkEvery.toSeconds() % 60 !== 0 || checkEvery.toSeconds() < 60 || checkEvery.toSeconds() > 86_400) {
      throw new ValidationError({
        where: 'MonitoringStack',
        field: 'checkEvery',
        problem: `must be whole minutes between 1 minute and 1 day, got ${checkEvery.toHumanString()}`,
        fix: 'check every hour (Duration.hours(1)) up to every day (Duration.days(1))',
      });
    }
    this.driftAlarms = new Map(
      project.stages.map((stage) => {
        const endpoint = endpointName(project, stage);
        const alarm = this.alarm(`${stage}DriftAlarm`, {
          alarmName: driftAlarmName(project, stage),
          alarmDescription: `The traffic of ${endpoint} drifted from its live version's baseline; a retrain was requested (see the build workflow)`,
          metric: new cloudwatch.Metric({
            namespace: DRIFT_METRIC.namespace,
            metricName: DRIFT_METRIC.metricName,
            dimensionsMap: { [DRIFT_METRIC.dimensionName]: endpoint },
            statistic: 'Maximum',
            period: checkEvery,
          }),
          threshold: 1,
          evaluationPeriods: 1,
          comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
          // No check in a period (no traffic, or a stage not deployed yet) is not drift.
          treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
        });
        return [stage, alarm] as const;
      }),
    );

    // The scheduled check: one EventBridge Scheduler schedule per stage's endpoint starts the drift-check
    // pipeline with that endpoint and the period; undeliverable starts go to the dead-letter queue.
    const pipelineArn = sagemakerArn(project.region, 'pipeline', driftCheckPipelineName(project));
    this.schedulerRole = new iam.Role(this, 'SchedulerRole', {
      assumedBy: new iam.ServicePrincipal('scheduler.amazonaws.com', {
        conditions: { StringEquals: { 'aws:SourceAccount': this.account } },
      }),
      description: `Lets the drift-check schedules start ${driftCheckPipelineName(project)} and nothing else`,
    });
    this.schedulerRole.addToPolicy(
      new iam.PolicyStatement({ actions: ['sagemaker:StartPipelineExecution'], resources: [pipelineArn] }),
    );
    // Scheduler writes undeliverable starts into the encrypted queue, and reads the schedule's encrypted data, as
    // this role.
    this.schedulerRole.addToPolicy(
      new iam.PolicyStatement({ actions: ['sqs:SendMessage'], resources: [this.deadLetterQueue.queueArn] }),
    );
    this.schedulerRole.addToPolicy(
      new iam.PolicyStatement({ actions: ['kms:Decrypt', 'kms:GenerateDataKey'], resources: [this.key.keyArn] }),
    );
    this.schedules = new Map(
      project.stages.map((stage) => {
        const schedule = new scheduler.CfnSchedule(this, `${stage}DriftCheckSchedule`, {
          name: driftCheckScheduleName(project, stage),
          description: `Drift check of ${endpointName(project, stage)}: its last ${checkEvery.toHumanString()} of captured traffic`,
          scheduleExpression: rateExpression(checkEvery),
          scheduleExpressionTimezone: 'UTC',
          state: (props.scheduleChecks ?? true) ? 'ENABLED' : 'DISABLED',
          flexibleTimeWindow: { mode: 'OFF' },
          kmsKeyArn: this.key.keyArn,
          target: {
            arn: pipelineArn,
            roleArn: this.schedulerRole.roleArn,
            sageMakerPipelineParameters: {
              pipelineParameterList: [
                { name: DRIFT_CHECK_PARAMETERS.endpointName, value: endpointName(project, stage) },
                { name: DRIFT_CHECK_PARAMETERS.periodSeconds, value: String(checkEvery.toSeconds()) },
              ],
            },
            retryPolicy: { maximumEventAgeInSeconds: 3600, maximumRetryAttempts: 10 },
            deadLetterConfig: { arn: this.deadLetterQueue.queueArn },
          },
        });
        return [stage, schedule] as const;
      }),
    );

    // build.yml upserts the drift-check pipeline (never starts it: the schedules do) as the GitHub build role,
    // whose policies in ProjectStack name only the project's own pipeline. Here, not there: ProjectStack is at its
    // size limit.
    const buildRole = iam.Role.fromRoleName(this, 'BuildRole', roleNames(project).githubBuild);
    const buildPolicy = new iam.ManagedPolicy(this, 'DriftCheckUpsertPolicy', {
      description: `Lets build.yml create and update ${driftCheckPipelineName(project)}, not start it`,
      roles: [buildRole],
    });
    allow(
      buildPolicy,
      [
        'sagemaker:CreatePipeline',
        'sagemaker:UpdatePipeline',
        'sagemaker:DescribePipeline',
        'sagemaker:AddTags',
        'sagemaker:ListTags',
      ],
      [pipelineArn],
    );

    // What the check job (monitoring.py check-endpoint, run as the project's SageMaker execution role) needs
    // beyond the pipeline steps' grants in ProjectStack: read the project's endpoints, publish the metric and
    // the drift event. Here, not in ProjectStack, which is at its size limit.
    const executionRole = iam.Role.fromRoleName(this, 'ExecutionRole', roleNames(project).sagemakerExecution);
    const jobPolicy = new iam.ManagedPolicy(this, 'DriftCheckJobPolicy', {
      description: `What the drift check of ${project.projectName}'s endpoints adds to the SageMaker execution role`,
      roles: [executionRole],
    });
    allow(
      jobPolicy,
      ['sagemaker:DescribeEndpoint'],
      project.stages.map((stage) => sagemakerArn(project.region, 'endpoint', endpointName(project, stage))),
    );
    allow(
      jobPolicy,
      ['sagemaker:DescribeEndpointConfig', 'sagemaker:DescribeModel'],
      project.stages.flatMap((stage) =>
        ['endpoint-config', 'model'].map((type) =>
          sagemakerArn(project.region, type, `${deploymentResourceNamePrefix(project, stage)}*`),
        ),
      ),
      {
        wildcardReason:
          "A stage's endpoint configs and models are named per version under one prefix (deploymentResourceName).",
      },
    );
    allow(jobPolicy, ['events:PutEvents'], [accountArn('events', 'event-bus/default', project.region)]);
    allow(jobPolicy, ['cloudwatch:PutMetricData'], ['*'], {
      conditions: { StringEquals: { 'cloudwatch:namespace': DRIFT_METRIC.namespace } },
      wildcardReason: 'PutMetricData has no resource type; the namespace condition limits it to the drift metric.',
    });

    // CloudWatch publishes to the encrypted topic only if the key lets it: this account's named alarms, and no
    // other (aws:SourceArn and aws:SourceAccount keep out a confused deputy). Lazy: resolved at synthesis, when
    // every alarm of this stack is named.
    this.key.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AllowTheMonitoringAlarmsToUseTheTopicKey',
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'],
        conditions: {
          StringEquals: { 'aws:SourceAccount': this.account },
          ArnEquals: { 'aws:SourceArn': Lazy.list({ produce: () => this.alarmNames.map((name) => alarmArn(name)) }) },
        },
      }),
    );

    for (const [key, value] of Object.entries(projectTags(project))) Tags.of(this).add(key, value);
  }

  /** A fixed-name alarm that notifies the topic; its name goes into the key policy. */
  private alarm(id: string, props: cloudwatch.AlarmProps & { alarmName: string }): cloudwatch.Alarm {
    this.alarmNames.push(props.alarmName);
    const alarm = new cloudwatch.Alarm(this, id, props);
    alarm.addAlarmAction(new cloudwatchActions.SnsAction(this.alarmTopic));
    return alarm;
  }
}

/** EventBridge Scheduler's `rate(…)` for a period of whole minutes, in the largest unit that divides it. */
function rateExpression(period: Duration): string {
  const minutes = period.toMinutes();
  const [value, unit] =
    minutes % 1440 === 0 ? [minutes / 1440, 'day'] : minutes % 60 === 0 ? [minutes / 60, 'hour'] : [minutes, 'minute'];
  return `rate(${value} ${unit}${value === 1 ? '' : 's'})`;
}
