import { createReadStream } from 'node:fs';
import { Transform, type Readable, type TransformCallback } from 'node:stream';
import type { ObjectInfo, ObjectStore } from '../storage/object-store.js';
import { S3_ERROR_CODES, ServiceError, toServiceError } from '../server/service-error.js';
import { AwsChunkedDecoder, isAwsChunked } from './aws-chunked.js';
import { chainRequestBody } from './request-body.js';
import { xmlDocument, type XmlNode } from './xml.js';

const S3_NAMESPACE = 'http://s3.amazonaws.com/doc/2006-03-01/';

/** Query keys naming S3 sub-resources the local server does not serve (multipart uploads, ACLs, ...). */
const UNSUPPORTED_SUBRESOURCES = [
  'uploads',
  'uploadId',
  'partNumber',
  'acl',
  'tagging',
  'versioning',
  'versionId',
  'policy',
  'cors',
  'lifecycle',
  'website',
  'notification',
  'replication',
  'encryption',
  'logging',
  'object-lock',
  'retention',
  'legal-hold',
  'torrent',
  'restore',
  'select',
  'delete',
  'location',
];

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

export interface S3ApiOptions {
  /** Largest object PutObject accepts, in bytes. */
  readonly maxObjectBytes: number;
}

/**
 * S3's path-style REST API over the local ObjectStore: the operations the project's code and the AWS SDKs
 * use (CreateBucket, HeadBucket, ListBuckets, PutObject, GetObject with Range, HeadObject, DeleteObject,
 * ListObjectsV2), with S3's XML shapes and error codes. Anything else answers `NotImplemented` by name.
 */
export class S3Api {
  constructor(
    private readonly store: ObjectStore,
    private readonly options: S3ApiOptions,
  ) {}

  async handle(request: S3Request): Promise<S3Response> {
    try {
      return await this.route(request);
    } catch (thrown) {
      const { error, internal } = toServiceError(thrown, S3_ERROR_CODES);
      // Unexpected errors go up to the listener, which logs them and answers InternalError in this shape.
      if (internal) throw thrown;
      return s3ErrorResponse(error, request);
    }
  }

  private async route(request: S3Request): Promise<S3Response> {
    const { bucket, key } = splitPath(request.path);
    const unsupported = UNSUPPORTED_SUBRESOURCES.find((name) => request.query.has(name));
    if (unsupported) {
      throw new ServiceError(
        'NotImplemented',
        `The local S3 does not implement the "${unsupported}" sub-resource (${request.method} ${request.path}?${unsupported}).`,
        501,
      );
    }
    const method = request.method.toUpperCase();
    if (!bucket) {
      if (method === 'GET') return this.listBuckets();
      throw notImplemented(request);
    }
    if (key === undefined) {
      if (method === 'PUT') return this.createBucket(bucket);
      if (method === 'HEAD') return this.headBucket(bucket);
      if (method === 'GET' && request.query.get('list-type') === '2') return this.listObjectsV2(bucket, request.query);
      if (method === 'GET') {
        throw new ServiceError('NotImplemented', 'The local S3 serves ListObjectsV2 only; pass list-type=2.', 501);
      }
      throw notImplemented(request);
    }
    if (method === 'PUT') {
      if (request.headers['x-amz-copy-source']) throw notImplemented(request, 'CopyObject');
      return this.putObject(bucket, key, request);
    }
    if (method === 'GET') return this.getObject(bucket, key, request, true);
    if (method === 'HEAD') return this.getObject(bucket, key, request, false);
    if (method === 'DELETE') return this.deleteObject(bucket, key);
    throw notImplemented(request);
  }

  private async listBuckets(): Promise<S3Response> {
    const names = await this.store.listBuckets();
    const body = xmlDocument(
      'ListAllMyBucketsResult',
      {
        Owner: { ID: 'slipway-local', DisplayName: 'slipway-local' },
        Buckets: { Bucket: names.map((Name) => ({ Name, CreationDate: new Date(0).toISOString() })) },
      },
      S3_NAMESPACE,
    );
    return xml(200, body);
  }

  private async createBucket(bucket: string): Promise<S3Response> {
    const created = await this.store.createBucket(bucket);
    if (!created) {
      throw new ServiceError(
        'BucketAlreadyOwnedByYou',
        `Your previous request to create the named bucket succeeded and you already own it: ${bucket}.`,
        409,
        { BucketName: bucket },
      );
    }
    return { status: 200, headers: { location: `/${bucket}` } };
  }

  private async headBucket(bucket: string): Promise<S3Response> {
    await this.requireBucket(bucket);
    return { status: 200, headers: { 'x-amz-bucket-region': 'us-east-1' } };
  }

