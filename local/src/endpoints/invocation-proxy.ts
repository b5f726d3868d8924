import { request as httpRequest, type IncomingMessage, type OutgoingHttpHeaders, type ServerResponse } from 'node:http';
import { pipeline } from 'node:stream';
import type { Fleet, Instance } from './fleet.js';
import { modelError, sendRuntimeError } from './runtime-errors.js';

/** Request headers the container sees, as SageMaker passes them on. */
const FORWARDED_REQUEST_HEADERS = [
  'content-type',
  'accept',
  'content-length',
  'transfer-encoding',
  'x-amzn-sagemaker-custom-attributes',
  'x-amzn-sagemaker-inference-id',
] as const;
const CUSTOM_ATTRIBUTES = 'x-amzn-sagemaker-custom-attributes';
/** How much of a container's error answer is kept as OriginalMessage. */
const ERROR_BODY_LIMIT = 4096;

export interface InvocationTarget {
  readonly fleet: Fleet;
  readonly instance: Instance;
  /** CloudWatch-style ARN for ModelError.LogStreamArn. */
  readonly logStreamArn: string;
  /** How long the container may take to answer (SageMaker: 60 s). */
  readonly timeoutMs: number;
}

/**
 * Passes one InvokeEndpoint to a model server over a kept-alive connection, streaming the body both ways.
 * A 2xx answer goes back as it is, with `x-Amzn-Invoked-Production-Variant`; any other status becomes a
 * 424 ModelError carrying the original status and message; no answer at all (the server died, or the
 * timeout passed) is a ModelError without an original status. The request counts as in flight for the
 * fleet (blue/green draining waits for it) until its response is closed.
 */
export function forwardInvocation(
  request: IncomingMessage,
  response: ServerResponse,
  target: InvocationTarget,
  requestId: string,
): void {
  const { fleet, instance } = target;
  const variant = instance.variant.name;
  // Only a sampled request pays for copying its bodies.
  const capture = fleet.capture?.sample() ? fleet.capture : undefined;
  const requestChunks: Buffer[] = [];
  if (capture) request.on('data', (chunk: Buffer) => requestChunks.push(chunk));
  fleet.acquire(instance);
  response.once('close', () => {
    fleet.release(instance);
    if (!response.writableFinished) upstream.destroy();
  });
  const headers: Record<string, string | string[]> = {};
  for (const name of FORWARDED_REQUEST_HEADERS) {
    const value = request.headers[name];
    if (value !== undefined) headers[name] = value;
  }
  const upstream = httpRequest({
    host: '127.0.0.1',
    port: instance.server.port,
    method: 'POST',
    path: '/invocations',
    agent: instance.agent,
    headers,
    timeout: target.timeoutMs,
  });
  const where = () => ({
    logFile: instance.variant.logFile(instance.variant.instances.indexOf(instance)),
    logStreamArn: target.logStreamArn,
  });
  upstream.once('response', (answer) => {
    const status = answer.statusCode ?? 500;
    if (status >= 200 && status < 300) {
      const out: OutgoingHttpHeaders = {
        'content-type': answer.headers['content-type'] ?? 'application/octet-stream',
        'x-Amzn-Invoked-Production-Variant': variant,
        'x-amzn-requestid': requestId,
      };
      if (answer.headers['content-length'] !== undefined) out['content-length'] = answer.headers['content-length'];
      if (answer.headers[CUSTOM_ATTRIBUTES] !== undefined)
        out['X-Amzn-SageMaker-Custom-Attributes'] = answer.headers[CUSTOM_ATTRIBUTES];
      response.writeHead(200, out);
      if (capture) {
        const answerChunks: Buffer[] = [];
        answer.on('data', (chunk: Buffer) => answerChunks.push(chunk));
        answer.once('end', () =>
          capture.record(
            variant,
            { contentType: String(request.headers['content-type'] ?? ''), body: Buffer.concat(requestChunks) },
            { contentType: String(out['content-type']), body: Buffer.concat(answerChunks) },
          ),
        );
      }
      // A model server that dies mid-answer cuts the client's connection too (the status is already sent),
      // so the client sees a failure, never a hung response, and the request leaves the fleet's count.
      pipeline(answer, response, () => undefined);
      return;
    }
    readLimited(answer, ERROR_BODY_LIMIT).then(
      (text) => sendRuntimeError(response, modelError(status, text, where()), requestId),
      (error: Error) => sendRuntimeError(response, modelError(status, error.message, where()), requestId),
    );
  });
  upstream.once('timeout', () =>
    upstream.destroy(new Error(`the model did not answer within ${Math.round(target.timeoutMs / 1000)} s`)),
  );
  upstream.once('error', (error) => {
    if (response.destroyed) return;
    sendRuntimeError(
      response,
      modelError(undefined, `no answer from the model server: ${error.message}`, where()),
      requestId,
    );
  });
  request.pipe(upstream);
}

async function readLimited(stream: IncomingMessage, limit: number): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    if (size < limit) chunks.push(chunk.subarray(0, limit - size));
    size += chunk.length;
  }
  const text = Buffer.concat(chunks).toString('utf8');
  return size > limit ? `${text}…` : text;
}
