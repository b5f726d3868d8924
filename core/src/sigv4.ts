import { createHash, createHmac } from 'node:crypto';

/**
 * AWS Signature Version 4, the parts both sides share: the canonical request, the string to sign and the
 * signature. The local server verifies requests with it (its per-server secret is the secret access key);
 * the project's own raw HTTP calls to that server sign with it. The SDKs and botocore sign on their own.
 * The rules are AWS's published SigV4 rules (canonical URI, query, headers, payload hash).
 */

export const SIGV4_ALGORITHM = 'AWS4-HMAC-SHA256';
/** What S3 puts in `x-amz-content-sha256` (and presigned URLs use) when the payload is not hashed. */
export const UNSIGNED_PAYLOAD = 'UNSIGNED-PAYLOAD';

export interface AwsCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
}

/** The parts of a request the signature covers, as they travel on the wire. */
export interface SignableRequest {
  readonly method: string;
  /** The path exactly as sent (percent-encoded), without the query. */
  readonly rawPath: string;
  /** The query exactly as sent, without the `?`. */
  readonly rawQuery: string;
  /** Header values by lower-case name; repeated headers keep every value, in order. */
  readonly headers: ReadonlyMap<string, readonly string[]>;
}

export interface SigningScope {
  /** `YYYYMMDD`. */
  readonly date: string;
  readonly region: string;
  readonly service: string;
}

