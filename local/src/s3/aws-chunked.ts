import { Transform, type TransformCallback } from 'node:stream';
import { ServiceError } from '../server/service-error.js';

/** The longest chunk header or trailer line accepted (S3's own are well under 200 bytes). */
const MAX_LINE_BYTES = 8192;

/**
 * Decodes the `aws-chunked` content encoding the AWS SDKs use for streaming uploads
 * (`<hex size>[;chunk-signature=…]\r\n<bytes>\r\n` … `0\r\n[trailers]\r\n`), yielding the object's bytes.
 * A malformed frame fails the stream with a 400 ServiceError in S3's terms. Chunk signatures are not
 * verified (the request's own signature was, see request-signature.ts); trailing headers (a checksum the
 * SDK computed while sending) are kept in `trailers` for the caller to check once the body has ended.
 */
export class AwsChunkedDecoder extends Transform {
  /** Trailing headers after the last chunk, names lowercase (`x-amz-checksum-crc32` → base64 value). */
  readonly trailers = new Map<string, string>();
  private buffer: Buffer = Buffer.alloc(0);
  private remaining = 0;
  private state: 'header' | 'data' | 'data-end' | 'trailers' | 'done' = 'header';
  private started = false;

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    if (chunk.length > 0) this.started = true;
    this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk]);
    try {
      this.consume();
      callback();
    } catch (error) {
      callback(error as Error);
    }
  }

  override _flush(callback: TransformCallback): void {
    // An empty body is an empty object; anything else must end with the zero-size chunk.
    if (!this.started) return callback();
    if (this.state !== 'done' && this.state !== 'trailers') {
      return callback(
        new ServiceError(
          'IncompleteBody',
          'The aws-chunked request body ended in the middle of a chunk; the object was not stored.',
        ),
      );
    }
    callback();
  }

  private consume(): void {
    for (;;) {
      if (this.state === 'header' || this.state === 'trailers') {
        const end = this.buffer.indexOf('\r\n');
        if (end < 0) {
          if (this.buffer.length > MAX_LINE_BYTES) throw malformed('a chunk header or trailer line is too long');
          return;
        }
        const line = this.buffer.subarray(0, end).toString('latin1');
        this.buffer = this.buffer.subarray(end + 2);
        if (this.state === 'trailers') {
          if (line === '') this.state = 'done';
          const colon = line.indexOf(':');
          if (colon > 0 && this.trailers.size < 32)
            this.trailers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
          continue;
        }
        const sizeText = line.split(';')[0]!;
        if (!/^[0-9a-fA-F]{1,12}$/.test(sizeText))
          throw malformed(`the chunk header ${JSON.stringify(line.slice(0, 100))} does not start with a hex size`);
        const size = Number.parseInt(sizeText, 16);
        if (size === 0) {
          this.state = 'trailers';
          continue;
        }
        this.remaining = size;
        this.state = 'data';
      } else if (this.state === 'data') {
        if (this.buffer.length === 0) return;
        const take = Math.min(this.remaining, this.buffer.length);
        this.push(this.buffer.subarray(0, take));
        this.buffer = this.buffer.subarray(take);
        this.remaining -= take;
        if (this.remaining === 0) this.state = 'data-end';
      } else if (this.state === 'data-end') {
        if (this.buffer.length < 2) return;
        if (this.buffer[0] !== 0x0d || this.buffer[1] !== 0x0a) throw malformed('a chunk is not followed by CRLF');
        this.buffer = this.buffer.subarray(2);
        this.state = 'header';
      } else {
        this.buffer = Buffer.alloc(0);
        return;
      }
    }
  }
}

function malformed(problem: string): ServiceError {
  return new ServiceError(
    'InvalidRequest',
    `The aws-chunked request body is malformed: ${problem}; the object was not stored.`,
    400,
  );
}

/** True when the request body uses aws-chunked framing. */
export function isAwsChunked(headers: Readonly<Record<string, string | string[] | undefined>>): boolean {
  const encoding = String(headers['content-encoding'] ?? '');
  const sha = String(headers['x-amz-content-sha256'] ?? '');
  return encoding.split(',').some((part) => part.trim() === 'aws-chunked') || sha.startsWith('STREAMING-');
}
