import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { S3Api } from '../s3/s3-api.js';
import { errorResponse, handleJsonRequest, type WireResponse } from './json-protocol.js';
import type { Logger } from './logger.js';
import type { OperationRegistry } from './operation-registry.js';
import { headerValue, requestActor } from './request-actor.js';
import { ServiceError } from './service-error.js';

/** The only address the local server binds: it runs jobs and accepts unsigned requests. */
export const LOCAL_HOST = '127.0.0.1';

/**
 * Serves `POST /endpoints/{name}/invocations` (SageMaker Runtime). The endpoints module plugs in here;
 * until then the server answers that no endpoint of that name exists.
 */
export type InvocationHandler = (
  endpointName: string,
  request: IncomingMessage,
  response: ServerResponse,
) => Promise<void>;

/** Extra routes answered before S3 (e.g. the server's own health check). Return false to pass. */
export type RouteHandler = (request: IncomingMessage, response: ServerResponse, url: URL) => Promise<boolean> | boolean;

export interface HttpRoutingOptions {
  readonly operations: OperationRegistry;
  readonly s3: S3Api;
  readonly log: Logger;
  /** Largest JSON request body (SageMaker/EventBridge), in bytes. */
  readonly maxJsonBodyBytes: number;
  readonly invocations?: InvocationHandler;
  readonly routes?: readonly RouteHandler[];
}

/**
 * Routing for one port: a request with `X-Amz-Target` is a JSON-protocol call (SageMaker.*, AWSEvents.*);
 * `POST /endpoints/{name}/invocations` is SageMaker Runtime; everything else is path-style S3.
 */
export function createRequestListener(
  options: HttpRoutingOptions,
): (req: IncomingMessage, res: ServerResponse) => void {
  return (request, response) => {
    route(options, request, response).catch((error: unknown) => {
      options.log.error(`${request.method} ${request.url} failed`, error);
      if (!response.headersSent) {
        const body = JSON.stringify(new ServiceError('InternalFailure', 'unexpected error', 500).toJson());
        response.writeHead(500, { 'content-type': 'application/json', connection: 'close' }).end(body);
      } else {
        response.destroy();
      }
    });
  };
}

async function route(options: HttpRoutingOptions, request: IncomingMessage, response: ServerResponse): Promise<void> {
  const requestId = randomUUID();
  const target = headerValue(request.headers['x-amz-target']);
  if (target) {
    if (request.method !== 'POST') {
      return send(
        response,
        errorResponse(new ServiceError('UnknownOperationException', `${target} must be sent with POST.`), {
          requestId,
        }),
      );
    }
    let body: Buffer;
    try {
      body = await readBody(request, options.maxJsonBodyBytes);
    } catch (error) {
      if (!(error instanceof ServiceError)) throw error;
      response.setHeader('connection', 'close');
      return send(response, errorResponse(error, { requestId }));
    }
    const context = { actor: requestActor(request.headers), requestId };
    return send(response, await handleJsonRequest(options.operations, target, body, context, options.log));
  }
  const url = new URL(request.url ?? '/', `http://${LOCAL_HOST}`);
  // Object keys are taken from the raw path: URL parsing would resolve "." and ".." segments and so route
  // `/bucket/a/../../x` somewhere else instead of refusing the key.
  const rawPath = (request.url ?? '/').split('?')[0]!;
  for (const handler of options.routes ?? []) {
    if (await handler(request, response, url)) return;
  }
  const invocation = /^\/endpoints\/([^/]+)\/invocations$/.exec(rawPath);
  if (invocation && request.method === 'POST') {
    const name = decodeURIComponent(invocation[1]!);
    if (options.invocations) return options.invocations(name, request, response);
    return send(response, {
      ...errorResponse(
        new ServiceError('ValidationError', `Endpoint ${name} of account 000000000000 not found.`, 400),
        { requestId },
      ),
    });
  }
  const result = await options.s3.handle({
    method: request.method ?? 'GET',
    path: rawPath,
    query: url.searchParams,
    headers: request.headers,
    body: request,
    requestId,
  });
  // A request body the handler did not read (an error before the upload finished) cannot be reused.
  if (!request.complete && request.method !== 'GET' && request.method !== 'HEAD')
    response.setHeader('connection', 'close');
  response.writeHead(result.status, { 'x-amz-request-id': requestId, ...result.headers });
  if (result.body === undefined || typeof result.body === 'string' || Buffer.isBuffer(result.body)) {
    response.end(result.body);
    return;
  }
  await pipeline(result.body as Readable, response);
}

function send(response: ServerResponse, wire: WireResponse): void {
  response.writeHead(wire.status, { ...wire.headers, 'content-length': String(Buffer.byteLength(wire.body)) });
  response.end(wire.body);
}

/** Reads a whole request body, refusing (413) as soon as it is larger than `limit`. */
export async function readBody(request: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = Number(request.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) throw requestTooLarge(declared, limit);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) throw requestTooLarge(size, limit);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

function requestTooLarge(size: number, limit: number): ServiceError {
  return new ServiceError(
    'ValidationException',
    `The request body is ${size} bytes or more, above the local server's limit of ${limit} bytes. ` +
      'A PipelineDefinition may be at most 1 MiB; store a larger one in S3 and pass PipelineDefinitionS3Location.',
    413,
  );
}

/** Listens on 127.0.0.1 only and resolves with the port actually bound (useful with port 0). */
export async function listenLocal(server: Server, port: number): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, LOCAL_HOST, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('the server did not bind a TCP port');
  return address.port;
}

export { createServer };
