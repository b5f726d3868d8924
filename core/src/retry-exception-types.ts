/**
 * The failures a pipeline step's RetryPolicies may name (ExceptionType): `Step.*` for any retryable step,
 * `SageMaker.*` for steps that start a SageMaker job. The compiler accepts these; the local engine runs them.
 */
export const RETRY_EXCEPTION_TYPES = [
  'Step.SERVICE_FAULT',
  'Step.THROTTLING',
  'SageMaker.JOB_INTERNAL_ERROR',
  'SageMaker.CAPACITY_ERROR',
  'SageMaker.RESOURCE_LIMIT',
] as const;

export type RetryExceptionType = (typeof RETRY_EXCEPTION_TYPES)[number];

/** The definition schema also lists this one, for EMR steps (which Slipway's DSL does not build). */
export const EMR_RETRY_EXCEPTION_TYPE = 'Emr.RESOURCE_LIMIT';
