import { Transform, type TransformCallback } from 'node:stream';

/**
 * Decodes the `aws-chunked` content encoding the AWS SDKs use for streaming uploads
 * (`<hex size>[;chunk-signature=…]\r\n<bytes>\r\n` … `0\r\n[trailers]\r\n`), yielding the object's bytes.
 * Signatures and trailing checksums are not verified: the local server trusts its callers.
 */
export class AwsChunkedDecoder extends Transform {
  private buffer: Buffer = Buffer.alloc(0);
  private remaining = 0;
  private state: 'header' | 'data' | 'data-end' | 'trailers' | 'done' = 'header';

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk]);
    try {
      this.consume();
      callback();
    } catch (error) {
      callback(error as Error);
    }
  }

  override _flush(callback: TransformCallback): void {
    if (this.state === 'header' && this.buffer.length === 0) return callback();
    if (this.state !== 'done' && this.state !== 'trailers') {
      return callback(new Error('aws-chunked body ended in the middle of a chunk'));
    }
    callback();
  }

  private consume(): void {
    for (;;) {
      if (this.state === 'header' || this.state === 'trailers') {
        const end = this.buffer.indexOf('\r\n');
        if (end < 0) return;
        const line = this.buffer.subarray(0, end).toString('latin1');
        this.buffer = this.buffer.subarray(end + 2);
        if (this.state === 'trailers') {
          if (line === '') this.state = 'done';
          continue;
        }
        const size = Number.parseInt(line.split(';')[0] ?? '', 16);
        if (!Number.isFinite(size) || size < 0) throw new Error(`bad aws-chunked chunk header ${JSON.stringify(line)}`);
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
        this.buffer = this.buffer.subarray(2);
        this.state = 'header';
      } else {
        this.buffer = Buffer.alloc(0);
        return;
      }
    }
  }
}

/** True when the request body uses aws-chunked framing. */
export function isAwsChunked(headers: Readonly<Record<string, string | string[] | undefined>>): boolean {
  const encoding = String(headers['content-encoding'] ?? '');
  const sha = String(headers['x-amz-content-sha256'] ?? '');
  return encoding.split(',').some((part) => part.trim() === 'aws-chunked') || sha.startsWith('STREAMING-');
}
