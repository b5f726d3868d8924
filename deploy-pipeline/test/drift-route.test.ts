/**
 * The drift route: the event a drift check publishes, the rule pattern that matches it, the repository_dispatch
 * body its transformer makes, and the gate that turns each body into at most one retrain per endpoint per period.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { applyInputTransformer, matchesEventPattern, validateEventPattern } from '@slipway/core';
import {
  DRIFT_DETECTED,
  DRIFT_DISPATCH_EVENT_TYPE,
  DRIFT_EVENT_SOURCE,
  RetrainGate,
  captureHours,
  driftDetectedPattern,
  driftDispatchTransformer,
  parseDriftDispatchPayload,
  validateRepositoryDispatchBody,
  type DriftDetectedDetail,
} from '../src/index.js';
import { driftPayload } from './support/drift-payload.js';

const GROUP = 'sentiment-models';

function driftEvent(detail: Partial<DriftDetectedDetail> = {}, id = 'evt-1') {
  return {
    version: '0',
    id,
    source: DRIFT_EVENT_SOURCE,
    'detail-type': DRIFT_DETECTED,
    account: '000000000000',
    time: '2026-12-04T11:00:00Z',
    region: 'us-east-1',
    resources: [],
    detail: {
      ModelPackageGroupName: GROUP,
      EndpointName: 'sentiment-prod',
      ModelPackageArn: 'arn:aws:sagemaker:us-east-1:000000000000:model-package/sentiment-models/1',
      CheckId: '20261204T110000Z-abcd1234',
      WindowStart: '2026-12-04T10:00:00Z',
      WindowEnd: '2026-12-04T11:00:00Z',
      ItemCount: 400,
      Drifted: [
        { feature: 'oov_rate', method: 'PopulationStabilityIndex', distance: 2.1, threshold: 0.25, change: '' },
      ],
      ReportS3Uri: 's3://bucket/monitoring/sentiment-prod/20261204T110000Z-abcd1234/',
      ...detail,
    },
  };
}

describe('the drift route', () => {
  it("matches its group's drift events only", () => {
    const pattern = driftDetectedPattern(GROUP);
    validateEventPattern(pattern);
    expect(matchesEventPattern(pattern, driftEvent())).toBe(true);
    expect(matchesEventPattern(pattern, driftEvent({ ModelPackageGroupName: 'other-models' }))).toBe(false);
    expect(matchesEventPattern(pattern, { ...driftEvent(), source: 'aws.sagemaker' })).toBe(false);
  });

  it('turns the event into a model-drift-detected repository_dispatch body within GitHub’s limits', () => {
    const body = JSON.parse(applyInputTransformer(driftDispatchTransformer(), driftEvent())) as unknown;
    expect(validateRepositoryDispatchBody(body)).toEqual({
      event_type: DRIFT_DISPATCH_EVENT_TYPE,
      client_payload: {
        endpoint_name: 'sentiment-prod',
        model_package_arn: 'arn:aws:sagemaker:us-east-1:000000000000:model-package/sentiment-models/1',
        check_id: '20261204T110000Z-abcd1234',
        window_end: '2026-12-04T11:00:00Z',
        report_s3_uri: 's3://bucket/monitoring/sentiment-prod/20261204T110000Z-abcd1234/',
        event_id: 'evt-1',
        drifted: [
          { feature: 'oov_rate', method: 'PopulationStabilityIndex', distance: 2.1, threshold: 0.25, change: '' },
        ],
      },
    });
    expect(parseDriftDispatchPayload(body).endpoint_name).toBe('sentiment-prod');
  });

  it('fails when a body lacks a payload field, naming it', () => {
    expect(() =>
      parseDriftDispatchPayload({ event_type: DRIFT_DISPATCH_EVENT_TYPE, client_payload: { endpoint_name: 'e' } }),
    ).toThrow(/client_payload\.model_package_arn must be a non-empty string, got nothing/);
    expect(() => parseDriftDispatchPayload({ event_type: 'model-package-approved', client_payload: {} })).toThrow(
      /client_payload\.endpoint_name/,
    );
  });

  it('reads the capture hours a window touches, and the next one (a late flush)', () => {
    expect(captureHours(new Date('2026-12-04T10:30:00Z'), new Date('2026-12-04T11:30:00Z'))).toEqual([
      '2026/12/04/10',
      '2026/12/04/11',
      '2026/12/04/12',
    ]);
    expect(captureHours(new Date('2026-12-31T23:00:00Z'), new Date('2027-01-01T00:00:00Z'))).toEqual([
      '2026/12/31/23',
      '2027/01/01/00',
    ]);
  });
});

describe('RetrainGate', () => {
  let dir: string;
  let now: Date;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'retrain-gate-'));
    now = new Date('2026-12-04T11:00:00Z');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const payload = driftPayload;

  it('starts one retrain for an event delivered twice (at least once delivery)', async () => {
    const gate = new RetrainGate(dir, { now: () => now });
    expect(await gate.admit(payload())).toEqual({ action: 'start' });
    expect(await gate.admit(payload())).toMatchObject({
      action: 'duplicate',
      reason: 'event evt-1 was already handled',
    });
    // The same check published again (a retried PutEvents gets a new event id) starts nothing either.
    expect(await gate.admit(payload({ event_id: 'evt-2' }))).toMatchObject({ action: 'duplicate' });
    expect((await gate.retrains()).map((retrain) => retrain.checkId)).toEqual(['check-1']);
  });

  it('starts at most one retrain per endpoint per period; another endpoint is not held back', async () => {
    const gate = new RetrainGate(dir, { now: () => now, periodMs: 6 * 3_600_000 });
    expect(await gate.admit(payload())).toEqual({ action: 'start' });
    now = new Date('2026-12-04T12:00:00Z');
    expect(await gate.admit(payload({ check_id: 'check-2', event_id: 'evt-2' }))).toEqual({
      action: 'rate-limited',
      reason: 'sentiment-prod started a retrain at 2026-12-04T11:00:00.000Z; one per 6 h',
      nextAllowedAt: '2026-12-04T17:00:00.000Z',
    });
    expect(
      await gate.admit(payload({ endpoint_name: 'sentiment-staging', check_id: 'check-3', event_id: 'evt-3' })),
    ).toEqual({ action: 'start' });
    now = new Date('2026-12-04T17:00:00Z');
    expect(await gate.admit(payload({ check_id: 'check-4', event_id: 'evt-4' }))).toEqual({ action: 'start' });
  });

  it('admits one of two deliveries that arrive at once', async () => {
    const gates = [new RetrainGate(dir, { now: () => now }), new RetrainGate(dir, { now: () => now })];
    const decisions = await Promise.all(gates.map((gate) => gate.admit(payload())));
    expect(decisions.map((decision) => decision.action).sort()).toEqual(['duplicate', 'start']);
  });

  it('records how a retrain ended', async () => {
    const gate = new RetrainGate(dir, { now: () => now });
    await gate.admit(payload());
    await gate.finish('check-1', 'pipeline run succeeded');
    expect(await new RetrainGate(dir).retrains()).toEqual([
      expect.objectContaining({ checkId: 'check-1', outcome: 'pipeline run succeeded', startedAt: now.toISOString() }),
    ]);
  });
});
