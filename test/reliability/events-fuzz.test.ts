import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { EventBridgeClient, PutEventsCommand, type PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import type { EventBridgeEvent } from '@slipway/core';
import { localClientConfig, startTestServer, type TestServer } from '../../local/test/support/harness.js';
import { recordFigures, runs } from './support/reliability.js';

/**
 * Property: any PutEvents request is answered either with one result per entry (an EventId for each stored
 * event, an ErrorCode and message for each refused one) or refused whole with a ValidationException; never an
 * internal error. Exactly the accepted entries are stored (nothing half-written), and each is delivered to a
 * rule matching everything.
 */

const deepDetail = fc.integer({ min: 900, max: 6000 }).map((depth) => `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`);
const detail = fc.oneof(
  { weight: 5, arbitrary: fc.jsonValue({ maxDepth: 4 }).map((value) => JSON.stringify(value)) },
  {
    weight: 3,
    arbitrary: fc.dictionary(fc.string(), fc.jsonValue({ maxDepth: 3 })).map((value) => JSON.stringify(value)),
  },
  { weight: 1, arbitrary: fc.string({ maxLength: 50 }) },
  { weight: 1, arbitrary: deepDetail },
  {
    weight: 1,
    arbitrary: fc.integer({ min: 1, max: 300 }).map((kb) => JSON.stringify({ pad: 'x'.repeat(kb * 1024) })),
  },
);
const entry: fc.Arbitrary<PutEventsRequestEntry> = fc.record(
  {
    Source: fc.oneof(
      { weight: 6, arbitrary: fc.constant('my.app') },
      { weight: 2, arbitrary: fc.constantFrom('aws.sagemaker', 'aws.', 'awsome', '') },
      { weight: 2, arbitrary: fc.string({ maxLength: 30 }) },
    ),
    DetailType: fc.oneof(
      { weight: 6, arbitrary: fc.constant('Thing Happened') },
      { weight: 1, arbitrary: fc.constant('') },
      { weight: 2, arbitrary: fc.string({ maxLength: 30 }) },
    ),
    Detail: detail,
    Resources: fc.array(fc.string({ maxLength: 40 }), { maxLength: 3 }),
    Time: fc.date({
      min: new Date('1970-01-01T00:00:00Z'),
      max: new Date('2200-01-01T00:00:00Z'),
      noInvalidDate: true,
    }),
  },
  { requiredKeys: ['Detail'] },
);

describe('reliability: fuzzing PutEvents payloads', () => {
  let t: TestServer;
  let events: EventBridgeClient;
  const delivered = new Set<string>();
  const stored = () => (t.server.store.db.prepare('SELECT count(*) AS n FROM events').get() as { n: number }).n;
  beforeAll(async () => {
    t = await startTestServer({ events: { retryBaseMs: 10, retryMaxMs: 50 } });
    events = new EventBridgeClient(localClientConfig(t.server));
    t.server.events.putRule({
      name: 'everything',
      eventPattern: { source: [{ prefix: '' }] },
      targets: [
        {
          id: 'seen',
          type: 'handler',
          handler: async (event: EventBridgeEvent) => {
            delivered.add(event.id);
          },
        },
      ],
    });
  });
  afterAll(async () => {
    events.destroy();
    await t.close();
  });

  const numRuns = runs(100, 2000);
  it(
    `answers ${numRuns} generated PutEvents requests entry by entry, storing exactly the accepted ones`,
    async () => {
      let tried = 0;
      let refusedEntries = 0;
      let refusedRequests = 0;
      let lost = 0;
      const accepted: string[] = [];
      await fc.assert(
        fc.asyncProperty(fc.array(entry, { minLength: 0, maxLength: 12 }), async (entries) => {
          tried += 1;
          const before = stored();
          const answer = await events
            .send(new PutEventsCommand({ Entries: entries }))
            .catch((error: unknown) => error as Error);
          if (answer instanceof Error) {
            refusedRequests += 1;
            expect(answer.name).toBe('ValidationException');
            expect((answer as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode).toBe(400);
            expect(answer.message).toMatch(/Entries|Total size of the entries/);
            expect(stored()).toBe(before);
            return;
          }
          expect(answer.Entries).toHaveLength(entries.length);
          const ids = (answer.Entries ?? []).flatMap((result) => (result.EventId ? [result.EventId] : []));
          const failed = (answer.Entries ?? []).filter((result) => result.ErrorCode);
          for (const result of failed) expect(result.ErrorMessage).toMatch(/\S{5,}/);
          expect(answer.FailedEntryCount).toBe(failed.length);
          refusedEntries += failed.length;
          if (stored() - before !== ids.length) lost += 1;
          expect(stored() - before).toBe(ids.length);
          accepted.push(...ids);
          // What AWS refuses here is refused here too.
          entries.forEach((sent, index) => {
            if (sent.Source?.startsWith('aws.')) expect(answer.Entries?.[index]?.EventId).toBeUndefined();
          });
        }),
        { numRuns, endOnFailure: true },
      );
      await t.server.events.drain(60_000);
      const undelivered = accepted.filter((id) => !delivered.has(id));
      recordFigures('events-fuzz', {
        inputs: tried,
        crashes: 0,
        dataLost: lost + undelivered.length,
        faultsSurvived: refusedEntries + refusedRequests,
        notes: `${accepted.length} events stored and delivered; ${refusedEntries} entries and ${refusedRequests} requests refused`,
      });
      expect(undelivered).toEqual([]);
    },
    numRuns * 500 + 60_000,
  );
});