  private async putObject(bucket: string, key: string, request: S3Request): Promise<S3Response> {
    await this.requireBucket(bucket);
    const declared = Number(request.headers['x-amz-decoded-content-length'] ?? request.headers['content-length']);
    if (Number.isFinite(declared) && declared > this.options.maxObjectBytes) throw tooLarge(declared, this.options);
    const body = chainRequestBody(request.body, [
      ...(isAwsChunked(request.headers) ? [new AwsChunkedDecoder()] : []),
      new ByteLimit(this.options),
    ]);
    const contentType = String(request.headers['content-type'] ?? 'binary/octet-stream');
    const info = await this.store.put(bucket, key, body, { contentType });
    return { status: 200, headers: { etag: info.etag } };
  }

  private async getObject(bucket: string, key: string, request: S3Request, withBody: boolean): Promise<S3Response> {
    const info = await this.store.head(bucket, key);
    if (!info) {
      if (!(await this.store.bucketExists(bucket))) throw noSuchBucket(bucket);
      throw new ServiceError('NoSuchKey', 'The specified key does not exist.', 404, { Key: key });
    }
    const headers = objectHeaders(info);
    const range = parseRange(request.headers['range'], info.size);
    if (range === 'unsatisfiable') {
      throw new ServiceError('InvalidRange', 'The requested range is not satisfiable.', 416, {
        ActualObjectSize: String(info.size),
      });
    }
    if (!range) {
      return {
        status: 200,
        headers,
        ...(withBody ? { body: createReadStream(this.store.objectPath(bucket, key)) } : {}),
      };
    }
    return {
      status: 206,
      headers: {
        ...headers,
        'content-length': String(range.end - range.start + 1),
        'content-range': `bytes ${range.start}-${range.end}/${info.size}`,
      },
      ...(withBody
        ? { body: createReadStream(this.store.objectPath(bucket, key), { start: range.start, end: range.end }) }
        : {}),
    };
  }

  private async deleteObject(bucket: string, key: string): Promise<S3Response> {
    await this.requireBucket(bucket);
    await this.store.delete(bucket, key);
    return { status: 204, headers: {} };
  }

  private async listObjectsV2(bucket: string, query: URLSearchParams): Promise<S3Response> {
    await this.requireBucket(bucket);
    const prefix = query.get('prefix') ?? '';
    const delimiter = query.get('delimiter') ?? '';
    const maxKeysText = query.get('max-keys');
    const maxKeys = maxKeysText === null ? 1000 : Number(maxKeysText);
    if (!Number.isInteger(maxKeys) || maxKeys < 0) {
      throw new ServiceError('InvalidArgument', `max-keys must be a non-negative integer, got ${maxKeysText}.`);
    }
    const token = query.get('continuation-token');
    const startAfter = query.get('start-after') ?? '';
    const marker = token !== null ? decodeContinuation(token) : startAfter;
    const encodeKeys = query.get('encoding-type') === 'url';
    const encode = (text: string) => (encodeKeys ? encodeURIComponent(text).replace(/%2F/g, '/') : text);

    const page = listPage(await this.store.list(bucket, prefix), { prefix, delimiter, maxKeys, marker });
    const body: XmlNode = {
      Name: bucket,
      Prefix: encode(prefix),
      KeyCount: page.contents.length + page.commonPrefixes.length,
      MaxKeys: Math.min(maxKeys, 1000),
      ...(delimiter ? { Delimiter: encode(delimiter) } : {}),
      IsTruncated: page.truncated,
      ...(encodeKeys ? { EncodingType: 'url' } : {}),
      ...(token !== null ? { ContinuationToken: token } : {}),
      ...(page.nextMarker !== undefined ? { NextContinuationToken: encodeContinuation(page.nextMarker) } : {}),
      ...(startAfter ? { StartAfter: encode(startAfter) } : {}),
      Contents: page.contents.map((info) => ({
        Key: encode(info.key),
        LastModified: info.lastModified.toISOString(),
        ETag: info.etag,
        Size: info.size,
        StorageClass: 'STANDARD',
      })),
      CommonPrefixes: page.commonPrefixes.map((Prefix) => ({ Prefix: encode(Prefix) })),
    };
    return xml(200, xmlDocument('ListBucketResult', body, S3_NAMESPACE));
  }

  private async requireBucket(bucket: string): Promise<void> {
    if (!(await this.store.bucketExists(bucket))) throw noSuchBucket(bucket);
  }
}

/**
 * One ListObjectsV2 page from the keys under a prefix (sorted). Keys that share the part up to the next
 * delimiter collapse into one common prefix; both count toward max-keys, as in S3.
 */
