/**
 * The retrain limit on AWS: RetrainGate on the ledger in the artifact bucket (S3RetrainLedger), against moto's
 * S3 (which honours If-Match / If-None-Match), and the retry of a write that lost the race, with a mocked S3.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  CreateBucketCommand,
  GetObjectCommand,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
  type GetObjectCommandOutput,
} from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { RETRAIN_LEDGER_KEY, RetrainGate, S3RetrainLedger, emptyRetrainLedger } from '../src/index.js';
import { describeWithMoto, motoClientConfig } from './support/moto-server.js';
import { driftPayload } from './support/drift-payload.js';

const payload = driftPayload;

describeWithMoto('RetrainGate on the S3 ledger (moto)', (server) => {
  let s3: S3Client;
  let bucket = 'slipway-ledger-test';
  let bucketCount = 0;
  beforeAll(() => {
    s3 = new S3Client(motoClientConfig(server()));
  });
  afterAll(() => s3.destroy());
  /** A fresh bucket per test, so each starts with no ledger. */
  const freshBucket = async () => {
    bucket = `slipway-ledger-test-${(bucketCount += 1)}`;
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    return new S3RetrainLedger(s3, bucket);
  };

  it('starts one retrain per endpoint per period: two endpoints drifting in it retrain twice, one endpoint twice retrains once', async () => {
    let now = new Date('2026-12-04T11:00:00Z');
    const gate = new RetrainGate(await freshBucket(), { now: () => now, periodMs: 24 * 3_600_000 });
    expect(await gate.admit(payload())).toEqual({ action: 'start' });
    now = new Date('2026-12-04T11:05:00Z');
    expect(
      await gate.admit(payload({ endpoint_name: 'sentiment-staging', check_id: 'check-2', event_id: 'evt-2' })),
    ).toEqual({ action: 'start' });
    now = new Date('2026-12-04T12:00:00Z');
    expect(await gate.admit(payload({ check_id: 'check-3', event_id: 'evt-3' }))).toEqual({
      action: 'rate-limited',
      reason: 'sentiment-prod started a retrain at 2026-12-04T11:00:00.000Z; one per 24 h',
      nextAllowedAt: '2026-12-05T11:00:00.000Z',
    });
    // A redelivered dispatch is a duplicate, not a second retrain.
    expect(
      await gate.admit(payload({ endpoint_name: 'sentiment-staging', check_id: 'check-2', event_id: 'evt-2' })),
    ).toMatchObject({ action: 'duplicate' });
    now = new Date('2026-12-05T11:00:00Z');
    expect(await gate.admit(payload({ check_id: 'check-4', event_id: 'evt-4' }))).toEqual({ action: 'start' });
    // What a fresh runner (the next build.yml run) reads back.
    const retrains = await new RetrainGate(new S3RetrainLedger(s3, bucket)).retrains();
    expect(retrains.map((retrain) => [retrain.endpointName, retrain.checkId])).toEqual([
      ['sentiment-prod', 'check-1'],
      ['sentiment-staging', 'check-2'],
      ['sentiment-prod', 'check-4'],
    ]);
    const object = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: RETRAIN_LEDGER_KEY }));
    expect(object.ContentType).toBe('application/json');
  });

  it('admits one of several deliveries of the same drift that arrive at once (conditional writes)', async () => {
    const ledger = await freshBucket();
    const gates = Array.from({ length: 4 }, () => new RetrainGate(new S3RetrainLedger(s3, bucket)));
    const decisions = await Promise.all(gates.map((gate, index) => gate.admit(payload({ event_id: `evt-${index}` }))));
    expect(decisions.map((decision) => decision.action).sort()).toEqual([
      'duplicate',
      'duplicate',
      'duplicate',
      'start',
    ]);
    expect((await ledger.read()).retrains).toHaveLength(1);
  });
});

describe('S3RetrainLedger with a mocked S3', () => {
  // This client only: the moto suite's clients stay real.
  const s3 = new S3Client({ region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } });
  const mock = mockClient(s3);
  /** The one method of a response body the ledger reads. */
  const body = (text: string) =>
    ({ transformToString: async () => text }) as unknown as NonNullable<GetObjectCommandOutput['Body']>;

  it('reads again and writes again when another writer changed the ledger between its read and its write', async () => {
    mock.reset();
    const other = { ...emptyRetrainLedger(), seenEventIds: ['evt-other'] };
    mock
      .on(GetObjectCommand)
      .rejectsOnce(new S3ServiceException({ name: 'NoSuchKey', $fault: 'client', $metadata: {} }))
      .resolves({ Body: body(JSON.stringify(other)), ETag: '"v2"' });
    mock
      .on(PutObjectCommand)
      .rejectsOnce(
        new S3ServiceException({ name: 'PreconditionFailed', $fault: 'client', $metadata: { httpStatusCode: 412 } }),
      )
      .resolves({});
    const decision = await new RetrainGate(new S3RetrainLedger(s3, 'bucket')).admit(payload());
    expect(decision).toEqual({ action: 'start' });
    const puts = mock.commandCalls(PutObjectCommand).map((call) => call.args[0].input);
    expect(puts.map((put) => [put.IfNoneMatch, put.IfMatch])).toEqual([
      ['*', undefined],
      [undefined, '"v2"'],
    ]);
    // The second write kept the other writer's change.
    expect(JSON.parse(String(puts[1]!.Body)).seenEventIds).toEqual(['evt-other', 'evt-1']);
  });

  it('gives up on an error that is not a lost race', async () => {
    mock.reset();
    mock.on(GetObjectCommand).rejects(new S3ServiceException({ name: 'NoSuchKey', $fault: 'client', $metadata: {} }));
    mock
      .on(PutObjectCommand)
      .rejects(new S3ServiceException({ name: 'AccessDenied', $fault: 'client', $metadata: { httpStatusCode: 403 } }));
    await expect(new RetrainGate(new S3RetrainLedger(s3, 'bucket')).admit(payload())).rejects.toMatchObject({
      name: 'AccessDenied',
    });
    expect(mock.commandCalls(PutObjectCommand)).toHaveLength(1);
  });
});
