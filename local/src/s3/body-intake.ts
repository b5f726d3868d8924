import { createHash } from 'node:crypto';
import { Transform, type Readable, type TransformCallback } from 'node:stream';
import { ServiceError } from '../server/service-error.js';
import type { WrittenBody } from '../storage/body-writer.js';
import {
  CHECKSUM_ALGORITHMS,
  checksumHeader,
  checksumOf,
  isChecksumAlgorithm,
  isWellFormedChecksum,
  type ChecksumAlgorithm,
  type StoredChecksum,
} from '../storage/checksums.js';
import { AwsChunkedDecoder, isAwsChunked } from './aws-chunked.js';
import { chainRequestBody } from './request-body.js';
import { header, tooLarge, type S3Request } from './s3-http.js';

/** A request body on its way into the store, with what to compute on the way and how to check it after. */
export interface BodyIntake {
  readonly body: Readable;
  /** Digests to compute while the body is written. */
  readonly algorithms: readonly ChecksumAlgorithm[];
  /** The checksum algorithm the client used for this body (header, trailer or SDK hint), if any. */
  readonly checksumAlgorithm?: ChecksumAlgorithm;
  /**
   * Checks the written body against everything the request claimed about it (Content-MD5, the signed
   * x-amz-content-sha256, an x-amz-checksum-* header or trailer); throws S3's error when one does not hold.
   * Returns the full-object checksum to record, when the client sent or named one.
   */
  accept(written: WrittenBody): StoredChecksum | undefined;
}

const SHA256_HEX = /^[0-9a-f]{64}$/;

/**
 * Prepares a request body for the store: aws-chunked framing decoded, a byte limit enforced while it
 * streams, and the checks of what the client claimed about it. Nothing is buffered.
 */
export function bodyIntake(request: S3Request, maxBytes: number): BodyIntake {
  const declared = Number(header(request, 'x-amz-decoded-content-length') ?? header(request, 'content-length'));
  if (Number.isFinite(declared) && declared > maxBytes) throw tooLarge(declared, maxBytes);
  const decoder = isAwsChunked(request.headers) ? new AwsChunkedDecoder() : undefined;
  const body = chainRequestBody(request.body, [...(decoder ? [decoder] : []), new ByteLimit(maxBytes)]);

  const contentMd5 = header(request, 'content-md5');
  if (contentMd5 !== undefined && Buffer.from(contentMd5, 'base64').length !== 16) {
    throw new ServiceError('InvalidDigest', 'The Content-MD5 you specified was invalid.', 400, {
      'Content-MD5': contentMd5.slice(0, 100),
    });
  }
  const signedHash = header(request, 'x-amz-content-sha256');
  const verifyHash = signedHash !== undefined && SHA256_HEX.test(signedHash) && !decoder;
  const { algorithm, value: headerValue, fromTrailer } = claimedChecksum(request);
  if (headerValue !== undefined && !isWellFormedChecksum(algorithm!, headerValue))
    throw invalidChecksumValue(algorithm!);
  const algorithms = [...(verifyHash ? (['SHA256'] as const) : []), ...(algorithm ? [algorithm] : [])];
  return {
    body,
    algorithms,
    ...(algorithm ? { checksumAlgorithm: algorithm } : {}),
    accept: (written) => {
      if (contentMd5 !== undefined && written.md5.toString('base64') !== contentMd5) {
        throw new ServiceError('BadDigest', 'The Content-MD5 you specified did not match what we received.', 400, {
          ExpectedDigest: contentMd5,
          CalculatedDigest: written.md5.toString('base64'),
        });
      }
      if (verifyHash && written.digests.SHA256?.toString('hex') !== signedHash) {
        throw new ServiceError(
          'XAmzContentSHA256Mismatch',
          "The provided 'x-amz-content-sha256' header does not match what was computed.",
          400,
          {
            ClientComputedContentSHA256: signedHash!,
            S3ComputedContentSHA256: written.digests.SHA256?.toString('hex') ?? '',
          },
        );
      }
      if (!algorithm) return undefined;
      const computed = written.digests[algorithm]!.toString('base64');
      const claimed = fromTrailer ? decoder?.trailers.get(checksumHeader(algorithm)) : headerValue;
      if (fromTrailer && claimed === undefined) {
        throw new ServiceError(
          'InvalidRequest',
          `The request named the trailer ${checksumHeader(algorithm)} in x-amz-trailer but did not send it.`,
        );
      }
      if (claimed !== undefined) {
        if (!isWellFormedChecksum(algorithm, claimed)) throw invalidChecksumValue(algorithm);
        if (claimed !== computed) {
          throw new ServiceError('BadDigest', `The ${algorithm} you specified did not match the calculated checksum.`);
        }
      }
      return { algorithm, type: 'FULL_OBJECT', value: computed };
    },
  };
}

/** Reads a small request body (an XML document) whole, refusing one over `limit` bytes. */
export async function readSmallBody(request: S3Request, limit: number): Promise<Buffer> {
  const intake = bodyIntake(request, limit);
  const chunks: Buffer[] = [];
  for await (const chunk of intake.body) chunks.push(chunk as Buffer);
  const bytes = Buffer.concat(chunks);
  const md5 = createHash('md5').update(bytes).digest();
  const digests: WrittenBody['digests'] = Object.fromEntries(
    intake.algorithms.map((algorithm) => [algorithm, Buffer.from(checksumOf(algorithm, bytes), 'base64')]),
  );
  intake.accept({ path: '', size: bytes.length, md5, digests });
  return bytes;
}

/** Which checksum the client claims, and where its value is: a header now, or a trailer after the body. */
function claimedChecksum(request: S3Request): { algorithm?: ChecksumAlgorithm; value?: string; fromTrailer?: boolean } {
  for (const algorithm of CHECKSUM_ALGORITHMS) {
    const value = header(request, checksumHeader(algorithm));
    if (value !== undefined) return { algorithm, value };
  }
  const trailer = header(request, 'x-amz-trailer')?.trim().toLowerCase();
  if (trailer !== undefined && trailer.startsWith('x-amz-checksum-')) {
    const name = trailer.slice('x-amz-checksum-'.length).toUpperCase();
    if (!isChecksumAlgorithm(name)) throw unsupportedAlgorithm(name);
    return { algorithm: name, fromTrailer: true };
  }
  const hinted = header(request, 'x-amz-sdk-checksum-algorithm')?.toUpperCase();
  if (hinted !== undefined) {
    if (!isChecksumAlgorithm(hinted)) throw unsupportedAlgorithm(hinted);
    return { algorithm: hinted };
  }
  return {};
}

export function unsupportedAlgorithm(name: string): ServiceError {
  return new ServiceError(
    'InvalidRequest',
    `Checksum algorithm ${JSON.stringify(name.slice(0, 40))} is not supported; use one of ${CHECKSUM_ALGORITHMS.join(', ')}.`,
  );
}

function invalidChecksumValue(algorithm: ChecksumAlgorithm): ServiceError {
  return new ServiceError('InvalidRequest', `Value for ${checksumHeader(algorithm)} header is invalid.`);
}

/** Fails the stream as soon as more than `maxBytes` went through it. */
class ByteLimit extends Transform {
  private seen = 0;

  constructor(private readonly maxBytes: number) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.seen += chunk.length;
    if (this.seen > this.maxBytes) return callback(tooLarge(this.seen, this.maxBytes));
    callback(null, chunk);
  }
}
