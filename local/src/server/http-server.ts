import { randomUUID } from 'node:crypto';
import {
  createServer,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { accountOfLocalAccessKeyId, sha256Hex } from '@slipway/core';
import { s3ErrorResponse, type S3Api } from '../s3/s3-api.js';
import { errorResponse, handleJsonRequest, type WireResponse } from './json-protocol.js';
import type { Logger } from './logger.js';
import type { OperationRegistry } from './operation-registry.js';
import { headerValue, requestAccessKeyId, requestActor } from './request-actor.js';
import { hostProblem, originProblem } from './request-guard.js';
import { RequestSignatureVerifier, type SignatureProblem } from './request-signature.js';
import { S3_ERROR_CODES, ServiceError, toServiceError } from './service-error.js';

/** The only address the local server binds: it runs jobs on request. */
export const LOCAL_HOST = '127.0.0.1';
/** SageMaker Runtime's InvokeEndpoint payload limit (6 MB), kept when the body must be read to check its signature. */
export const MAX_INVOCATION_BYTES = 6 * 1024 * 1024;

/** One InvokeEndpoint as the runtime handler sees it: the request's headers and its body, streamed. */
export interface InvocationRequest {
  readonly headers: IncomingHttpHeaders;
  readonly body: Readable;
}

/**
 * Serves `POST /endpoints/{name}/invocations` (SageMaker Runtime), after the request's signature was checked.
 * The endpoints module plugs in here; without one the server answers that no endpoint of that name exists.
 */
export type InvocationHandler = (
  endpointName: string,
  request: InvocationRequest,
  response: ServerResponse,
) => Promise<void>;

/**
 * Extra routes answered before S3 (the server's own health check, a web console). They get requests whose
 * Host is this server (checked before any routing) and do their own authentication: the Origin refusal and
 * the signature check of the AWS surfaces do not apply to them. Return false to pass.
 */
export type RouteHandler = (request: IncomingMessage, response: ServerResponse, url: URL) => Promise<boolean> | boolean;

export interface HttpRoutingOptions {
  readonly operations: OperationRegistry;
  readonly s3: S3Api;
  readonly log: Logger;
  /** Largest JSON request body (SageMaker/EventBridge), in bytes. */
  readonly maxJsonBodyBytes: number;
  /** The per-server secret: the only secret access key whose SigV4 signatures are accepted. */
  readonly secretAccessKey: string;
  readonly invocations?: InvocationHandler;
  readonly routes?: readonly RouteHandler[];
  /**
   * The surfaces of the account a signed request's access key id names (`accountOfLocalAccessKeyId`;
   * undefined: the server's default account), when the server emulates several accounts.
   * @default - one account: every request reaches `operations`, `s3` and `invocations`
   */
  readonly accounts?: (accountId: string | undefined) => Promise<AccountSurfaces>;
}

/** What one account answers on the port. */
export type AccountSurfaces = Pick<HttpRoutingOptions, 'operations' | 's3' | 'invocations'>;

/** The caller's account's surfaces; called only after the request's signature was accepted. */
async function callerSurfaces(
  options: HttpRoutingOptions,
  request: IncomingMessage,
  query?: URLSearchParams,
): Promise<AccountSurfaces> {
  if (!options.accounts) return options;
  return options.accounts(accountOfLocalAccessKeyId(requestAccessKeyId(request.headers, query)));
}

/** The three AWS wire surfaces on the one port; each words its refusals in its own error shape. */
type Surface = 'json' | 'runtime' | 's3';

const INVOCATION_PATH = /^\/endpoints\/([^/]+)\/invocations$/;

/**
 * Routing for one port. Every request must name this server in `Host` (DNS rebinding). Then a request with
 * `X-Amz-Target` is a JSON-protocol call (SageMaker.*, AWSEvents.*); the extra routes come next;
 * `POST /endpoints/{name}/invocations` is SageMaker Runtime; everything else is path-style S3. The three AWS
 * surfaces refuse requests from web pages (`Origin`) and accept only requests signed with the server's secret.
 */
export function createRequestListener(
  options: HttpRoutingOptions,
): (req: IncomingMessage, res: ServerResponse) => void {
  const verifier = new RequestSignatureVerifier(options.secretAccessKey);
  return (request, response) => {
    route(options, verifier, request, response).catch((thrown: unknown) => {
      if (clientHungUp(response, thrown)) {
        response.destroy(); // nobody is left to answer; the client's going is not the server's failure
        return;
      }
      const surface = surfaceOf(request);
      const { error, internal } = toServiceError(thrown, surface === 's3' ? S3_ERROR_CODES : {});
      if (internal) options.log.error(`${request.method} ${request.url} failed`, thrown);
      if (!response.headersSent) {
        response.setHeader('connection', 'close');
        refuse(response, surface, error, request, randomUUID());
      } else {
        response.destroy();
      }
    });
  };
}

async function route(
  options: HttpRoutingOptions,
  verifier: RequestSignatureVerifier,
  request: IncomingMessage,
  response: ServerResponse,
): Promise<void> {
  const requestId = randomUUID();
  const wrongHost = hostProblem(request);
  if (wrongHost) {
    response.setHeader('connection', 'close');
    return refuse(response, surfaceOf(request), accessDenied(surfaceOf(request), wrongHost), request, requestId);
  }
  const target = headerValue(request.headers['x-amz-target']);
  if (target) return routeJson(options, verifier, target, request, response, requestId);
  const url = requestUrl(request.url);
  if (!url) {
    response.setHeader('connection', 'close');
    const problem = `Couldn't parse the specified URI ${JSON.stringify((request.url ?? '').slice(0, 200))}.`;
    return refuse(response, surfaceOf(request), new ServiceError('InvalidURI', problem, 400), request, requestId);
  }
  for (const handler of options.routes ?? []) {
    if (await handler(request, response, url)) return;
  }
  // Object keys are taken from the raw path: URL parsing would resolve "." and ".." segments and so route
  // `/bucket/a/../../x` somewhere else instead of storing that key as it is (keys are never file paths).
  const rawPath = (request.url ?? '/').split('?')[0]!;
  const surface: Surface = INVOCATION_PATH.test(rawPath) && request.method === 'POST' ? 'runtime' : 's3';
  const fromPage = originProblem(request);
  if (fromPage) return refuse(response, surface, accessDenied(surface, fromPage), request, requestId);
  if (surface === 'runtime') return routeInvocation(options, verifier, rawPath, request, response, requestId);

  const unsigned = verifier.verify(request, { payloadHash: headerValue(request.headers['x-amz-content-sha256']) });
  if (unsigned) return refuse(response, 's3', signatureError('s3', unsigned), request, requestId);
  const { s3 } = await callerSurfaces(options, request, url.searchParams);
  const result = await s3.handle({
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

async function routeJson(
  options: HttpRoutingOptions,
  verifier: RequestSignatureVerifier,
  target: string,
  request: IncomingMessage,
  response: ServerResponse,
  requestId: string,
): Promise<void> {
  const fromPage = originProblem(request);
  if (fromPage) return refuse(response, 'json', accessDenied('json', fromPage), request, requestId);
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
  // The body is in memory: what was signed must be this body, whatever x-amz-content-sha256 claims.
  const unsigned = verifier.verify(request, { payloadHash: sha256Hex(body) });
  if (unsigned) return refuse(response, 'json', signatureError('json', unsigned), request, requestId);
  const context = { actor: requestActor(request.headers), requestId };
  const { operations } = await callerSurfaces(options, request);
  return send(response, await handleJsonRequest(operations, target, body, context, options.log));
}

async function routeInvocation(
  options: HttpRoutingOptions,
  verifier: RequestSignatureVerifier,
  rawPath: string,
  request: IncomingMessage,
  response: ServerResponse,
  requestId: string,
): Promise<void> {
  const encodedName = INVOCATION_PATH.exec(rawPath)![1]!;
  let name: string;
  try {
    name = decodeURIComponent(encodedName);
  } catch {
    response.setHeader('connection', 'close');
    return refuse(
      response,
      'runtime',
      new ServiceError(
        'ValidationError',
        `The endpoint name in the path, ${JSON.stringify(encodedName.slice(0, 100))}, is not valid percent-encoding; ` +
          'an endpoint name is letters, digits and hyphens.',
        400,
      ),
      request,
      requestId,
    );
  }
  // The SDKs for JavaScript send the payload's hash; botocore does not, so the body is read to hash it.
  const declaredHash = headerValue(request.headers['x-amz-content-sha256']);
  let body: Readable = request;
  let payloadHash = declaredHash;
  if (declaredHash === undefined) {
    let bytes: Buffer;
    try {
      bytes = await readBody(request, MAX_INVOCATION_BYTES, invocationTooLarge);
    } catch (error) {
      if (!(error instanceof ServiceError)) throw error;
      response.setHeader('connection', 'close');
      return refuse(response, 'runtime', error, request, requestId);
    }
    payloadHash = sha256Hex(bytes);
    body = Readable.from([bytes]);
  }
  const unsigned = verifier.verify(request, { payloadHash });
  if (unsigned) {
    if (!request.complete) response.setHeader('connection', 'close');
    return refuse(response, 'runtime', signatureError('runtime', unsigned), request, requestId);
  }
  const { invocations } = await callerSurfaces(options, request);
  if (invocations) return invocations(name, { headers: request.headers, body }, response);
  return refuse(
    response,
    'runtime',
    new ServiceError('ValidationError', `Endpoint ${name} of account 000000000000 not found.`, 400),
    request,
    requestId,
  );
}

/**
 * The request target as a URL on this server: origin-form only (`/path?query`), parsed as a path even when it
 * starts with `//` (which `new URL(target, base)` would read as another host). Undefined when it is not one.
 */
function requestUrl(target: string | undefined): URL | undefined {
  if (target === undefined || !target.startsWith('/')) return undefined;
  try {
    return new URL(`http://${LOCAL_HOST}${target}`);
  } catch {
    return undefined;
  }
}

/** Which surface a request is for, judged before any routing (to word a refusal in its shape). */
function surfaceOf(request: IncomingMessage): Surface {
  if (request.headers['x-amz-target'] !== undefined) return 'json';
  const rawPath = (request.url ?? '/').split('?')[0]!;
  return INVOCATION_PATH.test(rawPath) && request.method === 'POST' ? 'runtime' : 's3';
}

function accessDenied(surface: Surface, message: string): ServiceError {
  return new ServiceError(surface === 's3' ? 'AccessDenied' : 'AccessDeniedException', message, 403);
}

/** A signature problem in the surface's own codes, as AWS words them. */
function signatureError(surface: Surface, problem: SignatureProblem): ServiceError {
  if (surface === 's3') {
    const [code, status] = {
      missing: ['AccessDenied', 403],
      malformed: ['InvalidRequest', 400],
      unsupported: ['InvalidRequest', 400],
      mismatch: ['SignatureDoesNotMatch', 403],
      skewed: ['RequestTimeTooSkewed', 403],
      expired: ['AccessDenied', 403],
    }[problem.kind] as [string, number];
    return new ServiceError(code, problem.message, status);
  }
  const [code, status] = {
    missing: ['MissingAuthenticationTokenException', 403],
    malformed: ['IncompleteSignatureException', 400],
    unsupported: ['IncompleteSignatureException', 400],
    mismatch: ['InvalidSignatureException', 403],
    skewed: ['InvalidSignatureException', 403],
    expired: ['InvalidSignatureException', 403],
  }[problem.kind] as [string, number];
  return new ServiceError(code, problem.message, status);
}

/** Answers with an error in the surface's shape: S3's XML, else the JSON protocols' body and error-type header. */
function refuse(
  response: ServerResponse,
  surface: Surface,
  error: ServiceError,
  request: IncomingMessage,
  requestId: string,
): void {
  if (surface !== 's3') return send(response, errorResponse(error, { requestId }));
  const result = s3ErrorResponse(error, { method: request.method ?? 'GET', requestId });
  const body = typeof result.body === 'string' ? result.body : '';
  response.writeHead(result.status, {
    'x-amz-request-id': requestId,
    ...result.headers,
    'content-length': String(Buffer.byteLength(body)),
  });
  response.end(body);
}

function send(response: ServerResponse, wire: WireResponse): void {
  response.writeHead(wire.status, { ...wire.headers, 'content-length': String(Buffer.byteLength(wire.body)) });
  response.end(wire.body);
}

/** Reads a whole request body, refusing (413) as soon as it is larger than `limit`. */
export async function readBody(
  request: IncomingMessage,
  limit: number,
  tooLarge: (size: number, limit: number) => ServiceError = requestTooLarge,
): Promise<Buffer> {
  const declared = Number(request.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) throw tooLarge(declared, limit);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) throw tooLarge(size, limit);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

function invocationTooLarge(size: number, limit: number): ServiceError {
  return new ServiceError(
    'ValidationError',
    `The request body is ${size} bytes or more, above InvokeEndpoint's limit of ${limit} bytes.`,
    413,
  );
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

/** Errors a stream reports when its other end went away. */
const HANG_UP_CODES = new Set(['ERR_STREAM_PREMATURE_CLOSE', 'ECONNRESET', 'EPIPE', 'ERR_STREAM_DESTROYED']);

/** The client closed the connection while the answer was being sent (a download it stopped reading). */
function clientHungUp(response: ServerResponse, thrown: unknown): boolean {
  const code = (thrown as { code?: unknown } | null)?.code;
  return (
    response.headersSent && typeof code === 'string' && HANG_UP_CODES.has(code) && response.socket?.destroyed !== false
  );
}
