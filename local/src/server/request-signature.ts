import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import {
  SIGV4_ALGORITHM,
  UNSIGNED_PAYLOAD,
  amzDate,
  canonicalRequest,
  parseAmzDate,
  signatureHex,
  signingKey,
  stringToSign,
  type SignableRequest,
  type SigningScope,
} from '@slipway/core';

/** How far a request's time may be from the server's, as AWS allows. */
export const MAX_CLOCK_SKEW_MS = 15 * 60 * 1000;
/** The longest a presigned URL may be valid (7 days), as S3 allows. */
const MAX_PRESIGNED_EXPIRES_SECONDS = 7 * 24 * 3600;

/** Why a request was not accepted; each surface words it in its own error codes. */
export type SignatureProblemKind =
  /** No Authorization header and no presigned query: an anonymous request. */
  | 'missing'
  /** An Authorization header or presigned query that is not a complete SigV4 one. */
  | 'malformed'
  /** Another algorithm (SigV2, SigV4A): not accepted. */
  | 'unsupported'
  /** Well formed, but signed with another secret (or the request changed after signing). */
  | 'mismatch'
  /** The request's time is more than 15 minutes from the server's clock. */
  | 'skewed'
  /** A presigned URL past its X-Amz-Expires. */
  | 'expired';

export interface SignatureProblem {
  readonly kind: SignatureProblemKind;
  readonly message: string;
}

/** What the caller knows about the payload: its hash, or that it is signed as S3 signs it (the header). */
export interface VerifyOptions {
  /**
   * The hash that was signed: the `x-amz-content-sha256` value when the client sent one, else the SHA-256 of
   * the body as received (JSON protocols, SageMaker Runtime). Undefined when neither is known (S3 without the
   * header): only a presigned URL (UNSIGNED-PAYLOAD) can then be accepted.
   */
  readonly payloadHash: string | undefined;
  readonly now?: Date;
}

const HOW_TO =
  'Sign requests with the local server\u2019s secret as the secret access key (any access key id): it is ' +
  '`credentials.secretAccessKey` in <data-dir>/server.json; `npx slipway local env` prints the exports.';

/**
 * Checks a request's AWS Signature Version 4 against the per-server secret, either in the Authorization
 * header or in a presigned URL's query (S3). The signature is the only thing that proves the caller has
 * the secret: any access key id, region and service in the credential scope are accepted (the key id is
 * recorded as the caller). Chunk signatures of `STREAMING-AWS4-HMAC-SHA256-PAYLOAD` uploads are not checked:
 * the seed signature already proves the secret, and nobody can change a request in flight on loopback.
 */
export class RequestSignatureVerifier {
  private readonly keys = new Map<string, Buffer>();

  constructor(private readonly secretAccessKey: string) {}

  verify(request: IncomingMessage, options: VerifyOptions): SignatureProblem | undefined {
    try {
      return this.check(request, options);
    } catch (error) {
      return { kind: 'malformed', message: `The request could not be read for its signature (${String(error)}).` };
    }
  }

  private check(request: IncomingMessage, options: VerifyOptions): SignatureProblem | undefined {
    const parts = signableParts(request);
    const authorization = parts.headers.get('authorization')?.[0];
    const query = new URLSearchParams(parts.rawQuery);
    const now = options.now ?? new Date();
    if (authorization !== undefined) {
      const parsed = parseAuthorization(authorization);
      if ('kind' in parsed) return parsed;
      const dateText = parts.headers.get('x-amz-date')?.[0] ?? parts.headers.get('date')?.[0];
      const at = dateText === undefined ? undefined : (parseAmzDate(dateText) ?? parseHttpDate(dateText));
      if (!at) return malformed('The request has no valid X-Amz-Date (or Date) header.');
      if (Math.abs(now.getTime() - at.getTime()) > MAX_CLOCK_SKEW_MS) {
        return {
          kind: 'skewed',
          message: `Signature expired: the request time ${at.toISOString()} is more than 15 minutes from the server time ${now.toISOString()}.`,
        };
      }
      if (!parsed.signedHeaders.includes('host')) return malformed('The signed headers must include host.');
      if (options.payloadHash === undefined)
        return malformed('Missing required header for this request: x-amz-content-sha256.');
      return this.compare(parts, parsed, signingDate(at), options.payloadHash);
    }
    if (query.has('X-Amz-Signature') || query.has('X-Amz-Credential')) {
      if (query.get('X-Amz-Algorithm') !== SIGV4_ALGORITHM) {
        return { kind: 'unsupported', message: `Only ${SIGV4_ALGORITHM} presigned URLs are accepted.` };
      }
      const scope = parseCredential(query.get('X-Amz-Credential') ?? '');
      const signedHeaders = (query.get('X-Amz-SignedHeaders') ?? '').split(';').filter(Boolean);
      const signature = query.get('X-Amz-Signature') ?? '';
      const at = parseAmzDate(query.get('X-Amz-Date') ?? '');
      const expires = Number(query.get('X-Amz-Expires'));
      if (!scope || !at || !/^[0-9a-f]{64}$/.test(signature) || !signedHeaders.includes('host'))
        return malformed(
          'The presigned URL lacks a valid X-Amz-Credential, X-Amz-Date, X-Amz-SignedHeaders or X-Amz-Signature.',
        );
      if (!Number.isInteger(expires) || expires < 1 || expires > MAX_PRESIGNED_EXPIRES_SECONDS)
        return malformed(`X-Amz-Expires must be a number of seconds from 1 to ${MAX_PRESIGNED_EXPIRES_SECONDS}.`);
      if (at.getTime() - now.getTime() > MAX_CLOCK_SKEW_MS)
        return { kind: 'skewed', message: 'The presigned URL is not valid yet (its X-Amz-Date is in the future).' };
      if (now.getTime() > at.getTime() + expires * 1000) return { kind: 'expired', message: 'Request has expired.' };
      return this.compare(
        parts,
        { scope, signedHeaders, signature },
        signingDate(at),
        parts.headers.get('x-amz-content-sha256')?.[0] ?? UNSIGNED_PAYLOAD,
        'X-Amz-Signature',
      );
    }
    if (query.has('AWSAccessKeyId') && query.has('Signature')) {
      return {
        kind: 'unsupported',
        message:
          'Signature Version 2 presigned URLs are not accepted; presign with Signature Version 4 ' +
          "(boto3: Config(signature_version='s3v4'); AWS CLI: aws configure set default.s3.signature_version s3v4).",
      };
    }
    return { kind: 'missing', message: `The request is not signed. ${HOW_TO}` };
  }

