import { Duration, SecretValue, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cloudwatchActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { GITHUB_DISPATCH_HEADERS, approvalRoutes, repositoryDispatchUrl } from '../events/repository-dispatch.js';
import { GITHUB_TOKEN_SECRET_FIELD } from '../github-token-secret.js';
import { approvalRuleName } from '../names.js';
import { acknowledge } from './private/acknowledge.js';
import { asInterface } from './private/as-interface.js';
import { deadLetterAlarmProps } from './private/dead-letter-alarm.js';
import { accountArn, alarmArn } from './private/arns.js';
import { TransformerInput, toCdkEventPattern } from './private/transformer-input.js';

export interface ApprovalRouteProps {
  /** Prefix of the rule names, e.g. `slipway-sentiment`; the rules are `<prefix>-approved` and `<prefix>-rejected`. */
  readonly ruleNamePrefix: string;
  /** The model package group whose approvals are routed. */
  readonly modelPackageGroupName: string;
  /** `OWNER/REPO` that receives the repository_dispatch events. */
  readonly githubRepository: string;
  /**
   * Name of the Secrets Manager secret holding `{"authorization": "Bearer <token>"}`. `slipway bootstrap`
   * writes it; the template only carries a dynamic reference to it.
   */
  readonly githubTokenSecretName: string;
  /**
   * Version id of the secret to use. Passing the version written at bootstrap changes the template when
   * the token changes, so CloudFormation updates the Connection.
   * @default - the secret's current version, read when the Connection is created
   */
  readonly githubTokenSecretVersionId?: string;
  /** Key that encrypts the dead-letter queue and the alarm topic. */
  readonly encryptionKey: kms.IKey;
  /**
   * Name of the alarm on undelivered approvals. Fixed, so that the key policy names the one alarm that may
   * use the key (a generated name would make key → alarm → topic → key a cycle).
   */
  readonly alarmName: string;
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
   * Email address subscribed to the dead-letter alarm.
   * @default - no subscription; subscribe to the topic yourself
   */
  readonly alarmEmail?: string;
}

/**
 * Model package approvals → GitHub repository_dispatch, without a Lambda: one EventBridge rule per approval
 * status, each targeting an API destination (POST /repos/{owner}/{repo}/dispatches) through a Connection that
 * holds the token, with an input transformer building the dispatch body. Failed deliveries are retried, then
 * land in an encrypted dead-letter queue whose alarm notifies a topic.
 */
export class ApprovalRoute extends Construct {
  readonly connection: events.Connection;
  readonly destination: events.IApiDestination;
  readonly rules: readonly events.Rule[];
  readonly deadLetterQueue: sqs.Queue;
  readonly deadLetterAlarm: cloudwatch.Alarm;
  readonly alarmTopic: sns.Topic;

  constructor(scope: Construct, id: string, props: ApprovalRouteProps) {
    super(scope, id);
    const token = SecretValue.secretsManager(props.githubTokenSecretName, {
      jsonField: GITHUB_TOKEN_SECRET_FIELD,
      ...(props.githubTokenSecretVersionId ? { versionId: props.githubTokenSecretVersionId } : {}),
    });
    this.connection = new events.Connection(this, 'Connection', {
      description: `GitHub token for repository_dispatch to ${props.githubRepository}`,
      authorization: events.Authorization.apiKey('Authorization', token),
      headerParameters: Object.fromEntries(
        Object.entries(GITHUB_DISPATCH_HEADERS).map(([name, value]) => [name, events.HttpParameter.fromString(value)]),
      ),
    });
    this.destination = asInterface<events.IApiDestination>(
      new events.ApiDestination(this, 'Resource', {
        description: `repository_dispatch of ${props.githubRepository}`,
        connection: this.connection,
        endpoint: repositoryDispatchUrl(props.githubRepository),
        httpMethod: events.HttpMethod.POST,
        rateLimitPerSecond: 1,
      }),
    );

    this.deadLetterQueue = new sqs.Queue(this, 'DeadLetterQueue', {
      encryption: sqs.QueueEncryption.KMS,
      encryptionMasterKey: props.encryptionKey,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    acknowledge(this.deadLetterQueue, {
      id: 'AwsSolutions-SQS3',
      reason: 'This queue is itself the dead-letter queue of the approval route; nothing reads it automatically.',
    });

    this.rules = approvalRoutes(props.modelPackageGroupName).map(
      (route) =>
        new events.Rule(this, `${route.approvalStatus}Rule`, {
          ruleName: approvalRuleName(props.ruleNamePrefix, route.approvalStatus),
          description: `${route.approvalStatus} versions of ${props.modelPackageGroupName} → ${route.eventType}`,
          eventPattern: toCdkEventPattern(route.pattern),
          targets: [
            new targets.ApiDestination(this.destination, {
              event: new TransformerInput(route.transformer),
              deadLetterQueue: this.deadLetterQueue,
              retryAttempts: props.retryAttempts ?? 185,
              maxEventAge: props.maxEventAge ?? Duration.hours(24),
            }),
          ],
        }),
    );

    // EventBridge writes undeliverable events into the encrypted queue only if the key lets it.
    props.encryptionKey.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AllowTheApprovalRulesToUseTheDeadLetterQueueKey',
        principals: [new iam.ServicePrincipal('events.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
        resources: ['*'],
        // Built from the fixed rule names, not the rules' attributes: key → queue → rule → key would be a cycle.
        conditions: {
          ArnEquals: {
            'aws:SourceArn': approvalRoutes(props.modelPackageGroupName).map((route) =>
              accountArn('events', `rule/${approvalRuleName(props.ruleNamePrefix, route.approvalStatus)}`),
            ),
          },
        },
      }),
    );
    // CloudWatch publishes alarm notifications to the encrypted topic only if the key lets it: this account's
    // dead-letter alarm, and no other (aws:SourceArn and aws:SourceAccount keep out a confused deputy).
    props.encryptionKey.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AllowTheDeadLetterAlarmToUseTheTopicKey',
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'],
        conditions: {
          StringEquals: { 'aws:SourceAccount': Stack.of(this).account },
          ArnEquals: { 'aws:SourceArn': alarmArn(props.alarmName) },
        },
      }),
    );
    this.alarmTopic = new sns.Topic(this, 'AlarmTopic', {
      displayName: 'Slipway approval route failures',
      masterKey: props.encryptionKey,
      enforceSSL: true,
    });
    if (props.alarmEmail) this.alarmTopic.addSubscription(new subscriptions.EmailSubscription(props.alarmEmail));
    this.deadLetterAlarm = new cloudwatch.Alarm(this, 'DeadLetterAlarm', {
      alarmName: props.alarmName,
      alarmDescription: `An approval of ${props.modelPackageGroupName} could not be delivered to GitHub; see the dead-letter queue`,
      ...deadLetterAlarmProps(this.deadLetterQueue),
    });
    this.deadLetterAlarm.addAlarmAction(new cloudwatchActions.SnsAction(this.alarmTopic));
  }
}
