import type { Readable } from 'node:stream';
import { ServiceError } from '../server/service-error.js';
import { xmlDocument, type XmlNode } from './xml.js';

/** The namespace of every S3 response document. */
export const S3_NAMESPACE = 'http://s3.amazonaws.com/doc/2006-03-01/';

/** The owner every local object and upload reports (there is one account). */
export const LOCAL_OWNER = { ID: 'slipway-local', DisplayName: 'slipway-local' } as const;

export interface S3Request {
  readonly method: string;
  /** The raw (percent-encoded) path, without the query. */
  readonly path: string;
  readonly query: URLSearchParams;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly body: Readable;
  readonly requestId: string;
}

export interface S3Response {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body?: string | Buffer | Readable;
}

/** A header's (first) value. */
export function header(request: Pick<S3Request, 'headers'>, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** A 200 answer with an S3 XML document. */
export function xmlResponse(root: string, content: XmlNode, headers: Record<string, string> = {}): S3Response {
  return {
    status: 200,
    headers: { ...headers, 'content-type': 'application/xml' },
    body: xmlDocument(root, content, S3_NAMESPACE),
  };
}

/** A non-negative integer query parameter capped at `max` (max-keys, max-parts ...); `fallback` when absent. */
export function countParameter(query: URLSearchParams, name: string, fallback: number, max: number): number {
  const text = query.get(name);
  if (text === null) return fallback;
  const value = Number(text);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(value)) {
    throw new ServiceError(
      'InvalidArgument',
      `${name} must be a non-negative integer, got ${JSON.stringify(text.slice(0, 40))}.`,
      400,
      {
        ArgumentName: name,
        ArgumentValue: text.slice(0, 100),
      },
    );
  }
  return Math.min(value, max);
}

/** `encoding-type=url`: keys and prefixes in a listing are percent-encoded (so any byte survives XML). */
export function keyEncoder(query: URLSearchParams): (text: string) => string {
  const encoding = query.get('encoding-type');
  if (encoding !== null && encoding !== 'url') {
    throw new ServiceError(
      'InvalidArgument',
      `Invalid Encoding Method specified in Request: ${encoding.slice(0, 40)}.`,
      400,
      {
        ArgumentName: 'encoding-type',
        ArgumentValue: encoding.slice(0, 100),
      },
    );
  }
  return encoding === 'url' ? (text) => encodeURIComponent(text).replace(/%2F/g, '/') : (text) => text;
}

export function noSuchBucket(bucket: string): ServiceError {
  return new ServiceError('NoSuchBucket', 'The specified bucket does not exist.', 404, { BucketName: bucket });
}

export function noSuchKey(key: string): ServiceError {
  return new ServiceError('NoSuchKey', 'The specified key does not exist.', 404, { Key: key });
}

export function notImplemented(what: string): ServiceError {
  return new ServiceError('NotImplemented', `The local S3 does not implement ${what}.`, 501);
}

export function tooLarge(size: number, maxBytes: number): ServiceError {
  return new ServiceError(
    'EntityTooLarge',
    `Your proposed upload of ${size} bytes exceeds the local server's limit of ${maxBytes} bytes (start it with a larger maxObjectBytes).`,
    400,
    { ProposedSize: String(size), MaxSizeAllowed: String(maxBytes) },
  );
}

/** A checksum as S3's XML names it: `ChecksumCRC32`, `ChecksumSHA256` ... */
export function checksumElement(algorithm: string, value: string | undefined): Record<string, string> {
  return value === undefined ? {} : { [`Checksum${algorithm}`]: value };
}
