import type { RetryExceptionType, RetryPolicyDefinition } from '../definition/types.js';

/** Failures of the pipeline service itself; retried on every step type that takes retry policies. */
export const StepExceptionType = {
  SERVICE_FAULT: 'Step.SERVICE_FAULT',
  THROTTLING: 'Step.THROTTLING',
} as const satisfies Record<string, RetryExceptionType>;

/** Failures of the SageMaker job a step started; only job steps (Processing, Training) take these. */
export const SageMakerJobExceptionType = {
  INTERNAL_ERROR: 'SageMaker.JOB_INTERNAL_ERROR',
  CAPACITY_ERROR: 'SageMaker.CAPACITY_ERROR',
  RESOURCE_LIMIT: 'SageMaker.RESOURCE_LIMIT',
} as const satisfies Record<string, RetryExceptionType>;

/**
 * One retry policy (the Python SDK's StepRetryPolicy / SageMakerJobStepRetryPolicy). The wait before attempt n
 * is `intervalSeconds * backoffRate^(n-1)`; retrying stops after `maxAttempts` or `expireAfterMinutes`.
 */
export interface RetryPolicy {
  readonly exceptionTypes: readonly RetryExceptionType[];
  /** @default 2 */
  readonly backoffRate?: number;
  /** @default 1 */
  readonly intervalSeconds?: number;
  /** 1 to 20. */
  readonly maxAttempts?: number;
  /** 0 to 14400. */
  readonly expireAfterMinutes?: number;
}

export function retryPolicyDefinition(policy: RetryPolicy): RetryPolicyDefinition {
  return {
    BackoffRate: policy.backoffRate ?? 2,
    IntervalSeconds: policy.intervalSeconds ?? 1,
    ...(policy.maxAttempts !== undefined ? { MaxAttempts: policy.maxAttempts } : {}),
    ...(policy.expireAfterMinutes !== undefined ? { ExpireAfterMin: policy.expireAfterMinutes } : {}),
    ExceptionType: [...policy.exceptionTypes],
  };
}
