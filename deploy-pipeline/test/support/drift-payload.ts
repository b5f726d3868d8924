import type { DriftDispatchPayload } from '../../src/index.js';

/** A model-drift-detected dispatch's client_payload: sentiment-prod's check-1, with the fields a test changes. */
export function driftPayload(overrides: Partial<DriftDispatchPayload> = {}): DriftDispatchPayload {
  return {
    endpoint_name: 'sentiment-prod',
    model_package_arn: 'arn:aws:sagemaker:us-east-1:000000000000:model-package/sentiment-models/1',
    check_id: 'check-1',
    window_end: '2026-12-04T11:00:00Z',
    report_s3_uri: 's3://bucket/monitoring/sentiment-prod/check-1/',
    event_id: 'evt-1',
    ...overrides,
  };
}
