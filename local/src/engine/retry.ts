import { EMR_RETRY_EXCEPTION_TYPE, RETRY_EXCEPTION_TYPES } from '@slipway/core';

/** A step's RetryPolicies entry, normalised. */
export interface RetryPolicy {
  readonly exceptionTypes: readonly string[];
  readonly intervalSeconds: number;
  readonly backoffRate: number;
  /** The most retries (attempts after the first). */
  readonly maxAttempts?: number;
  /** Retries stop once this many minutes have passed since the first attempt started. */
  readonly expireAfterMin?: number;
}

/** Every ExceptionType a definition may carry, the compiler's and the EMR one (definitions from elsewhere). */
export const DEFINITION_RETRY_EXCEPTION_TYPES: readonly string[] = [...RETRY_EXCEPTION_TYPES, EMR_RETRY_EXCEPTION_TYPE];

/**
 * What a failed local attempt counts as. A runner that could not run the job at all (it threw) is the local
 * analogue of an internal or service fault, so it is retryable; a job whose own code failed is an algorithm
 * or client error, which SageMaker never retries.
 */
export const INTERNAL_FAILURE_TYPES = ['Step.SERVICE_FAULT', 'SageMaker.JOB_INTERNAL_ERROR'];

/** Retries allowed when a policy sets neither MaxAttempts nor ExpireAfterMin (a local choice). */
export const DEFAULT_MAX_RETRIES = 3;

/**
 * Decides whether to retry after the `failedAttempts`-th failed attempt and how long to wait: the first
 * policy whose ExceptionType matches applies; the n-th retry waits IntervalSeconds × BackoffRate^(n-1).
 */
export function nextRetry(
  policies: readonly RetryPolicy[],
  failureTypes: readonly string[],
  failedAttempts: number,
  firstAttemptStart: Date,
  now: Date,
): { delayMs: number } | undefined {
  const policy = policies.find((candidate) => candidate.exceptionTypes.some((type) => failureTypes.includes(type)));
  if (!policy || failureTypes.length === 0) return undefined;
  const retryNumber = failedAttempts;
  const delayMs = policy.intervalSeconds * 1000 * policy.backoffRate ** (retryNumber - 1);
  const limit = policy.maxAttempts ?? (policy.expireAfterMin === undefined ? DEFAULT_MAX_RETRIES : Infinity);
  if (retryNumber > limit) return undefined;
  if (
    policy.expireAfterMin !== undefined &&
    now.getTime() + delayMs - firstAttemptStart.getTime() > policy.expireAfterMin * 60_000
  ) {
    return undefined;
  }
  return { delayMs };
}
