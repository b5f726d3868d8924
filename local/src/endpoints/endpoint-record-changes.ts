import type { EndpointRecord } from '../store/endpoint-repository.js';
import { limit } from './fleet.js';

/** The record without the deployment it was moving to. */
export function withoutPending(record: EndpointRecord): EndpointRecord {
  const { pending: _pending, ...rest } = record;
  return rest;
}

/** The record without a FailureReason. */
export function withoutFailure(record: EndpointRecord): EndpointRecord {
  const { failureReason: _failure, ...rest } = record;
  return rest;
}

/** An error as a FailureReason (SageMaker's length limit). */
export function failureReason(error: unknown): string {
  return limit(error instanceof Error ? error.message : String(error));
}
