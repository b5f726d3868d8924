import type { OutgoingHttpHeaders, ServerResponse } from 'node:http';
import type { InvocationRequest } from '../server/http-server.js';
import type { Fleet, Instance } from './fleet.js';
import type { ModelAnswer } from './model-server-client.js';
import { modelError, sendRuntimeError } from './runtime-errors.js';

/** Request headers the container sees, as SageMaker passes them on (the body's framing is the client's own). */
const FORWARDED_REQUEST_HEADERS = [
  'content-type',
  'accept',
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
 * Passes one InvokeEndpoint to a model server over a kept-alive connection (the body streamed up, the answer
 * read whole, as InvokeEndpoint returns it). A 2xx answer goes back as it is, with
 * `x-Amzn-Invoked-Production-Variant`; any other status becomes a 424 ModelError carrying the original status
 * and message; no answer at all (the server died, or the timeout passed) is a ModelError without an original
 * status. The request counts as in flight for the fleet (blue/green draining waits for it) until the model
 * server has answered or the client has gone.
 */
export function forwardInvocation(
  request: InvocationRequest,
  response: ServerResponse,
  target: InvocationTarget,
  requestId: string,
): void {
  const { fleet, instance } = target;
  const variant = instance.variant.name;
  // Only a sampled request pays for copying its body.
  const capture = fleet.capture?.sample() ? fleet.capture : undefined;
  const requestChunks: Buffer[] = [];
  if (capture) request.body.on('data', (chunk: Buffer) => requestChunks.push(chunk));
  fleet.acquire(instance);
  let released = false;
  const release = () => {
    if (released) return;
    released = true;
    fleet.release(instance);
  };
  const headers: [string, string][] = [];
  for (const name of FORWARDED_REQUEST_HEADERS) {
    const value = request.headers[name];
    if (typeof value === 'string') headers.push([name, value]);
  }
  const declared = request.headers['content-length'];
  const contentLength =
    declared !== undefined && request.headers['transfer-encoding'] === undefined ? Number(declared) : undefined;
  const where = () => ({
    logFile: instance.variant.logFile(instance.variant.instances.indexOf(instance)),
    logStreamArn: target.logStreamArn,
  });
  const answered = (error: Error | undefined, answer?: ModelAnswer) => {
    release();
    if (response.destroyed) return;
    if (!answer) {
      const reason = error?.message ?? 'no answer';
      sendRuntimeError(
        response,
        modelError(undefined, `no answer from the model server: ${reason}`, where()),
        requestId,
      );
      return;
    }
    if (answer.status < 200 || answer.status >= 300) {
      const text = answer.body.subarray(0, ERROR_BODY_LIMIT).toString('utf8');
      const original = answer.body.length > ERROR_BODY_LIMIT ? `${text}…` : text;
      sendRuntimeError(response, modelError(answer.status, original, where()), requestId);
      return;
    }
    const contentType = answer.headers['content-type'] ?? 'application/octet-stream';
    const out: OutgoingHttpHeaders = {
      'content-type': contentType,
      'content-length': answer.body.length,
      'x-Amzn-Invoked-Production-Variant': variant,
      'x-amzn-requestid': requestId,
    };
    const attributes = answer.headers[CUSTOM_ATTRIBUTES];
    if (attributes !== undefined) out['X-Amzn-SageMaker-Custom-Attributes'] = attributes;
    response.writeHead(200, out);
    response.end(answer.body);
    capture?.record(
      variant,
      { contentType: String(request.headers['content-type'] ?? ''), body: Buffer.concat(requestChunks) },
      { contentType, body: answer.body },
    );
  };
  const abandon = instance.client.invoke(
    { headers, ...(contentLength !== undefined ? { contentLength } : {}), body: request.body },
    target.timeoutMs,
    answered,
  );
  response.once('close', () => {
    if (response.writableFinished) return;
    // The client went away before its answer: the exchange with the model server is dropped with it.
    abandon();
    release();
  });
}
