import { createWriteStream, type WriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';

/**
 * A job's log stream (its "CloudWatch log stream"): the user process's stdout and stderr as they come, plus
 * the runner's own notes, marked `[slipway]`. Appends, so a retried job's earlier attempts stay readable.
 */
export class JobLog {
  private constructor(private readonly stream: WriteStream) {}

  static async open(file: string): Promise<JobLog> {
    await mkdir(dirname(file), { recursive: true });
    const stream = createWriteStream(file, { flags: 'a' });
    await new Promise<void>((resolve, reject) => {
      stream.once('open', () => resolve());
      stream.once('error', reject);
    });
    return new JobLog(stream);
  }

  write(chunk: Buffer | string): void {
    this.stream.write(chunk);
  }

  note(message: string): void {
    this.stream.write(`[slipway] ${message}\n`);
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve) => this.stream.end(resolve));
  }
}
