import { ServiceError } from '../server/service-error.js';
import { checksumHeader } from '../storage/checksums.js';
import type { ObjectInfo } from '../storage/object-store.js';
import { header, type S3Request } from './s3-http.js';

/** The content headers S3 stores with an object and sends back with it. */
const STORED_HEADERS = ['content-encoding', 'content-disposition', 'content-language', 'cache-control', 'expires'];

/** Largest total of user metadata S3 accepts (names and values, in bytes). */
const MAX_METADATA_BYTES = 2048;

/** What a PutObject, CreateMultipartUpload or CopyObject (REPLACE) request says about the object it makes. */
export interface RequestedMetadata {
  readonly contentType: string;
  readonly headers: Record<string, string>;
  readonly metadata: Record<string, string>;
}

export function requestedMetadata(request: S3Request): RequestedMetadata {
  const headers: Record<string, string> = {};
  const metadata: Record<string, string> = {};
  let metadataBytes = 0;
  for (const [name, value] of Object.entries(request.headers)) {
    if (value === undefined) continue;
    const text = Array.isArray(value) ? value.join(',') : value;
    if (STORED_HEADERS.includes(name)) headers[name] = text;
    else if (name.startsWith('x-amz-meta-')) {
      const key = name.slice('x-amz-meta-'.length);
      metadata[key] = text;
      metadataBytes += Buffer.byteLength(key) + Buffer.byteLength(text);
    }
  }
  if (metadataBytes > MAX_METADATA_BYTES) {
    throw new ServiceError(
      'MetadataTooLarge',
      `Your metadata headers exceed the maximum allowed metadata size (${metadataBytes} of ${MAX_METADATA_BYTES} bytes).`,
      400,
      { Size: String(metadataBytes), MaxSizeAllowed: String(MAX_METADATA_BYTES) },
    );
  }
  return { contentType: header(request, 'content-type') ?? 'binary/octet-stream', headers, metadata };
}

/** The headers of a GetObject or HeadObject answer. */
export function objectHeaders(
  info: ObjectInfo,
  options: { readonly withChecksum: boolean; readonly partsCount: boolean },
): Record<string, string> {
  const headers: Record<string, string> = {
    'content-type': info.contentType,
    'content-length': String(info.size),
    etag: info.etag,
    'last-modified': info.lastModified.toUTCString(),
    'accept-ranges': 'bytes',
    ...info.headers,
  };
  for (const [name, value] of Object.entries(info.metadata)) headers[`x-amz-meta-${name}`] = value;
  if (options.partsCount && info.partCount !== undefined) headers['x-amz-mp-parts-count'] = String(info.partCount);
  if (options.withChecksum && info.checksum) {
    headers[checksumHeader(info.checksum.algorithm)] = info.checksum.value;
    headers['x-amz-checksum-type'] = info.checksum.type;
  }
  return headers;
}

/**
 * GetObject's and HeadObject's conditions, in S3's order: If-Match, then If-Unmodified-Since (unless
 * If-Match held), fail with 412; If-None-Match, then If-Modified-Since, answer 304. Returns 304 or nothing.
 */
export function checkConditions(
  request: S3Request,
  info: ObjectInfo,
  names: { readonly prefix: string } = { prefix: '' },
): 304 | undefined {
  const get = (name: string) => header(request, `${names.prefix}${name}`);
  const ifMatch = get('if-match');
  const ifNoneMatch = get('if-none-match');
  const ifModifiedSince = httpDate(get('if-modified-since'));
  const ifUnmodifiedSince = httpDate(get('if-unmodified-since'));
  const seconds = Math.floor(info.lastModified.getTime() / 1000) * 1000;
  if (ifMatch !== undefined && !etagMatches(ifMatch, info.etag)) throw preconditionFailed(`${names.prefix}If-Match`);
  if (ifMatch === undefined && ifUnmodifiedSince !== undefined && seconds > ifUnmodifiedSince) {
    throw preconditionFailed(`${names.prefix}If-Unmodified-Since`);
  }
  if (ifNoneMatch !== undefined && etagMatches(ifNoneMatch, info.etag)) {
    if (names.prefix) throw preconditionFailed(`${names.prefix}If-None-Match`);
    return 304;
  }
  if (ifNoneMatch === undefined && ifModifiedSince !== undefined && seconds <= ifModifiedSince) {
    if (names.prefix) throw preconditionFailed(`${names.prefix}If-Modified-Since`);
    return 304;
  }
  return undefined;
}

export function preconditionFailed(condition: string): ServiceError {
  return new ServiceError('PreconditionFailed', 'At least one of the pre-conditions you specified did not hold', 412, {
    Condition: condition,
  });
}

function etagMatches(condition: string, etag: string): boolean {
  const bare = etag.replace(/^"|"$/g, '');
  return condition
    .split(',')
    .map((value) => value.trim().replace(/^W\//, '').replace(/^"|"$/g, ''))
    .some((value) => value === '*' || value === bare);
}

function httpDate(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const time = Date.parse(text);
  return Number.isNaN(time) ? undefined : time;
}

/** Parses a single `bytes=` range as S3 accepts it; anything else is ignored (the whole object), as S3 does. */
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

/** The bytes of part `partNumber` of an object (GetObject/HeadObject `?partNumber=`). */
export function partRange(info: ObjectInfo, partNumber: number): { start: number; end: number } {
  const count = info.partCount ?? 1;
  if (!Number.isInteger(partNumber) || partNumber < 1 || partNumber > count) {
    throw new ServiceError('InvalidPartNumber', 'The requested partnumber is not satisfiable', 416, {
      PartNumberRequested: String(partNumber),
      ActualPartCount: String(count),
    });
  }
  if (info.partCount === undefined) return { start: 0, end: info.size - 1 };
  let start = 0;
  for (let index = 0; index < partNumber - 1; index += 1) start += info.parts[index]!.size;
  return { start, end: start + info.parts[partNumber - 1]!.size - 1 };
}
