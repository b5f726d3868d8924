import type { ServerResponse } from 'node:http';

/**
 * SageMaker Runtime's errors (restJson1: the code in `x-amzn-errortype`, members in the JSON body), as the
 * unchanged `@aws-sdk/client-sagemaker-runtime` and botocore decode them.
 */
export type RuntimeErrorCode =
  'ValidationError' | 'ModelError' | 'ModelNotReadyException' | 'ServiceUnavailable' | 'InternalFailure';

const STATUS: Readonly<Record<RuntimeErrorCode, number>> = {
  ValidationError: 400,
  ModelError: 424,
  ModelNotReadyException: 429,
  ServiceUnavailable: 503,
  InternalFailure: 500,
};

export interface RuntimeError {
  readonly code: RuntimeErrorCode;
  readonly message: string;
  /** ModelError's members: what the container answered, and where its log is. */
  readonly originalStatusCode?: number;
  readonly originalMessage?: string;
  readonly logStreamArn?: string;
}

export function sendRuntimeError(response: ServerResponse, error: RuntimeError, requestId: string): void {
  if (response.headersSent) {
    response.destroy();
    return;
  }
  const body = JSON.stringify({
    ...(error.code === 'ModelError'
      ? { ErrorCode: (error.originalStatusCode ?? 500) < 500 ? 'CLIENT_ERROR_FROM_MODEL' : 'SERVER_ERROR_FROM_MODEL' }
      : {}),
    Message: error.message,
    ...(error.originalStatusCode !== undefined ? { OriginalStatusCode: error.originalStatusCode } : {}),
    ...(error.originalMessage !== undefined ? { OriginalMessage: error.originalMessage } : {}),
    ...(error.logStreamArn !== undefined ? { LogStreamArn: error.logStreamArn } : {}),
  });
  response.writeHead(STATUS[error.code], {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(body),
    'x-amzn-errortype': error.code,
    'x-amzn-requestid': requestId,
  });
  response.end(body);
}

/**
 * The container answered with an error status: SageMaker passes it on as a 424 ModelError naming the
 * original status and message, e.g. `Received client error (400) from primary with message "…"`.
 */
export function modelError(
  status: number | undefined,
  original: string,
  where: { readonly logFile: string; readonly logStreamArn: string },
): RuntimeError {
  const kind = status === undefined || status >= 500 ? 'server' : 'client';
  return {
    code: 'ModelError',
    message:
      `Received ${kind} error (${status ?? 0}) from primary with message "${original}". ` +
      `See ${where.logFile} for more information.`,
    ...(status !== undefined ? { originalStatusCode: status } : {}),
    originalMessage: original,
    logStreamArn: where.logStreamArn,
  };
}