export function listPage(
  objects: readonly ObjectInfo[],
  options: { prefix: string; delimiter: string; maxKeys: number; marker: string },
): { contents: ObjectInfo[]; commonPrefixes: string[]; truncated: boolean; nextMarker: string | undefined } {
  const contents: ObjectInfo[] = [];
  const commonPrefixes: string[] = [];
  let last: string | undefined;
  for (const info of objects) {
    if (
      options.marker &&
      (info.key <= options.marker || (isPrefixMarker(options) && info.key.startsWith(options.marker)))
    ) {
      continue;
    }
    const rest = info.key.slice(options.prefix.length);
    const cut = options.delimiter ? rest.indexOf(options.delimiter) : -1;
    const entry = cut >= 0 ? options.prefix + rest.slice(0, cut + options.delimiter.length) : undefined;
    if (entry !== undefined && entry === commonPrefixes[commonPrefixes.length - 1]) continue;
    if (contents.length + commonPrefixes.length >= options.maxKeys) {
      return { contents, commonPrefixes, truncated: true, nextMarker: last };
    }
    if (entry !== undefined) commonPrefixes.push(entry);
    else contents.push(info);
    last = entry ?? info.key;
  }
  return { contents, commonPrefixes, truncated: false, nextMarker: undefined };
}

function isPrefixMarker(options: { delimiter: string; marker: string }): boolean {
  return options.delimiter !== '' && options.marker.endsWith(options.delimiter);
}

function encodeContinuation(marker: string): string {
  return Buffer.from(marker, 'utf8').toString('base64');
}

function decodeContinuation(token: string): string {
  const decoded = Buffer.from(token, 'base64').toString('utf8');
  if (encodeContinuation(decoded) !== token) {
    throw new ServiceError('InvalidArgument', 'The continuation token provided is incorrect.');
  }
  return decoded;
}

function splitPath(rawPath: string): { bucket: string | undefined; key: string | undefined } {
  const path = rawPath.startsWith('/') ? rawPath.slice(1) : rawPath;
  if (path === '') return { bucket: undefined, key: undefined };
  const slash = path.indexOf('/');
  if (slash < 0 || slash === path.length - 1) {
    return { bucket: decode(slash < 0 ? path : path.slice(0, slash)), key: undefined };
  }
  return { bucket: decode(path.slice(0, slash)), key: decode(path.slice(slash + 1)) };
}

function decode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    throw new ServiceError('InvalidURI', `Could not decode the request path segment ${JSON.stringify(text)}.`);
  }
}

function objectHeaders(info: ObjectInfo): Record<string, string> {
  return {
    'content-type': info.contentType,
    'content-length': String(info.size),
    etag: info.etag,
    'last-modified': info.lastModified.toUTCString(),
    'accept-ranges': 'bytes',
  };
}

/** Parses a single `bytes=` range as S3 accepts it; multiple ranges are not supported by S3 either. */
export function parseRange(
  header: string | string[] | undefined,
  size: number,
): { start: number; end: number } | 'unsatisfiable' | undefined {
  const value = Array.isArray(header) ? header[0] : header;
  const match = value ? /^bytes=(\d*)-(\d*)$/.exec(value.trim()) : null;
  if (!match || (match[1] === '' && match[2] === '')) return undefined;
  if (match[1] === '') {
    const suffix = Number(match[2]);
    if (suffix === 0 || size === 0) return 'unsatisfiable';
    return { start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(match[1]);
  const end = match[2] === '' ? size - 1 : Math.min(Number(match[2]), size - 1);
  if (start >= size || end < start) return 'unsatisfiable';
  return { start, end };
}

function xml(status: number, body: string): S3Response {
  return { status, headers: { 'content-type': 'application/xml' }, body };
}

/** S3's error answer: `<Error><Code>…` with the request id (no body for HEAD, as S3 does). */
export function s3ErrorResponse(error: ServiceError, request: Pick<S3Request, 'method' | 'requestId'>): S3Response {
  const headers: Record<string, string> = { 'x-amz-request-id': request.requestId };
  if (request.method.toUpperCase() === 'HEAD') return { status: error.status, headers };
  return {
    status: error.status,
    headers: { ...headers, 'content-type': 'application/xml' },
    body: xmlDocument('Error', {
      Code: error.code,
      Message: error.message,
      ...error.details,
      RequestId: request.requestId,
    }),
  };
}

function noSuchBucket(bucket: string): ServiceError {
  return new ServiceError('NoSuchBucket', 'The specified bucket does not exist.', 404, { BucketName: bucket });
}

function notImplemented(request: S3Request, operation?: string): ServiceError {
  return new ServiceError(
    'NotImplemented',
    `The local S3 does not implement ${operation ?? `${request.method} ${request.path}`}.`,
    501,
  );
}

function tooLarge(size: number, options: S3ApiOptions): ServiceError {
  return new ServiceError(
    'EntityTooLarge',
    `Your proposed upload of ${size} bytes exceeds the local server's limit of ${options.maxObjectBytes} bytes (start it with a larger maxObjectBytes).`,
    400,
    { ProposedSize: String(size), MaxSizeAllowed: String(options.maxObjectBytes) },
  );
}

/** Fails the stream as soon as more than the allowed number of bytes went through it. */
class ByteLimit extends Transform {
  private seen = 0;

  constructor(private readonly options: S3ApiOptions) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.seen += chunk.length;
    if (this.seen > this.options.maxObjectBytes) return callback(tooLarge(this.seen, this.options));
    callback(null, chunk);
  }
}
