import { ValidationError, describeValue, type EventPattern, type InputTransformer } from '@slipway/core';

/**
 * The drift route's event: what a drift check that found violations publishes on the default event bus (the
 * local bus, or EventBridge on AWS), the rule pattern that matches it and the repository_dispatch body the
 * rule sends, `model-drift-detected`, which runs the build workflow (retrain, register for approval). The one
 * definition the CDK rule, the local bus and the tests share.
 */

export const DRIFT_EVENT_SOURCE = 'slipway.monitoring';
export const DRIFT_DETECTED = 'Model Drift Detected';
export const DRIFT_DISPATCH_EVENT_TYPE = 'model-drift-detected';

/** One statistic that moved past its threshold. */
export interface DriftedStatistic {
  readonly feature: string;
  readonly method: string;
  readonly distance: number;
  readonly threshold: number;
  /** e.g. "Mean 0.02 in the baseline, 0.31 in this window." */
  readonly change: string;
}

/** The event's `detail`. */
export interface DriftDetectedDetail {
  readonly ModelPackageGroupName: string;
  readonly EndpointName: string;
  /** The live version whose baseline the window was compared with. */
  readonly ModelPackageArn: string;
  /** Unique per check: the retrain route acts on each once. */
  readonly CheckId: string;
  readonly WindowStart: string;
  readonly WindowEnd: string;
  readonly ItemCount: number;
  readonly Drifted: readonly DriftedStatistic[];
  /** Where the check wrote constraint_violations.json, statistics.json and drift_report.json. */
  readonly ReportS3Uri: string;
}

/** Matches drift of `groupName`'s live versions, on any endpoint. */
export function driftDetectedPattern(groupName: string): EventPattern {
  return {
    source: [DRIFT_EVENT_SOURCE],
    'detail-type': [DRIFT_DETECTED],
    detail: { ModelPackageGroupName: [groupName] },
  };
}

/** What the drift route puts into `client_payload`: every value a string, as the transformer renders it. */
export interface DriftDispatchPayload {
  readonly endpoint_name: string;
  readonly model_package_arn: string;
  readonly check_id: string;
  readonly window_end: string;
  readonly report_s3_uri: string;
  /** The EventBridge event's `id`: EventBridge retries with the same id, and the retrain acts on it once. */
  readonly event_id: string;
  /** The statistics that drifted and by how much (the event's `Drifted`, as JSON), for the job summary. */
  readonly drifted?: readonly DriftedStatistic[];
}

export const DRIFT_INPUT_PATHS = Object.freeze({
  endpoint: '$.detail.EndpointName',
  arn: '$.detail.ModelPackageArn',
  check: '$.detail.CheckId',
  end: '$.detail.WindowEnd',
  report: '$.detail.ReportS3Uri',
  drifted: '$.detail.Drifted',
  id: '$.id',
});

/** The InputTransformer from a drift event to the `model-drift-detected` repository_dispatch body. */
export function driftDispatchTransformer(): InputTransformer {
  const payload: Record<Exclude<keyof DriftDispatchPayload, 'drifted'>, string> = {
    endpoint_name: '<endpoint>',
    model_package_arn: '<arn>',
    check_id: '<check>',
    window_end: '<end>',
    report_s3_uri: '<report>',
    event_id: '<id>',
  };
  // `drifted` is the event's array itself: a placeholder outside quotes is replaced by the value as JSON.
  const body = JSON.stringify({
    event_type: DRIFT_DISPATCH_EVENT_TYPE,
    client_payload: { ...payload, drifted: 'DRIFTED' },
  });
  return Object.freeze({
    InputPathsMap: DRIFT_INPUT_PATHS,
    InputTemplate: body.replace('"DRIFTED"', '<drifted>'),
  });
}

/** Reads a dispatch body's payload, naming the first field that is missing. */
export function parseDriftDispatchPayload(body: unknown, where = 'model-drift-detected body'): DriftDispatchPayload {
  const record = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
  const payload = (record.client_payload ?? {}) as Record<string, unknown>;
  const fields: (keyof DriftDispatchPayload)[] = [
    'endpoint_name',
    'model_package_arn',
    'check_id',
    'window_end',
    'report_s3_uri',
    'event_id',
  ];
  for (const field of fields) {
    if (typeof payload[field] !== 'string' || payload[field] === '') {
      throw new ValidationError({
        where,
        field: `client_payload.${field}`,
        problem: `must be a non-empty string, got ${describeValue(payload[field])}`,
        fix: "send the body the drift route's transformer makes (driftDispatchTransformer)",
      });
    }
  }
  if (record.event_type !== DRIFT_DISPATCH_EVENT_TYPE) {
    throw new ValidationError({
      where,
      field: 'event_type',
      problem: `must be "${DRIFT_DISPATCH_EVENT_TYPE}", got ${describeValue(record.event_type)}`,
    });
  }
  return payload as unknown as DriftDispatchPayload;
}
