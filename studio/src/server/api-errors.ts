import { ValidationError } from '@slipway/core';
import { errorMessage, errorName, isS3NotFound, isSageMakerNotFound } from '@slipway/build-pipeline/run';

/** An error the console's API answers with a status of its own choosing. */
export class ConsoleError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'ConsoleError';
  }
}

/**
 * What to answer for an error: bad input (400, every problem named), a refusal (403/409), something that is
 * not there (404), a service's own error with its code and status, anything else 500 (and logged).
 */
export function describeApiError(error: unknown): { status: number; code: string; message: string; internal: boolean } {
  if (error instanceof ConsoleError)
    return { status: error.status, code: error.code, message: error.message, internal: false };
  if (error instanceof ValidationError) {
    return { status: 400, code: 'ValidationError', message: error.message, internal: false };
  }
  const metadata = (error as { $metadata?: { httpStatusCode?: number } } | null)?.$metadata;
  if (metadata !== undefined) {
    const notFound = isSageMakerNotFound(error) || isS3NotFound(error);
    const status = notFound ? 404 : (metadata.httpStatusCode ?? 500);
    return {
      status: status >= 400 ? status : 500,
      code: errorName(error) || 'ServiceError',
      message: errorMessage(error),
      internal: status >= 500,
    };
  }
  return { status: 500, code: 'InternalError', message: errorMessage(error), internal: true };
}
