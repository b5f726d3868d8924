import { createWriteStream, type WriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { finished } from 'node:stream/promises';

/**
 * A job's log stream (its "CloudWatch log stream"): the user process's stdout and stderr as they come, plus
 * the runner's own notes, marked `[slipway]`. Appends, so a retried job's earlier attempts stay readable.
 */
export class JobLog {
  /** The first write error (a full disk, a removed folder): the log stops there; the job goes on. */
  private failure: Error | undefined;

  private constructor(private readonly stream: WriteStream) {
    // Listened to for the stream's whole life: an unheard 'error' would end the server's process.
    stream.on('error', (error: Error) => {
      this.failure ??= error;
    });
  }

  static async open(file: string): Promise<JobLog> {
    await mkdir(dirname(file), { recursive: true });
    const stream = createWriteStream(file, { flags: 'a' });
    await new Promise<void>((resolve, reject) => {
      stream.once('open', () => resolve());
      stream.once('error', reject);
    });
    return new JobLog(stream);
  }

  /** Why the log stopped being written, if it did. */
  get error(): Error | undefined {
    return this.failure;
  }

  write(chunk: Buffer | string): void {
    if (!this.stream.destroyed) this.stream.write(chunk);
  }

  note(message: string): void {
    this.write(`[slipway] ${message}\n`);
  }

  async close(): Promise<void> {
    if (!this.stream.destroyed) this.stream.end();
    await finished(this.stream).catch(() => undefined); // a write error is already kept in `error`
  }
}
