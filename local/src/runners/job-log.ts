import { createWriteStream, type WriteStream } from 'node:fs';
import { mkdir, stat } from 'node:fs/promises';
import { dirname } from 'node:path';

/** Beside each job log: `<byte offset> <epoch ms>` lines, one each time the clock moved between writes. */
export function logTimesFile(logFile: string): string {
  return `${logFile}.times`;
}

/**
 * A job's log stream (its "CloudWatch log stream"): the user process's stdout and stderr as they come, plus
 * the runner's own notes, marked `[slipway]`. Appends, so a retried job's earlier attempts stay readable.
 * When each byte arrived is kept in a small sidecar (`logTimesFile`), so the log can be served as CloudWatch
 * log events with their real timestamps, which is how the SageMaker SDK follows a job (`logs=True`).
 */
export class JobLog {
  private lastMillis = -1;

  private constructor(
    private readonly stream: WriteStream,
    private readonly times: WriteStream,
    private offset: number,
  ) {}

  static async open(file: string): Promise<JobLog> {
    await mkdir(dirname(file), { recursive: true });
    const offset = await stat(file).then(
      (info) => info.size,
      () => 0,
    );
    const [stream, times] = await Promise.all([openAppend(file), openAppend(logTimesFile(file))]);
    return new JobLog(stream, times, offset);
  }

  write(chunk: Buffer | string): void {
    const now = Date.now();
    if (now !== this.lastMillis) {
      this.times.write(`${this.offset} ${now}\n`);
      this.lastMillis = now;
    }
    this.offset += typeof chunk === 'string' ? Buffer.byteLength(chunk) : chunk.length;
    this.stream.write(chunk);
  }

  note(message: string): void {
    this.write(`[slipway] ${message}\n`);
  }

  async close(): Promise<void> {
    await Promise.all([
      new Promise<void>((resolve) => this.stream.end(resolve)),
      new Promise<void>((resolve) => this.times.end(resolve)),
    ]);
  }
}

async function openAppend(file: string): Promise<WriteStream> {
  const stream = createWriteStream(file, { flags: 'a' });
  await new Promise<void>((resolve, reject) => {
    stream.once('open', () => resolve());
    stream.once('error', reject);
  });
  return stream;
}