/** Every byte but the unreserved characters (A-Z a-z 0-9 - _ . ~) as %XX, as SigV4 requires. */
export function uriEncode(text: string): string {
  return encodeURIComponent(text).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

export function sha256Hex(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

/**
 * The canonical URI. S3 signs the path as sent; every other service signs it normalized (no `.`, `..` or
 * empty segments) and percent-encoded once more.
 */
export function canonicalUri(rawPath: string, service: string): string {
  const path = rawPath === '' ? '/' : rawPath;
  if (service === 's3') return path;
  const segments: string[] = [];
  for (const segment of path.split('/')) {
    if (segment === '' || segment === '.') continue;
    if (segment === '..') segments.pop();
    else segments.push(segment);
  }
  const trailing = segments.length > 0 && path.endsWith('/') ? '/' : '';
  return `/${segments.map(uriEncode).join('/')}${trailing}`;
}

/** The canonical query string: every parameter decoded, encoded strictly, sorted by name then value. */
export function canonicalQuery(rawQuery: string, omit?: string): string {
  const pairs: [string, string][] = [];
  for (const part of rawQuery.split('&')) {
    if (part === '') continue;
    const equals = part.indexOf('=');
    const name = uriEncode(safeDecode(equals < 0 ? part : part.slice(0, equals)));
    const value = uriEncode(safeDecode(equals < 0 ? '' : part.slice(equals + 1)));
    if (omit !== undefined && name === omit) continue;
    pairs.push([name, value]);
  }
  pairs.sort(([a, x], [b, y]) => (a < b ? -1 : a > b ? 1 : x < y ? -1 : x > y ? 1 : 0));
  return pairs.map(([name, value]) => `${name}=${value}`).join('&');
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    // Not valid percent-encoding: signed as sent, so such a request can only match its own signature.
    return text;
  }
}

/** `name:value\n` for each signed header: values trimmed, inner runs of spaces collapsed, repeats joined by `,`. */
export function canonicalHeaders(
  headers: ReadonlyMap<string, readonly string[]>,
  signedHeaders: readonly string[],
): string {
  return signedHeaders
    .map((name) => {
      const values = headers.get(name) ?? [];
      return `${name}:${values.map((value) => value.trim().replace(/\s+/g, ' ')).join(',')}\n`;
    })
    .join('');
}

export function canonicalRequest(
  request: SignableRequest,
  signedHeaders: readonly string[],
  payloadHash: string,
  service: string,
  omitQuery?: string,
): string {
  return [
    request.method.toUpperCase(),
    canonicalUri(request.rawPath, service),
    canonicalQuery(request.rawQuery, omitQuery),
    canonicalHeaders(request.headers, signedHeaders),
    signedHeaders.join(';'),
    payloadHash,
  ].join('\n');
}

export function credentialScope(scope: SigningScope): string {
  return `${scope.date}/${scope.region}/${scope.service}/aws4_request`;
}

export function stringToSign(amzDate: string, scope: SigningScope, canonical: string): string {
  return [SIGV4_ALGORITHM, amzDate, credentialScope(scope), sha256Hex(canonical)].join('\n');
}

export function signingKey(secretAccessKey: string, scope: SigningScope): Buffer {
  const date = createHmac('sha256', `AWS4${secretAccessKey}`).update(scope.date).digest();
  const region = createHmac('sha256', date).update(scope.region).digest();
  const service = createHmac('sha256', region).update(scope.service).digest();
  return createHmac('sha256', service).update('aws4_request').digest();
}

export function signatureHex(key: Buffer, toSign: string): string {
  return createHmac('sha256', key).update(toSign).digest('hex');
}

/** `YYYYMMDDTHHMMSSZ`, the form of `X-Amz-Date`. */
export function amzDate(at: Date): string {
  return at
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');
}

/** Parses `YYYYMMDDTHHMMSSZ`; undefined when it is not that form. */
export function parseAmzDate(text: string): Date | undefined {
  const match = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(text);
  if (!match) return undefined;
  const [, y, mo, d, h, mi, s] = match;
  const at = new Date(`${y}-${mo}-${d}T${h}:${mi}:${s}Z`);
  return Number.isNaN(at.getTime()) ? undefined : at;
}

export interface SignOptions {
  readonly method: string;
  readonly url: string | URL;
  /** Headers to send; `host`, `x-amz-date` and `x-amz-content-sha256` are added. */
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: string | Buffer;
  /** The payload hash to sign instead of the body's, e.g. UNSIGNED_PAYLOAD for a streamed S3 body. */
  readonly payloadHash?: string;
  readonly credentials: AwsCredentials;
  readonly region: string;
  readonly service: string;
  /** @default now */
  readonly now?: Date;
}

/**
 * Signs one request in the Authorization header, for callers that speak HTTP themselves (a custom
 * operation the SDKs do not know, a benchmark's prepared request). Returns every header to send.
 */
export function signRequest(options: SignOptions): Record<string, string> {
  const url = new URL(options.url);
  return signRawRequest({
    method: options.method,
    host: url.host,
    rawPath: url.pathname,
    rawQuery: url.search.replace(/^\?/, ''),
    ...(options.headers ? { headers: options.headers } : {}),
    payloadHash: options.payloadHash ?? sha256Hex(options.body ?? ''),
    credentials: options.credentials,
    region: options.region,
    service: options.service,
    ...(options.now ? { now: options.now } : {}),
  });
}

export interface RawSignOptions {
  readonly method: string;
  /** The Host header to send and sign. */
  readonly host: string;
  /** The path and query exactly as they will go on the wire (no URL normalization). */
  readonly rawPath: string;
  readonly rawQuery: string;
  readonly headers?: Readonly<Record<string, string>>;
  /** Signed and sent as `x-amz-content-sha256`, unless the headers already give that header. */
  readonly payloadHash: string;
  readonly credentials: AwsCredentials;
  readonly region: string;
  readonly service: string;
  readonly now?: Date;
}

/** Signs a request given as its raw parts (what a test sending exact bytes needs). Returns every header to send. */
export function signRawRequest(options: RawSignOptions): Record<string, string> {
  const date = amzDate(options.now ?? new Date());
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(options.headers ?? {})) headers[name.toLowerCase()] = value;
  headers['host'] = options.host;
  headers['x-amz-date'] = date;
  headers['x-amz-content-sha256'] ??= options.payloadHash;
  const signed = Object.keys(headers).sort();
  const scope: SigningScope = { date: date.slice(0, 8), region: options.region, service: options.service };
  const canonical = canonicalRequest(
    {
      method: options.method,
      rawPath: options.rawPath,
      rawQuery: options.rawQuery,
      headers: new Map(Object.entries(headers).map(([name, value]) => [name, [value]])),
    },
    signed,
    headers['x-amz-content-sha256'],
    options.service,
  );
  const signature = signatureHex(
    signingKey(options.credentials.secretAccessKey, scope),
    stringToSign(date, scope, canonical),
  );
  headers['authorization'] =
    `${SIGV4_ALGORITHM} Credential=${options.credentials.accessKeyId}/${credentialScope(scope)}, ` +
    `SignedHeaders=${signed.join(';')}, Signature=${signature}`;
  return headers;
}
