import { beforeAll, describe, expect, it } from '@jest/globals';
import { EventBridgeClient, PutEventsCommand, PutRuleCommand, PutTargetsCommand } from '@aws-sdk/client-eventbridge';
import {
  applyInputTransformer,
  matchesEventPattern,
  validateEventPattern,
  type EventPattern,
  type InputTransformer,
} from '@slipway/core';
import {
  APPROVAL_INPUT_PATHS,
  DISPATCH_EVENT_TYPES,
  REPOSITORY_DISPATCH_LIMITS,
  approvalRoutes,
  dispatchTransformer,
  validateRepositoryDispatchBody,
} from '../src/index.js';
import { approvalPatterns, eventPatternCases, SAMPLE_GROUP } from './fixtures/event-pattern-cases.js';
import {
  dispatchRequestSample,
  modelPackageEvent,
  rawModelPackageEvent,
  type Event,
} from './fixtures/sample-events.js';
import { describeWithMoto, motoClientConfig, type MotoServer } from './support/moto-server.js';

describe('validateRepositoryDispatchBody (GitHub limits)', () => {
  it('accepts a body of the shape GitHub documents', () => {
    const body = dispatchRequestSample();
    expect(validateRepositoryDispatchBody(body)).toEqual(body);
  });

  it('fails when event_type is longer than 100 characters', () => {
    expect(() =>
      validateRepositoryDispatchBody({ event_type: 'e'.repeat(REPOSITORY_DISPATCH_LIMITS.eventTypeMaxLength + 1) }),
    ).toThrow(/event_type must be at most 100 characters, got 101/);
  });

  it('fails when client_payload has more than 10 top-level keys', () => {
    const client_payload = Object.fromEntries(Array.from({ length: 11 }, (_, i) => [`k${i}`, i]));
    expect(() => validateRepositoryDispatchBody({ event_type: 'x', client_payload })).toThrow(
      /at most 10 top-level keys, got 11/,
    );
  });

  it('fails when client_payload is 64 KB or more', () => {
    expect(() =>
      validateRepositoryDispatchBody({ event_type: 'x', client_payload: { blob: 'b'.repeat(65_530) } }),
    ).toThrow(/smaller than 64 KB, got 65541 bytes/);
  });
});

describe('the dispatch transformer applied to the carried sample', () => {
  it.each(approvalRoutes(SAMPLE_GROUP).map((route) => [route.eventType, route.transformer] as const))(
    '%s gives a valid repository_dispatch body naming that exact version',
    (eventType, transformer) => {
      const body = validateRepositoryDispatchBody(JSON.parse(applyInputTransformer(transformer, modelPackageEvent())));
      expect(body).toEqual({
        event_type: eventType,
        client_payload: {
          model_package_arn: `arn:aws:sagemaker:eu-west-1:111122223333:model-package/${SAMPLE_GROUP}/4`,
          model_package_group: SAMPLE_GROUP,
          model_package_version: '4',
          approval_status: 'Rejected',
          event_id: '5d0c4a7e-2f41-4b8e-9c3a-7f1e6b2d9a10',
        },
      });
      expect(Object.keys(body.client_payload).length).toBeLessThanOrEqual(
        REPOSITORY_DISPATCH_LIMITS.clientPayloadMaxKeys,
      );
    },
  );

  it('copes with a duplicate "source" key (the published sample has one)', () => {
    const raw = rawModelPackageEvent();
    expect(raw.source).toEqual(['aws.sagemaker']);
    const body = JSON.parse(applyInputTransformer(dispatchTransformer(DISPATCH_EVENT_TYPES.Rejected), raw)) as Record<
      string,
      unknown
    >;
    expect(validateRepositoryDispatchBody(body).client_payload).toMatchObject({ model_package_version: '4' });
  });

  it('routes each approval status to its own rule with its own event type', () => {
    const routes = approvalRoutes('sentiment-models');
    expect(routes.map((route) => [route.approvalStatus, route.eventType])).toEqual([
      ['Approved', 'model-package-approved'],
      ['Rejected', 'model-package-rejected'],
    ]);
    for (const route of routes) expect(route.transformer.InputPathsMap).toEqual(APPROVAL_INPUT_PATHS);
  });
});

describe("the approval patterns on the project's matcher (matchesEventPattern from @slipway/core)", () => {
  const patterns = approvalPatterns();

  it('are valid EventBridge patterns', () => {
    for (const pattern of Object.values(patterns)) expect(() => validateEventPattern(pattern)).not.toThrow();
  });

  // The same table as the moto rules below, unsendable events included (the matcher takes any JSON).
  it.each(eventPatternCases().map((testCase) => [testCase.name, testCase] as const))('%s', (_name, testCase) => {
    for (const ruleName of ['combined', 'Approved', 'Rejected'] as const) {
      expect([ruleName, matchesEventPattern(patterns[ruleName], testCase.event)]).toEqual([
        ruleName,
        testCase.matches[ruleName],
      ]);
    }
  });
});

