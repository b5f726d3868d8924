/** The build workflow's job summary for a retrain the drift route started: from the body the CDK rule sends. */
import { describe, expect, it } from '@jest/globals';
import { applyInputTransformer } from '@slipway/core';
import { DRIFT_DETECTED, DRIFT_EVENT_SOURCE, driftDispatchTransformer } from '@slipway/deploy-pipeline';
import { renderDriftSummary } from '../scripts/drift-summary.mjs';

const event = {
  version: '0',
  id: 'evt-1',
  source: DRIFT_EVENT_SOURCE,
  'detail-type': DRIFT_DETECTED,
  account: '000000000000',
  time: '2026-12-04T11:00:00Z',
  region: 'us-east-1',
  resources: [],
  detail: {
    ModelPackageGroupName: 'sentiment-models',
    EndpointName: 'sentiment-prod',
    ModelPackageArn: 'arn:aws:sagemaker:us-east-1:000000000000:model-package/sentiment-models/4',
    CheckId: '20261204T110000Z-abcd1234',
    WindowStart: '2026-12-04T10:00:00Z',
    WindowEnd: '2026-12-04T11:00:00Z',
    ItemCount: 400,
    Drifted: [
      {
        feature: 'oov_rate',
        method: 'PopulationStabilityIndex',
        distance: 10.112,
        threshold: 0.25,
        change: 'Mean 0.02 in the baseline, 0.31 in this window.',
      },
      { feature: 'predicted_label', method: 'JensenShannonDistance', distance: 0.48, threshold: 0.15, change: '' },
    ],
    ReportS3Uri: 's3://bucket/monitoring/sentiment-prod/20261204T110000Z-abcd1234/',
  },
};

describe('drift-summary', () => {
  it('says which endpoint drifted from which version, and each statistic with its distance and threshold', () => {
    const body = JSON.parse(applyInputTransformer(driftDispatchTransformer(), event)) as { client_payload: unknown };
    const summary = renderDriftSummary(body.client_payload);
    expect(summary).toContain(
      '`sentiment-prod`, serving arn:aws:sagemaker:us-east-1:000000000000:model-package/sentiment-models/4',
    );
    expect(summary).toContain(
      '| oov_rate | PopulationStabilityIndex | 10.1120 | 0.2500 | Mean 0.02 in the baseline, 0.31 in this window. |',
    );
    expect(summary).toContain('| predicted_label | JensenShannonDistance | 0.4800 | 0.1500 |  |');
  });

  it('keeps what a payload says from breaking out of its table cell', () => {
    const summary = renderDriftSummary({
      endpoint_name: 'e`x',
      drifted: [{ feature: 'a|b<script>', method: 'm\nn', distance: 'x', threshold: 1 }],
    });
    expect(summary).not.toContain('<script>');
    expect(summary).toContain('| a&#124;b&#60;script&#62; | m n | x | 1.0000 |');
    expect(summary).toContain('`e&#96;x`');
  });

  it('says so when the dispatch named no statistic', () => {
    expect(renderDriftSummary({})).toContain('The dispatch named no drifted statistic');
  });
});
