import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  DeleteRuleCommand,
  DescribeRuleCommand,
  EventBridgeClient,
  ListRulesCommand,
  ListTargetsByRuleCommand,
  PutEventsCommand,
  PutRuleCommand,
  PutTargetsCommand,
  RemoveTargetsCommand,
  TestEventPatternCommand,
} from '@aws-sdk/client-eventbridge';
import {
  CreateModelPackageCommand,
  CreateModelPackageGroupCommand,
  UpdateModelPackageCommand,
} from '@aws-sdk/client-sagemaker';
import type { EventBridgeEvent } from '@slipway/core';
import { openLocalService, type LocalService } from '@slipway/local';
import {
  callOperation,
  localClientConfig,
  memoryLogger,
  startTestServer,
  tempDir,
  type TestServer,
} from './support/harness.js';
import { MOTO_SERVER, motoAvailable } from './support/moto.js';

const FAST = { retryBaseMs: 20, retryMaxMs: 100, maxAttempts: 3 };

interface Receiver {
  readonly url: string;
  readonly bodies: unknown[];
  close(): Promise<void>;
}

/** An HTTP target that fails the first `failures` requests with 500, then accepts with 204. */
async function receiver(failures = 0): Promise<Receiver> {
  const bodies: unknown[] = [];
  let seen = 0;
  const server: Server = createServer((request, response) => {
    let text = '';
    request.on('data', (chunk: Buffer) => (text += chunk.toString()));
    request.on('end', () => {
      seen += 1;
      if (seen <= failures) return void response.writeHead(500).end('not yet');
      bodies.push(JSON.parse(text));
      response.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${address.port}/hook`,
    bodies,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

function sampleEvent(service: LocalService, detail: Record<string, unknown>): EventBridgeEvent {
  return service.events.envelope('aws.sagemaker', 'SageMaker Model Package State Change', detail, ['arn:x']);
}

describe('event bus delivery', () => {
  it('runs a command target with the transformed input on stdin', async () => {
    const service = await openLocalService({ dataDir: tempDir(), runners: {}, logger: memoryLogger(), events: FAST });
    try {
      const out = join(tempDir(), 'received.json');
      service.events.putRule({
        name: 'approved',
        eventPattern: { detail: { ModelApprovalStatus: ['Approved'] } },
        targets: [
          {
            id: 'dispatch',
            type: 'command',
            command: [
              process.execPath,
              '-e',
              `require('fs').writeFileSync(${JSON.stringify(out)}, require('fs').readFileSync(0))`,
            ],
            inputTransformer: {
              InputPathsMap: { arn: '$.detail.ModelPackageArn', group: '$.detail.ModelPackageGroupName' },
              InputTemplate:
                '{"event_type":"model-package-approved","client_payload":{"arn":<arn>,"group":"<group>","rule":"<aws.events.rule-name>"}}',
            },
          },
        ],
      });
      service.events.publish(sampleEvent(service, { ModelApprovalStatus: 'Rejected', ModelPackageArn: 'a1' }));
      service.events.publish(
        sampleEvent(service, { ModelApprovalStatus: 'Approved', ModelPackageArn: 'a2', ModelPackageGroupName: 'g' }),
      );
      await service.events.drain();
      expect(JSON.parse(readFileSync(out, 'utf8'))).toEqual({
        event_type: 'model-package-approved',
        client_payload: { arn: 'a2', group: 'g', rule: 'approved' },
      });
      expect(service.events.deliveries().map((d) => [d.status, d.attempts])).toEqual([['delivered', 1]]);
    } finally {
      await service.close();
    }
  });

  it('retries an HTTP target with backoff until it accepts, and dead-letters a target that never does', async () => {
    const flaky = await receiver(2);
    const service = await openLocalService({ dataDir: tempDir(), runners: {}, logger: memoryLogger(), events: FAST });
    try {
      service.events.putRule({
        name: 'all',
        eventPattern: { source: ['aws.sagemaker'] },
        targets: [
          { id: 'webhook', type: 'http', url: flaky.url },
          {
            id: 'broken',
            type: 'handler',
            handler: () => {
              throw new Error('downstream is down');
            },
          },
        ],
      });
      const event = sampleEvent(service, { ModelApprovalStatus: 'Approved' });
      service.events.publish(event);
      await service.events.drain();
      expect(flaky.bodies).toEqual([event]);
      const byTarget = Object.fromEntries(service.events.deliveries().map((d) => [d.targetId, d]));
      expect(byTarget['webhook']).toMatchObject({ status: 'delivered', attempts: 3 });
      expect(byTarget['broken']).toMatchObject({ status: 'failed', attempts: 3, lastError: 'downstream is down' });
    } finally {
      await service.close();
      await flaky.close();
    }
  });

  it('routes events left unrouted by a crash at the next start, to the rules saved before it', async () => {
    const dataDir = tempDir();
    const out = join(tempDir(), 'after-restart.json');
    const first = await openLocalService({ dataDir, runners: {}, logger: memoryLogger(), events: FAST });
    first.events.putRule({
      name: 'persisted',
      eventPattern: { source: ['aws.sagemaker'] },
      targets: [
        {
          id: 'cmd',
          type: 'command',
          command: [
            process.execPath,
            '-e',
            `require('fs').appendFileSync(${JSON.stringify(out)}, require('fs').readFileSync(0, 'utf8') + '\\n')`,
          ],
        },
      ],
    });
    // Published, but the process goes away before routing it.
    first.events.publish(sampleEvent(first, { n: 1 }));
    await first.close();

    const second = await openLocalService({ dataDir, runners: {}, logger: memoryLogger(), events: FAST });
    try {
      await second.events.drain();
      const lines = readFileSync(out, 'utf8').trim().split('\n');
      expect(lines.map((line) => (JSON.parse(line) as EventBridgeEvent).detail)).toEqual([{ n: 1 }]);
    } finally {
      await second.close();
    }
  });

  it('redelivers to an in-process handler after a restart once the handler is registered again', async () => {
    const dataDir = tempDir();
    const first = await openLocalService({ dataDir, runners: {}, logger: memoryLogger(), events: FAST });
    let started!: () => void;
    const attempted = new Promise<void>((resolve) => (started = resolve));
    first.events.putRule({
      name: 'handled',
      eventPattern: { source: ['aws.sagemaker'] },
      targets: [{ id: 'h', type: 'handler', handler: () => new Promise(() => started()) }],
    });
    first.events.publish(sampleEvent(first, { n: 2 }));
    await attempted; // routed and in flight when the process goes away
    await first.close();

    const received: unknown[] = [];
    const second = await openLocalService({ dataDir, runners: {}, logger: memoryLogger(), events: FAST });
    try {
      expect(second.events.deliveries({ status: 'pending' })).toHaveLength(1);
      second.events.putTargets('handled', [
        { id: 'h', type: 'handler', handler: (event) => void received.push(event.detail) },
      ]);
      await second.events.drain();
      expect(received).toEqual([{ n: 2 }]);
      expect(second.events.deliveries().map((d) => d.status)).toEqual(['delivered']);
    } finally {
      await second.close();
    }
  });

  it('loads rules from a rules file at start', async () => {
    const out = join(tempDir(), 'from-file.json');
    const rulesFile = join(tempDir(), 'rules.json');
    writeFileSync(
      rulesFile,
      JSON.stringify({
        rules: [
          {
            name: 'from-file',
            eventPattern: '{"detail-type": ["SageMaker Model Package State Change"]}',
            targets: [
              {
                id: 'cmd',
                type: 'command',
                command: [process.execPath, '-e', `require('fs').writeFileSync(${JSON.stringify(out)}, 'ok')`],
              },
            ],
          },
        ],
      }),
    );
    const service = await openLocalService({
      dataDir: tempDir(),
      runners: {},
      logger: memoryLogger(),
      events: FAST,
      rulesFile,
    });
    try {
      service.events.publish(sampleEvent(service, {}));
      await service.events.drain();
      expect(readFileSync(out, 'utf8')).toBe('ok');
    } finally {
      await service.close();
    }
    await expect(
      openLocalService({ dataDir: tempDir(), runners: {}, logger: memoryLogger(), rulesFile: out }),
    ).rejects.toThrow(/could not be read as JSON/);
  });

  it('refuses bad rules and targets with clear errors', async () => {
    const service = await openLocalService({ dataDir: tempDir(), runners: {}, logger: memoryLogger() });
    try {
      expect(() => service.events.putRule({ name: 'x', eventPattern: { source: 'aws.sagemaker' } })).toThrow(
        /source must be a list of values/,
      );
      expect(() => service.events.putRule({ name: 'bad name!', eventPattern: {} })).toThrow(
        /name must be 1-64 letters/,
      );
      service.events.putRule({ name: 'ok', eventPattern: {} });
      expect(() => service.events.putTargets('ok', [{ id: 't', type: 'http', url: 'ftp://x' }])).toThrow(
        /url must be an http:\/\/ or https:\/\/ URL/,
      );
      expect(() => service.events.putTargets('ok', [{ id: 't', type: 'command', command: [] }])).toThrow(
        /command must be a non-empty list/,
      );
      expect(() => service.events.putTargets('missing', [])).toThrow(/rule missing does not exist/);
    } finally {
      await service.close();
    }
  });
});

describe('EventBridge wire operations and model package events', () => {
  let t: TestServer;
  let events: EventBridgeClient;
  let hook: Receiver;
  beforeAll(async () => {
    t = await startTestServer({ events: FAST });
    events = new EventBridgeClient({
      ...localClientConfig(t.server),
    });
    hook = await receiver();
  });
  afterAll(async () => {
    events.destroy();
    await hook.close();
    await t.close();
  });

  it('PutRule, PutTargets with an http URL, PutEvents, and the approval of a model package', async () => {
    const rule = await events.send(
      new PutRuleCommand({
        Name: 'approved-packages',
        EventPattern: JSON.stringify({
          source: ['aws.sagemaker'],
          'detail-type': ['SageMaker Model Package State Change'],
          detail: { ModelPackageGroupName: ['reviews'], ModelApprovalStatus: ['Approved'] },
        }),
      }),
    );
    expect(rule.RuleArn).toBe('arn:aws:events:us-east-1:000000000000:rule/approved-packages');
    const targets = await events.send(
      new PutTargetsCommand({
        Rule: 'approved-packages',
        Targets: [
          {
            Id: 'dispatch',
            Arn: hook.url,
            InputTransformer: {
              InputPathsMap: { arn: '$.detail.ModelPackageArn' },
              InputTemplate: '{"model_package_arn": <arn>}',
            },
          },
        ],
      }),
    );
    expect(targets.FailedEntryCount).toBe(0);

    await t.sagemaker.send(new CreateModelPackageGroupCommand({ ModelPackageGroupName: 'reviews' }));
    const created = await t.sagemaker.send(
      new CreateModelPackageCommand({
        ModelPackageGroupName: 'reviews',
        InferenceSpecification: { Containers: [{ Image: 'img:1' }] },
      }),
    );
    await t.sagemaker.send(
      new UpdateModelPackageCommand({
        ModelPackageArn: created.ModelPackageArn,
        ModelApprovalStatus: 'Approved',
        ApprovalDescription: 'accuracy 0.91 ok',
      }),
    );
    const put = await events.send(
      new PutEventsCommand({
        Entries: [
          { Source: 'custom.test', DetailType: 'ignored', Detail: '{"a":1}' },
          { Source: 'custom.test', DetailType: 'x', Detail: 'nope' },
        ],
      }),
    );
    expect(put.FailedEntryCount).toBe(1);
    expect(put.Entries?.[1]).toMatchObject({ ErrorCode: 'MalformedDetail' });
    await t.server.events.drain();
    expect(hook.bodies).toEqual([{ model_package_arn: created.ModelPackageArn }]);

    const history = await callOperation(t.server, 'Slipway.ListModelPackageApprovalHistory', {
      ModelPackageArn: created.ModelPackageArn,
    });
    const { ApprovalHistory } = (await history.json()) as { ApprovalHistory: Record<string, unknown>[] };
    expect(
      ApprovalHistory.map(({ PreviousStatus, NewStatus, Actor, ApprovalDescription }) => ({
        PreviousStatus,
        NewStatus,
        Actor,
        ApprovalDescription,
      })),
    ).toEqual([
      {
        PreviousStatus: undefined,
        NewStatus: 'PendingManualApproval',
        Actor: 'slipway-local',
        ApprovalDescription: undefined,
      },
      {
        PreviousStatus: 'PendingManualApproval',
        NewStatus: 'Approved',
        Actor: 'slipway-local',
        ApprovalDescription: 'accuracy 0.91 ok',
      },
    ]);
  });

  it('the approval history cannot be rewritten', () => {
    expect(() => t.server.store.db.prepare("UPDATE approval_history SET actor = 'mallory'").run()).toThrow(
      /append-only/,
    );
    expect(() => t.server.store.db.prepare('DELETE FROM approval_history').run()).toThrow(/append-only/);
  });

  it('DescribeRule, ListRules, ListTargetsByRule, RemoveTargets, DeleteRule', async () => {
    await events.send(
      new PutRuleCommand({ Name: 'temp-rule', EventPattern: '{"source":["x"]}', Description: 'scratch' }),
    );
    await events.send(new PutTargetsCommand({ Rule: 'temp-rule', Targets: [{ Id: 't1', Arn: hook.url }] }));
    expect(await events.send(new DescribeRuleCommand({ Name: 'temp-rule' }))).toMatchObject({
      Name: 'temp-rule',
      State: 'ENABLED',
      Description: 'scratch',
      EventPattern: '{"source":["x"]}',
    });
    expect((await events.send(new ListRulesCommand({ NamePrefix: 'temp-' }))).Rules?.map((r) => r.Name)).toEqual([
      'temp-rule',
    ]);
    expect((await events.send(new ListTargetsByRuleCommand({ Rule: 'temp-rule' }))).Targets).toEqual([
      { Id: 't1', Arn: hook.url },
    ]);
    await expect(events.send(new DeleteRuleCommand({ Name: 'temp-rule' }))).rejects.toMatchObject({
      message: expect.stringContaining('still has targets'),
    });
    await events.send(new RemoveTargetsCommand({ Rule: 'temp-rule', Ids: ['t1'] }));
    await events.send(new DeleteRuleCommand({ Name: 'temp-rule' }));
    await expect(events.send(new DescribeRuleCommand({ Name: 'temp-rule' }))).rejects.toMatchObject({
      name: 'ResourceNotFoundException',
    });
    await expect(
      events.send(new PutRuleCommand({ Name: 'broken', EventPattern: '{"source":"x"}' })),
    ).rejects.toMatchObject({
      name: 'InvalidEventPatternException',
    });
    await expect(
      events.send(
        new PutTargetsCommand({ Rule: 'approved-packages', Targets: [{ Id: 'q', Arn: 'arn:aws:sqs:us-east-1:1:q' }] }),
      ),
    ).rejects.toMatchObject({
      name: 'ValidationException',
      message: expect.stringContaining('must be an http(s) URL on the local bus'),
    });
  });
});

/** TestEventPattern cases that EventBridge defines; run against the local bus and against moto. */
const PATTERN_CASES: { pattern: object; detail: Record<string, unknown>; result: boolean }[] = [
  { pattern: { detail: { status: ['Approved'] } }, detail: { status: 'Approved' }, result: true },
  { pattern: { detail: { status: ['Approved'] } }, detail: { status: 'Rejected' }, result: false },
  { pattern: { detail: { status: [{ prefix: 'App' }] } }, detail: { status: 'Approved' }, result: true },
  { pattern: { detail: { status: [{ 'anything-but': 'Rejected' }] } }, detail: { status: 'Approved' }, result: true },
  {
    pattern: { detail: { status: [{ 'anything-but': ['Approved', 'Rejected'] }] } },
    detail: { status: 'Approved' },
    result: false,
  },
  { pattern: { detail: { score: [{ numeric: ['>', 0.9] }] } }, detail: { score: 0.93 }, result: true },
  { pattern: { detail: { score: [{ numeric: ['>=', 0, '<', 0.5] }] } }, detail: { score: 0.93 }, result: false },
  { pattern: { detail: { note: [{ exists: false }] } }, detail: { score: 1 }, result: true },
  { pattern: { detail: { score: [{ exists: true }] } }, detail: { score: 1 }, result: true },
  { pattern: { detail: { tags: ['b'] } }, detail: { tags: ['a', 'b'] }, result: true },
  { pattern: { detail: { version: [2] } }, detail: { version: 2 }, result: true },
  { pattern: { detail: { version: [2] } }, detail: { version: '2' }, result: false },
  { pattern: { detail: { status: [{ suffix: 'oved' }] } }, detail: { status: 'Approved' }, result: true },
  {
    pattern: { detail: { status: [{ 'equals-ignore-case': 'approved' }] } },
    detail: { status: 'Approved' },
    result: true,
  },
  {
    pattern: { detail: { $or: [{ status: ['Rejected'] }, { score: [{ numeric: ['>', 0.5] }] }] } },
    detail: { status: 'Approved', score: 0.9 },
    result: true,
  },
  { pattern: { detail: { inner: { group: ['reviews'] } } }, detail: { inner: { group: 'reviews' } }, result: true },
  { pattern: { detail: { inner: { group: ['reviews'] } } }, detail: { other: 1 }, result: false },
  {
    pattern: { detail: { status: [{ 'anything-but': { prefix: 'Rej' } }] } },
    detail: { status: 'Approved' },
    result: true,
  },
];

function patternCases(client: () => EventBridgeClient): void {
  for (const [index, testCase] of PATTERN_CASES.entries()) {
    it(`case ${index}: ${JSON.stringify(testCase.pattern)} on ${JSON.stringify(testCase.detail)} → ${testCase.result}`, async () => {
      const event = {
        version: '0',
        id: 'e',
        'detail-type': 'Test',
        source: 'aws.sagemaker',
        account: '123456789012',
        time: '2026-01-01T00:00:00Z',
        region: 'us-east-1',
        resources: [],
        detail: testCase.detail,
      };
      const answer = await client().send(
        new TestEventPatternCommand({ EventPattern: JSON.stringify(testCase.pattern), Event: JSON.stringify(event) }),
      );
      expect(answer.Result).toBe(testCase.result);
    });
  }
}

describe('PutEvents checks every entry before it stores any, and stores them at once', () => {
  let t: TestServer;
  let events: EventBridgeClient;
  const seen: EventBridgeEvent[] = [];
  const stored = () => (t.server.store.db.prepare('SELECT count(*) AS n FROM events').get() as { n: number }).n;
  beforeAll(async () => {
    t = await startTestServer({ events: FAST });
    events = new EventBridgeClient(localClientConfig(t.server));
    t.server.events.putRule({
      name: 'everything',
      eventPattern: { source: [{ prefix: '' }] },
      targets: [{ id: 'seen', type: 'handler', handler: async (event) => void seen.push(event) }],
    });
  });
  afterAll(async () => {
    events.destroy();
    await t.close();
  });

  const nested = (depth: number) => `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;

  it('fails an entry nested deeper than 1000 levels on its own, and stores the others (no 500)', async () => {
    const before = stored();
    const put = await events.send(
      new PutEventsCommand({
        Entries: [
          { Source: 'my.app', DetailType: 'ok', Detail: nested(999) },
          { Source: 'my.app', DetailType: 'deep', Detail: nested(5000) },
          { Source: 'my.app', DetailType: 'ok too', Detail: '{}' },
        ],
      }),
    );
    expect(put.FailedEntryCount).toBe(1);
    expect(put.Entries?.[1]).toMatchObject({
      ErrorCode: 'MalformedDetail',
      ErrorMessage: expect.stringContaining('nests JSON more than 1000 levels deep'),
    });
    expect(stored() - before).toBe(2);
    await t.server.events.drain();
    const types = seen.map((event) => event['detail-type']);
    expect(types).toEqual(expect.arrayContaining(['ok', 'ok too']));
    expect(types).not.toContain('deep');
  });

  it('refuses a request over 256 KB as EventBridge counts its entries, storing nothing', async () => {
    const before = stored();
    const half = JSON.stringify({ pad: 'x'.repeat(128 * 1024) });
    await expect(
      events.send(
        new PutEventsCommand({
          Entries: [
            { Source: 'my.app', DetailType: 'a', Detail: half },
            { Source: 'my.app', DetailType: 'b', Detail: half, Time: new Date() },
          ],
        }),
      ),
    ).rejects.toMatchObject({
      name: 'ValidationException',
      message: expect.stringMatching(/^Total size of the entries in the request is over the limit: 262\d{3} bytes/),
    });
    expect(stored()).toBe(before);
  });

  it('refuses aws.* sources as AWS does: only AWS services publish there', async () => {
    const before = stored();
    const put = await events.send(
      new PutEventsCommand({
        Entries: [
          { Source: 'aws.sagemaker', DetailType: 'SageMaker Model Package State Change', Detail: '{}' },
          { Source: 'awsome.app', DetailType: 'fine', Detail: '{}' },
        ],
      }),
    );
    expect(put.FailedEntryCount).toBe(1);
    expect(put.Entries?.[0]).toMatchObject({ ErrorCode: 'NotAuthorizedForSourceException' });
    expect(stored() - before).toBe(1);
  });

  it('stores all of a request or none of it: a failure while storing the second leaves no first', async () => {
    const before = stored();
    const repository = t.server.store.events;
    const append = repository.append.bind(repository);
    let calls = 0;
    repository.append = (...args) => {
      calls += 1;
      if (calls === 2) throw new Error('the disk went away');
      append(...args);
    };
    try {
      await expect(
        events.send(
          new PutEventsCommand({
            Entries: [
              { Source: 'my.app', DetailType: 'first', Detail: '{}' },
              { Source: 'my.app', DetailType: 'second', Detail: '{}' },
            ],
          }),
        ),
      ).rejects.toMatchObject({ name: 'InternalFailure' });
    } finally {
      repository.append = append;
    }
    expect(stored()).toBe(before);
  });
});

describe('TestEventPattern on the local bus', () => {
  let t: TestServer;
  let client: EventBridgeClient;
  beforeAll(async () => {
    t = await startTestServer();
    client = new EventBridgeClient({
      ...localClientConfig(t.server),
    });
  });
  afterAll(async () => {
    client.destroy();
    await t.close();
  });
  patternCases(() => client);
  it('refuses a pattern over 4096 characters and an event nested deeper than 1000 levels', async () => {
    const event = (detail: string) =>
      `{"id":"1","account":"1","source":"s","time":"t","region":"r","resources":[],"detail-type":"d","detail":${detail}}`;
    await expect(
      client.send(
        new TestEventPatternCommand({
          EventPattern: JSON.stringify({ source: ['x'.repeat(4100)] }),
          Event: event('{}'),
        }),
      ),
    ).rejects.toMatchObject({ name: 'ValidationException', message: expect.stringContaining('EventPattern') });
    await expect(
      client.send(
        new TestEventPatternCommand({
          EventPattern: '{"source":["s"]}',
          Event: event(`${'['.repeat(2000)}${']'.repeat(2000)}`),
        }),
      ),
    ).rejects.toMatchObject({
      name: 'ValidationException',
      message: expect.stringContaining('nests JSON more than 1000 levels deep'),
    });
    const fine = await client.send(
      new TestEventPatternCommand({ EventPattern: '{"source":["s"]}', Event: event('{"a":[[[1]]]}') }),
    );
    expect(fine.Result).toBe(true);
  });

  it('refuses an event without the envelope fields', async () => {
    await expect(
      client.send(new TestEventPatternCommand({ EventPattern: '{}', Event: '{"detail":{}}' })),
    ).rejects.toMatchObject({
      name: 'ValidationException',
      message: expect.stringContaining('lacks id, account, source, time, region, resources, detail-type'),
    });
  });
});

/**
 * moto 5.2.5 answers TestEventPattern with an empty body (it is a stub), so the same cases run through
 * moto's own matcher (`moto.events.models.EventPattern`, what its PutEvents routing uses) in its venv.
 */
describe("the same pattern cases on moto's matcher", () => {
  const python = join(process.cwd(), '.venv-tools', 'bin', 'python');
  if (!motoAvailable) {
    it.skip(`skipped: ${MOTO_SERVER} is absent (run npm run setup to install moto[server])`, () => {});
    return;
  }
  const script = [
    'import json, sys',
    'from moto.events.models import EventPattern, EventPatternParser',
    'out = []',
    'for case in json.load(sys.stdin):',
    '    raw = json.dumps(case["pattern"])',
    '    out.append(EventPattern(raw, EventPatternParser(raw).parse()).matches_event({"source": "aws.sagemaker", "detail": case["detail"]}))',
    'print(json.dumps(out))',
  ].join('\n');
  const run = spawnSync(python, ['-c', script], { input: JSON.stringify(PATTERN_CASES), encoding: 'utf8' });
  const results = run.status === 0 ? (JSON.parse(run.stdout) as boolean[]) : [];
  it("runs moto's matcher", () => {
    expect(run.stderr).toBe('');
    expect(results).toHaveLength(PATTERN_CASES.length);
  });
  for (const [index, testCase] of PATTERN_CASES.entries()) {
    it(`case ${index}: ${JSON.stringify(testCase.pattern)} on ${JSON.stringify(testCase.detail)} → ${testCase.result}`, () => {
      expect(results[index]).toBe(testCase.result);
    });
  }
});
