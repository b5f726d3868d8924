/**
 * MonitoringStack: the AWS half of the drift loop, beside ProjectStack (which is at CloudFormation's inline
 * template limit). The drift rule reaches GitHub through ProjectStack's API destination, imported by its ARN.
 */
import { describe, expect, it } from '@jest/globals';
import { App, CfnWaitConditionHandle, Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as events from 'aws-cdk-lib/aws-events';
import { applyInputTransformer, matchesEventPattern } from '@slipway/core';
import {
  DRIFT_DETECTED,
  DRIFT_EVENT_SOURCE,
  DRIFT_CHECK_PARAMETERS,
  DRIFT_METRIC,
  driftDetectedPattern,
  driftDispatchTransformer,
  parseDriftDispatchPayload,
} from '../src/index.js';
import { MonitoringStack, type MonitoringStackProps } from '../src/cdk/index.js';
import { synthesize } from './support/cdk.js';

const STACK = 'slipway-sentiment-monitoring';
const PROJECT_STACK = 'slipway-sentiment-project';

type Resource = { Type: string; Properties: Record<string, unknown> };

describe('MonitoringStack', () => {
  const synthesized = synthesize();
  const template = synthesized.template(STACK);

  it('passes cdk-nag AwsSolutions and CDK validation with zero unacknowledged findings', () => {
    expect(synthesized.violations).toEqual([]);
    expect(synthesized.monitoringStack?.stackName).toBe(STACK);
  });

  it("routes drift of the group's live versions to model-drift-detected through ProjectStack's API destination", () => {
    const transformer = driftDispatchTransformer();
    template.hasResourceProperties('AWS::Events::Rule', {
      Name: 'slipway-sentiment-drift',
      EventPattern: driftDetectedPattern('sentiment-models'),
      State: 'ENABLED',
      Targets: [
        Match.objectLike({
          Arn: { 'Fn::ImportValue': Match.stringLikeRegexp('^slipway-sentiment-project:ExportsOutput.*ApprovalRoute') },
          RoleArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^DriftRuleRole'), 'Arn'] },
          InputTransformer: {
            InputPathsMap: { ...transformer.InputPathsMap },
            InputTemplate: transformer.InputTemplate,
          },
          RetryPolicy: { MaximumEventAgeInSeconds: 86400, MaximumRetryAttempts: 185 },
          DeadLetterConfig: { Arn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^DeadLetterQueue'), 'Arn'] } },
        }),
      ],
    });
    // No second Connection or destination (and so no second copy of the token).
    template.resourceCountIs('AWS::Events::ApiDestination', 0);
    template.resourceCountIs('AWS::Events::Connection', 0);
    // ProjectStack exports exactly the destination's ARN for it, and the rule's role may invoke only that.
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: [
          {
            Effect: 'Allow',
            Action: 'events:InvokeApiDestination',
            Resource: { 'Fn::ImportValue': Match.stringLikeRegexp('ApprovalRoute') },
          },
        ],
        Version: '2012-10-17',
      },
    });
    const exports = Object.values(
      synthesized.template(PROJECT_STACK).toJSON().Outputs as Record<string, { Export?: unknown; Value: unknown }>,
    )
      .filter((output) => output.Export)
      .map((output) => output.Value);
    expect(exports).toEqual([{ 'Fn::GetAtt': [expect.stringMatching(/^ApprovalRoute/), 'Arn'] }]);
  });

  it('the rule and its transformer turn a drift event into the body build.yml reads', () => {
    const event = {
      id: 'evt-7',
      source: DRIFT_EVENT_SOURCE,
      'detail-type': DRIFT_DETECTED,
      detail: {
        ModelPackageGroupName: 'sentiment-models',
        EndpointName: 'sentiment-prod',
        ModelPackageArn: 'arn:aws:sagemaker:us-east-1:123456789012:model-package/sentiment-models/3',
        CheckId: 'c-1',
        WindowStart: '2026-12-04T10:00:00Z',
        WindowEnd: '2026-12-04T11:00:00Z',
        ItemCount: 2000,
        Drifted: [{ feature: 'oov_rate', method: 'psi', distance: 0.9, threshold: 0.2, change: 'x' }],
        ReportS3Uri: 's3://b/monitoring/sentiment-prod/c-1/',
      },
    };
    const rule = Object.values(template.findResources('AWS::Events::Rule') as Record<string, Resource>)[0]!;
    expect(matchesEventPattern(rule.Properties.EventPattern as never, event)).toBe(true);
    expect(
      matchesEventPattern(rule.Properties.EventPattern as never, {
        ...event,
        detail: { ...event.detail, ModelPackageGroupName: 'other-models' },
      }),
    ).toBe(false);
    const target = (
      rule.Properties.Targets as {
        InputTransformer: { InputPathsMap: Record<string, string>; InputTemplate: string };
      }[]
    )[0]!;
    const body = JSON.parse(applyInputTransformer(target.InputTransformer, event)) as unknown;
    const payload = parseDriftDispatchPayload(body);
    expect([payload.endpoint_name, payload.event_id, payload.drifted?.[0]?.feature]).toEqual([
      'sentiment-prod',
      'evt-7',
      'oov_rate',
    ]);
  });

  it('keeps undeliverable drift events in its own KMS-encrypted, TLS-only queue, with an alarm on it', () => {
    template.hasResourceProperties('AWS::SQS::Queue', {
      KmsMasterKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^Key'), 'Arn'] },
      MessageRetentionPeriod: 1_209_600,
    });
    template.hasResourceProperties('AWS::SQS::QueuePolicy', {
      PolicyDocument: Match.objectLike({
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      }),
    });
    template.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: 'slipway-sentiment-drift-dead-letters',
      MetricName: 'ApproximateNumberOfMessagesVisible',
      AlarmActions: [{ Ref: Match.stringLikeRegexp('^AlarmTopic') }],
    });
    template.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: Match.anyValue() });
  });

  it('lets only the drift rule and its own named alarms use the key', () => {
    const key = Object.values(template.findResources('AWS::KMS::Key') as Record<string, Resource>)[0]!;
    const statements = (key.Properties.KeyPolicy as { Statement: { Principal: unknown; Condition?: unknown }[] })
      .Statement;
    const byService = (service: string) =>
      JSON.stringify(
        statements.find((statement) => JSON.stringify(statement.Principal) === JSON.stringify({ Service: service }))
          ?.Condition,
      );
    expect(byService('events.amazonaws.com')).toMatch(/ArnEquals.*rule\/slipway-sentiment-drift"/);
    expect(byService('cloudwatch.amazonaws.com')).toMatch(/aws:SourceAccount/);
    expect(byService('cloudwatch.amazonaws.com')).toMatch(/alarm:slipway-sentiment-drift-dead-letters/);
  });

  it("alarms on each stage's endpoint when a check publishes a drifted statistic, notifying the topic", () => {
    for (const stage of synthesized.project.stages) {
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        AlarmName: `slipway-sentiment-${stage}-drift`,
        Namespace: DRIFT_METRIC.namespace,
        MetricName: DRIFT_METRIC.metricName,
        Dimensions: [{ Name: DRIFT_METRIC.dimensionName, Value: `sentiment-${stage}` }],
        Statistic: 'Maximum',
        Period: 86_400,
        Threshold: 1,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        TreatMissingData: 'notBreaching',
        AlarmActions: [{ Ref: Match.stringLikeRegexp('^AlarmTopic') }],
      });
    }
    expect(Object.keys(template.findResources('AWS::CloudWatch::Alarm'))).toHaveLength(
      synthesized.project.stages.length + 1,
    );
    // The topic's key names every alarm that may publish to it.
    const key = Object.values(template.findResources('AWS::KMS::Key') as Record<string, Resource>)[0]!;
    const policy = JSON.stringify(key.Properties.KeyPolicy);
    for (const stage of synthesized.project.stages) expect(policy).toContain(`alarm:slipway-sentiment-${stage}-drift"`);
  });

  /** A MonitoringStack alone, on a destination given by its ARN (as another app would import it). */
  function standalone(props: Partial<MonitoringStackProps>): MonitoringStack {
    const app = new App();
    // The stack that would own the destination; a resource, so CDK's template checks do not flag it as empty.
    const other = new Stack(app, 'Other');
    new CfnWaitConditionHandle(other, 'Placeholder');
    const destination = events.ApiDestination.fromApiDestinationAttributes(other, 'Destination', {
      apiDestinationArn: 'arn:aws:events:us-east-1:123456789012:api-destination/d/abc',
      connection: events.Connection.fromEventBusArn(
        other,
        'C',
        'arn:aws:events:us-east-1:123456789012:connection/c/abc',
        'arn:aws:secretsmanager:us-east-1:123456789012:secret:s',
      ),
    });
    return new MonitoringStack(app, 'M', { project: synthesized.project, destination, ...props });
  }

  it('rejects a check period CloudWatch cannot alarm on, naming the field', () => {
    expect(() => standalone({ checkEvery: Duration.days(2) })).toThrow(/checkEvery.*between 1 minute and 1 day/);
  });

  it('runs the schedules at the period given, and stops them when asked', () => {
    const states = (props: Partial<MonitoringStackProps>) =>
      Object.values(
        Template.fromStack(standalone(props)).findResources('AWS::Scheduler::Schedule') as Record<string, Resource>,
      ).map((schedule) => [schedule.Properties.State, schedule.Properties.ScheduleExpression]);
    expect(states({ checkEvery: Duration.hours(6) })).toEqual(
      synthesized.project.stages.map(() => ['ENABLED', 'rate(6 hours)']),
    );
    expect(states({ scheduleChecks: false })).toEqual(
      synthesized.project.stages.map(() => ['DISABLED', 'rate(1 day)']),
    );
  });

  it('lets the build role (build.yml) create and update the drift-check pipeline, and not start it', () => {
    const policy = Object.entries(template.findResources('AWS::IAM::ManagedPolicy') as Record<string, Resource>).find(
      ([id]) => id.startsWith('DriftCheckUpsertPolicy'),
    )![1];
    expect(policy.Properties.Roles).toEqual(['slipway-sentiment-github-build']);
    const statements = (policy.Properties.PolicyDocument as { Statement: Record<string, unknown>[] }).Statement;
    expect(statements.flatMap((statement) => [statement.Action].flat()).sort()).toEqual(
      [
        'sagemaker:AddTags',
        'sagemaker:CreatePipeline',
        'sagemaker:DescribePipeline',
        'sagemaker:ListTags',
        'sagemaker:UpdatePipeline',
      ].sort(),
    );
    expect(JSON.stringify(statements.map((statement) => statement.Resource))).toMatch(
      /:pipeline\/slipway-sentiment-drift-check"/,
    );
    expect(JSON.stringify(statements)).not.toContain('StartPipelineExecution');
  });

  it("starts the drift-check pipeline for each stage's endpoint on a schedule, as a role that may start only it", () => {
    for (const stage of synthesized.project.stages) {
      template.hasResourceProperties('AWS::Scheduler::Schedule', {
        Name: `slipway-sentiment-${stage}-drift-check`,
        ScheduleExpression: 'rate(1 day)',
        ScheduleExpressionTimezone: 'UTC',
        // On by default: build.yml upserts the drift-check pipeline on every build.
        State: 'ENABLED',
        FlexibleTimeWindow: { Mode: 'OFF' },
        KmsKeyArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^Key'), 'Arn'] },
        Target: {
          Arn: { 'Fn::Sub': Match.stringLikeRegexp(':pipeline/slipway-sentiment-drift-check$') },
          RoleArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^SchedulerRole'), 'Arn'] },
          SageMakerPipelineParameters: {
            PipelineParameterList: [
              { Name: DRIFT_CHECK_PARAMETERS.endpointName, Value: `sentiment-${stage}` },
              { Name: DRIFT_CHECK_PARAMETERS.periodSeconds, Value: '86400' },
            ],
          },
          RetryPolicy: { MaximumEventAgeInSeconds: 3600, MaximumRetryAttempts: 10 },
          DeadLetterConfig: { Arn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^DeadLetterQueue'), 'Arn'] } },
        },
      });
    }
    const roles = template.findResources('AWS::IAM::Role') as Record<string, Resource>;
    const [roleId, role] = Object.entries(roles).find(([id]) => id.startsWith('SchedulerRole'))!;
    expect(JSON.stringify(role.Properties.AssumeRolePolicyDocument)).toMatch(
      /aws:SourceAccount.*scheduler\.amazonaws\.com/,
    );
    const policies = Object.values(template.findResources('AWS::IAM::Policy') as Record<string, Resource>).filter(
      (policy) => JSON.stringify(policy.Properties.Roles) === JSON.stringify([{ Ref: roleId }]),
    );
    const actions = policies.flatMap((policy) =>
      (policy.Properties.PolicyDocument as { Statement: { Action: string | string[] }[] }).Statement.flatMap(
        (statement) => [statement.Action].flat(),
      ),
    );
    expect(actions.sort()).toEqual(
      ['kms:Decrypt', 'kms:GenerateDataKey', 'sagemaker:StartPipelineExecution', 'sqs:SendMessage'].sort(),
    );
  });

  it('gives the check job (the execution role) only what it adds: describe endpoints, the metric, the event', () => {
    const policy = Object.entries(template.findResources('AWS::IAM::ManagedPolicy') as Record<string, Resource>).find(
      ([id]) => id.startsWith('DriftCheckJobPolicy'),
    )![1];
    expect(policy.Properties.Roles).toEqual(['slipway-sentiment-sagemaker-execution']);
    const statements = (policy.Properties.PolicyDocument as { Statement: Record<string, unknown>[] }).Statement;
    const text = JSON.stringify(statements);
    expect(text).toContain('"cloudwatch:namespace":"Slipway/Monitoring"');
    expect(text).toContain('event-bus/default');
    for (const stage of synthesized.project.stages) expect(text).toContain(`:endpoint/sentiment-${stage}"`);
    expect(statements.flatMap((statement) => [statement.Action].flat()).sort()).toEqual(
      [
        'cloudwatch:PutMetricData',
        'events:PutEvents',
        'sagemaker:DescribeEndpoint',
        'sagemaker:DescribeEndpointConfig',
        'sagemaker:DescribeModel',
      ].sort(),
    );
  });

  it('carries the SageMaker project tags', () => {
    template.hasResourceProperties('AWS::SQS::Queue', {
      Tags: Match.arrayWith([{ Key: 'sagemaker:project-name', Value: 'sentiment' }]),
    });
  });

  it('is not built when the app deploys one stage', () => {
    const oneStage = synthesize({
      stage: 'staging',
      modelPackageArn: 'arn:aws:sagemaker:us-east-1:123456789012:model-package/sentiment-models/3',
    });
    expect(oneStage.monitoringStack).toBeUndefined();
  });
});
