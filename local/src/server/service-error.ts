import { ValidationError } from '@slipway/core';

/**
 * The one error type every handler throws for a failure the caller should see. It knows its wire form:
 * the JSON protocols send `{"__type": code, "message": message}` with `status`; the S3 protocol renders
 * `<Error><Code>…</Code><Message>…</Message>…</Error>` with the same status and any `details`.
 */
export class ServiceError extends Error {
  override readonly name = 'ServiceError';

  constructor(
    /** The service's own error code, e.g. `ValidationException`, `ResourceNotFound`, `NoSuchKey`. */
    readonly code: string,
    message: string,
    readonly status = 400,
    /** Extra fields S3 puts in its XML error body (`Key`, `BucketName`, ...). */
    readonly details: Readonly<Record<string, string>> = {},
  ) {
    super(message);
  }

  /** The JSON 1.1 error body (SageMaker, EventBridge). */
  toJson(): { __type: string; message: string } {
    return { __type: this.code, message: this.message };
  }
}

export const validationException = (message: string): ServiceError => new ServiceError('ValidationException', message);
export const resourceNotFound = (message: string): ServiceError => new ServiceError('ResourceNotFound', message);
export const resourceInUse = (message: string): ServiceError => new ServiceError('ResourceInUse', message);
export const conflictException = (message: string): ServiceError => new ServiceError('ConflictException', message);

/**
 * Turns anything thrown by a handler into a ServiceError: a ServiceError stays as it is, a core
 * ValidationError (bad input found by a validator) becomes `ValidationException` with its message, and
 * anything else is an internal failure. Returns `internal: true` so the caller logs the original.
 */
export function toServiceError(
  error: unknown,
  validationCode = 'ValidationException',
): { error: ServiceError; internal: boolean } {
  if (error instanceof ServiceError) return { error, internal: false };
  if (error instanceof ValidationError)
    return { error: new ServiceError(validationCode, error.message), internal: false };
  return {
    error: new ServiceError(
      'InternalFailure',
      'The local server hit an unexpected error; see its log for details.',
      500,
    ),
    internal: true,
  };
}
