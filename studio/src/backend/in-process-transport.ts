import { randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import { handleJsonRequest, type LocalService } from '@slipway/local';

/** The endpoint the in-process clients are configured with; nothing ever connects to it. */
export const IN_PROCESS_ENDPOINT = 'http://in-process.slipway.local';

/** The part of smithy's HttpRequest the transport reads. */
interface SdkRequest {
  readonly method: string;
  readonly path: string;
  readonly query?: Readonly<Record<string, string | readonly string[] | null>>;
  readonly headers: Readonly<Record<string, string>>;
  readonly body?: unknown;
}

interface SdkResponse {
  readonly statusCode: number;
  readonly headers: Record<string, string>;
  readonly body: Readable;
}

/**
 * An AWS SDK request handler that answers SageMaker (JSON protocol) and S3 requests with the local service's
 * own handlers, in this process: the same decoding, operation handlers and encoding its HTTP port uses, minus
 * the socket. So the console reads and acts through exactly what `aws sagemaker …` reaches, and its
 * approvals are the same UpdateModelPackage (same events, same deploy). `actor` is recorded as the caller
 * (CreatedBy, LastModifiedBy, the approval history).
 */
export function inProcessRequestHandler(service: LocalService, actor: string) {
  return {
    async handle(request: SdkRequest): Promise<{ response: SdkResponse }> {
      const requestId = randomUUID();
      const target = header(request.headers, 'x-amz-target');
      if (target) {
        const wire = await handleJsonRequest(
          service.operations,
          target,
          await bodyBytes(request.body),
          { actor, requestId },
          service.log,
        );
        return {
          response: {
            statusCode: wire.status,
            headers: wire.headers,
            body: Readable.from([Buffer.from(wire.body, 'utf8')]),
          },
        };
      }
      const query = new URLSearchParams();
      for (const [name, value] of Object.entries(request.query ?? {})) {
        if (value === null) query.append(name, '');
        else for (const item of typeof value === 'string' ? [value] : value) query.append(name, item);
      }
      const result = await service.s3.handle({
        method: request.method,
        path: request.path,
        query,
        headers: lowerCased(request.headers),
        body: Readable.from([await bodyBytes(request.body)]),
        requestId,
      });
      const body =
        result.body === undefined
          ? Readable.from([])
          : typeof result.body === 'string' || Buffer.isBuffer(result.body)
            ? Readable.from([Buffer.from(result.body)])
            : result.body;
      return { response: { statusCode: result.status, headers: result.headers, body } };
    },
    updateHttpClientConfig(): void {},
    httpHandlerConfigs(): Record<string, never> {
      return {};
    },
    destroy(): void {},
  };
}

function header(headers: Readonly<Record<string, string>>, name: string): string | undefined {
  for (const [key, value] of Object.entries(headers)) if (key.toLowerCase() === name) return value;
  return undefined;
}

function lowerCased(headers: Readonly<Record<string, string>>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).map(([key, value]) => [key.toLowerCase(), value]));
}

async function bodyBytes(body: unknown): Promise<Buffer> {
  if (body === undefined || body === null) return Buffer.alloc(0);
  if (typeof body === 'string') return Buffer.from(body, 'utf8');
  if (body instanceof Uint8Array) return Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  if (body instanceof Readable) {
    const chunks: Buffer[] = [];
    for await (const chunk of body as AsyncIterable<Buffer | string>) chunks.push(Buffer.from(chunk));
    return Buffer.concat(chunks);
  }
  throw new Error(`the in-process transport cannot send a body of type ${typeof body}`);
}
