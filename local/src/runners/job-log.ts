import { createWriteStream, type WriteStream } from 'node:fs';
import { mkdir, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import { finished } from 'node:stream/promises';

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
  /** The first write error (a full disk, a removed folder): the log stops there; the job goes on. */
  private failure: Error | undefined;
  private lastMs = -1;

  private constructor(
    private readonly stream: WriteStream,
    private readonly times: WriteStream,
    private offset: number,
  ) {
    // Listened to for the streams' whole life: an unheard 'error' would end the server's process.
    for (const each of [stream, times]) {
      each.on('error', (error: Error) => {
        this.failure ??= error;
      });
    }
  }

  static async open(file: string): Promise<JobLog> {
    await mkdir(dirname(file), { recursive: true });
    const offset = await stat(file).then(
      (info) => info.size,
      () => 0,
    );
    const [stream, times] = await Promise.all([openAppend(file), openAppend(logTimesFile(file))]);
    return new JobLog(stream, times, offset);
  }

  /** Why the log stopped being written, if it did. */
  get error(): Error | undefined {
    return this.failure;
  }

  write(chunk: Buffer | string): void {
    if (this.stream.destroyed) return;
    const now = Date.now();
    if (now !== this.lastMs && !this.times.destroyed) {
      this.times.write(`${this.offset} ${now}\n`);
      this.lastMs = now;
    }
    this.offset += typeof chunk === 'string' ? Buffer.byteLength(chunk) : chunk.length;
    this.stream.write(chunk);
  }

  note(message: string): void {
    this.write(`[slipway] ${message}\n`);
  }

  async close(): Promise<void> {
    for (const each of [this.stream, this.times]) if (!each.destroyed) each.end();
    // A write error is already kept in `error`.
    await Promise.all([this.stream, this.times].map((each) => finished(each).catch(() => undefined)));
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