  private compare(
    parts: SignableRequest,
    auth: { scope: SigningScope; signedHeaders: string[]; signature: string },
    at: { amzDate: string; day: string },
    payloadHash: string,
    omitQuery?: string,
  ): SignatureProblem | undefined {
    if (auth.scope.date !== at.day) return malformed('The credential scope date does not match the request date.');
    const canonical = canonicalRequest(parts, auth.signedHeaders, payloadHash, auth.scope.service, omitQuery);
    const expected = signatureHex(this.key(auth.scope), stringToSign(at.amzDate, auth.scope, canonical));
    const given = Buffer.from(auth.signature, 'latin1');
    if (given.length === expected.length && timingSafeEqual(given, Buffer.from(expected, 'latin1'))) return undefined;
    return {
      kind: 'mismatch',
      message:
        'The request signature we calculated does not match the signature you provided: it was not signed with ' +
        `this server\u2019s secret. ${HOW_TO}`,
    };
  }

  private key(scope: SigningScope): Buffer {
    const id = `${scope.date}/${scope.region}/${scope.service}`;
    let key = this.keys.get(id);
    if (!key) {
      if (this.keys.size > 64) this.keys.clear();
      key = signingKey(this.secretAccessKey, scope);
      this.keys.set(id, key);
    }
    return key;
  }
}

/** The request as it came off the wire: raw path and query, every header value by lower-case name. */
export function signableParts(request: IncomingMessage): SignableRequest {
  const target = request.url ?? '/';
  const mark = target.indexOf('?');
  const headers = new Map<string, string[]>();
  const raw = request.rawHeaders;
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i]!.toLowerCase();
    const values = headers.get(name);
    if (values) values.push(raw[i + 1]!);
    else headers.set(name, [raw[i + 1]!]);
  }
  return {
    method: request.method ?? 'GET',
    rawPath: mark < 0 ? target : target.slice(0, mark),
    rawQuery: mark < 0 ? '' : target.slice(mark + 1),
    headers,
  };
}

function parseAuthorization(
  header: string,
): { scope: SigningScope; signedHeaders: string[]; signature: string } | SignatureProblem {
  const space = header.indexOf(' ');
  const algorithm = space < 0 ? header : header.slice(0, space);
  if (algorithm !== SIGV4_ALGORITHM) {
    return {
      kind: 'unsupported',
      message: `The authorization mechanism you have provided is not supported. Please use ${SIGV4_ALGORITHM}.`,
    };
  }
  const fields = new Map<string, string>();
  for (const part of header.slice(space + 1).split(',')) {
    const equals = part.indexOf('=');
    if (equals > 0) fields.set(part.slice(0, equals).trim(), part.slice(equals + 1).trim());
  }
  const scope = parseCredential(fields.get('Credential') ?? '');
  const signedHeaders = (fields.get('SignedHeaders') ?? '').split(';').filter(Boolean);
  const signature = fields.get('Signature') ?? '';
  if (!scope || signedHeaders.length === 0 || !/^[0-9a-f]{64}$/.test(signature)) {
    return malformed(
      `Authorization header requires Credential=<key id>/<date>/<region>/<service>/aws4_request, ` +
        'SignedHeaders and a 64-digit hex Signature.',
    );
  }
  if (
    signedHeaders.some((name, index) => name !== name.toLowerCase() || (index > 0 && signedHeaders[index - 1]! >= name))
  )
    return malformed('SignedHeaders must be lower-case header names in sorted order.');
  return { scope, signedHeaders, signature };
}

/** `<key id>/<YYYYMMDD>/<region>/<service>/aws4_request` → the scope (the key id may be anything). */
function parseCredential(credential: string): SigningScope | undefined {
  const parts = credential.split('/');
  if (parts.length < 5 || parts[parts.length - 1] !== 'aws4_request') return undefined;
  const [date, region, service] = parts.slice(-4, -1) as [string, string, string];
  if (!/^\d{8}$/.test(date) || !region || !service) return undefined;
  return { date, region, service };
}

function parseHttpDate(text: string): Date | undefined {
  const at = new Date(text);
  return /GMT$/.test(text.trim()) && !Number.isNaN(at.getTime()) ? at : undefined;
}

function signingDate(at: Date): { amzDate: string; day: string } {
  const text = amzDate(at);
  return { amzDate: text, day: text.slice(0, 8) };
}

function malformed(message: string): SignatureProblem {
  return { kind: 'malformed', message };
}
