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

/** The codes a protocol uses for the errors `toServiceError` makes (S3's differ from the JSON protocols'). */
export interface ErrorCodes {
  /** A core ValidationError (bad input found by a validator). @default "ValidationException" */
  readonly validation?: string;
  /** Anything unexpected, and a full data dir. @default "InternalFailure" */
  readonly internal?: string;
}

/** S3's codes for the same cases. */
export const S3_ERROR_CODES: ErrorCodes = { validation: 'InvalidArgument', internal: 'InternalError' };

/**
 * Turns anything thrown by a handler into a ServiceError: a ServiceError stays as it is, a core
 * ValidationError (bad input found by a validator) becomes a validation error with its message, a full disk
 * says so, and anything else is an internal failure. Returns `internal: true` so the caller logs the original.
 */
export function toServiceError(error: unknown, codes: ErrorCodes = {}): { error: ServiceError; internal: boolean } {
  if (error instanceof ServiceError) return { error, internal: false };
  if (error instanceof ValidationError)
    return { error: new ServiceError(codes.validation ?? 'ValidationException', error.message), internal: false };
  const internalCode = codes.internal ?? 'InternalFailure';
  if (isDataDirFull(error)) {
    return {
      error: new ServiceError(
        internalCode,
        'The local server\u2019s data dir is full (no space left on the device, or the disk quota is used up); ' +
          'nothing of this request was kept. Free some space (old jobs/ and endpoints/ logs, s3/ objects) and retry.',
        507,
      ),
      internal: false,
    };
  }
  return {
    error: new ServiceError(internalCode, 'The local server hit an unexpected error; see its log for details.', 500),
    internal: true,
  };
}

/** ENOSPC/EDQUOT from the file system, SQLITE_FULL from the database: the disk under the data dir is full. */
export function isDataDirFull(error: unknown): boolean {
  for (let cause = error, depth = 0; cause instanceof Error && depth < 5; cause = cause.cause, depth += 1) {
    const code = (cause as NodeJS.ErrnoException).code;
    if (code === 'ENOSPC' || code === 'EDQUOT' || code === 'SQLITE_FULL') return true;
  }
  return false;
}