/**
 * moto does not implement TestEventPattern (it answers with an empty body), so each pattern is put on a
 * real moto rule whose SQS target uses the dispatch transformer; PutEvents then shows what EventBridge
 * would match and render.
 */
describeWithMoto('the approval patterns and transformer on moto EventBridge rules', (server) => {
  let events: EventBridgeClient;
  const queues = new Map<string, string>();

  async function sqs(action: string, body: Record<string, unknown>): Promise<Record<string, unknown>> {
    const response = await fetch(moto.url, {
      method: 'POST',
      headers: {
        'Content-Type': 'application/x-amz-json-1.0',
        'X-Amz-Target': `AmazonSQS.${action}`,
        Authorization: 'AWS4-HMAC-SHA256 Credential=testing/20260101/us-east-1/sqs/aws4_request',
      },
      body: JSON.stringify(body),
    });
    if (!response.ok) throw new Error(`SQS ${action} failed: ${response.status} ${await response.text()}`);
    return (await response.json()) as Record<string, unknown>;
  }

  async function drain(name: string): Promise<unknown[]> {
    const received = await sqs('ReceiveMessage', {
      QueueUrl: queues.get(name),
      MaxNumberOfMessages: 10,
      WaitTimeSeconds: 0,
    });
    const messages = (received.Messages ?? []) as { Body: string; ReceiptHandle: string }[];
    for (const message of messages)
      await sqs('DeleteMessage', { QueueUrl: queues.get(name), ReceiptHandle: message.ReceiptHandle });
    return messages.map((message) => JSON.parse(message.Body) as unknown);
  }

  async function rule(name: string, pattern: EventPattern, transformer: InputTransformer): Promise<void> {
    const created = await sqs('CreateQueue', { QueueName: `rule-${name}` });
    queues.set(name, created.QueueUrl as string);
    await events.send(new PutRuleCommand({ Name: name, EventPattern: JSON.stringify(pattern) }));
    await events.send(
      new PutTargetsCommand({
        Rule: name,
        Targets: [
          {
            Id: 'queue',
            Arn: `arn:aws:sqs:${moto.region}:123456789012:rule-${name}`,
            InputTransformer: {
              InputPathsMap: { ...transformer.InputPathsMap },
              InputTemplate: transformer.InputTemplate,
            },
          },
        ],
      }),
    );
  }

  async function send(event: Event): Promise<void> {
    const result = await events.send(
      new PutEventsCommand({
        Entries: [
          {
            Source: event.source as string,
            DetailType: event['detail-type'] as string,
            Detail: JSON.stringify(event.detail),
            Resources: event.resources as string[],
          },
        ],
      }),
    );
    expect(result.FailedEntryCount ?? 0).toBe(0);
  }

  let moto: MotoServer;
  beforeAll(async () => {
    moto = server();
    events = new EventBridgeClient(motoClientConfig(moto));
    const patterns = approvalPatterns();
    await rule('combined', patterns.combined, dispatchTransformer(DISPATCH_EVENT_TYPES.Approved));
    await rule('Approved', patterns.Approved, dispatchTransformer(DISPATCH_EVENT_TYPES.Approved));
    await rule('Rejected', patterns.Rejected, dispatchTransformer(DISPATCH_EVENT_TYPES.Rejected));
  });

  it.each(
    eventPatternCases()
      .filter((testCase) => testCase.sendable)
      .map((testCase) => [testCase.name, testCase] as const),
  )('%s', async (_name, testCase) => {
    await send(testCase.event);
    for (const ruleName of ['combined', 'Approved', 'Rejected'] as const) {
      const delivered = await drain(ruleName);
      expect([ruleName, delivered.length]).toEqual([ruleName, testCase.matches[ruleName] ? 1 : 0]);
    }
  });

  it('renders the same dispatch body as applyInputTransformer', async () => {
    const event = modelPackageEvent({ ModelApprovalStatus: 'Approved' });
    await send(event);
    const [delivered] = await drain('Approved');
    await drain('combined');
    const route = approvalRoutes(SAMPLE_GROUP).find((candidate) => candidate.approvalStatus === 'Approved')!;
    // EventBridge gives every event it accepts its own id: the one the rule's target received.
    const id = (delivered as { client_payload: { event_id: string } }).client_payload.event_id;
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    expect(delivered).toEqual(JSON.parse(applyInputTransformer(route.transformer, { ...event, id })));
    expect(validateRepositoryDispatchBody(delivered).event_type).toBe('model-package-approved');
  });
});
