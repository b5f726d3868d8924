import type { Logger } from './logger.js';
import type { JsonObject, OperationContext, OperationRegistry } from './operation-registry.js';
import { ServiceError, toServiceError } from './service-error.js';
import { toWireJson } from './wire-json.js';

export const JSON_CONTENT_TYPE = 'application/x-amz-json-1.1';

export interface WireResponse {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: string;
}

/**
 * The AWS JSON 1.1 protocol (SageMaker, EventBridge): decode the body, run the operation named by
 * `X-Amz-Target`, encode the result or the error. Pure of HTTP, so tests call it without a port.
 */
export async function handleJsonRequest(
  registry: OperationRegistry,
  target: string,
  body: Buffer,
  context: OperationContext,
  log: Logger,
): Promise<WireResponse> {
  try {
    const input = decodeBody(body);
    const output = (await registry.invoke(target, input, context)) ?? {};
    return { status: 200, headers: headers(context), body: toWireJson(output) };
  } catch (thrown) {
    const { error, internal } = toServiceError(thrown);
    if (internal) log.error(`${target} failed (request ${context.requestId})`, thrown);
    return errorResponse(error, context);
  }
}

export function errorResponse(error: ServiceError, context: Pick<OperationContext, 'requestId'>): WireResponse {
  return {
    status: error.status,
    headers: { ...headers(context), 'x-amzn-errortype': error.code },
    body: JSON.stringify(error.toJson()),
  };
}

function headers(context: Pick<OperationContext, 'requestId'>): Record<string, string> {
  return { 'content-type': JSON_CONTENT_TYPE, 'x-amzn-requestid': context.requestId };
}

function decodeBody(body: Buffer): JsonObject {
  if (body.length === 0) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch (error) {
    throw new ServiceError(
      'SerializationException',
      `The request body is not valid JSON (${error instanceof Error ? error.message : String(error)}).`,
    );
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new ServiceError('SerializationException', 'The request body must be a JSON object.');
  }
  return parsed as JsonObject;
}
