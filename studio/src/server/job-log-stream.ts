import { open, stat } from 'node:fs/promises';
import { watch, type FSWatcher } from 'node:fs';
import type { ServerResponse } from 'node:http';
import { StringDecoder } from 'node:string_decoder';

/** The most of an existing log a new reader is sent; the rest is named, not sent. */
const INITIAL_BYTES = 1024 * 1024;
const CHUNK_BYTES = 64 * 1024;
/** fs.watch misses nothing on Linux, but a file that is replaced or a slow filesystem is caught by this too. */
const CHECK_MS = 500;

/**
 * Streams a job's log as server-sent events: what it holds, then each line as it is appended, until the job
 * has ended and everything was sent (`event: end`), or the page goes away.
 */
export function streamJobLog(
  response: ServerResponse,
  file: string,
  running: () => boolean,
  onClose: (stop: () => void) => void,
): void {
  response.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-store',
    'x-accel-buffering': 'no',
  });
  let offset = 0;
  // A character cut between two reads is completed by the next one.
  const decoder = new StringDecoder('utf8');
  let reading = false;
  let again = false;
  let done = false;
  let watcher: FSWatcher | undefined;
  const timer = setInterval(() => void pump(), CHECK_MS);
  const stop = () => {
    if (done) return;
    done = true;
    clearInterval(timer);
    watcher?.close();
    if (!response.writableEnded) response.end();
  };
  response.once('close', stop);
  onClose(stop);
  const send = (event: string, data: unknown) => response.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);

  async function pump(): Promise<void> {
    if (done) return;
    if (reading) {
      again = true;
      return;
    }
    reading = true;
    try {
      do {
        again = false;
        // Whether the job ran on is asked before reading, so the last lines it wrote are read before `end`.
        const stillRunning = running();
        const size = (await stat(file).catch(() => undefined))?.size ?? 0;
        if (offset === 0 && size > INITIAL_BYTES) {
          send('skipped', { bytes: size - INITIAL_BYTES });
          offset = size - INITIAL_BYTES;
        }
        if (size > offset) {
          const handle = await open(file, 'r');
          try {
            while (offset < size && !done) {
              const buffer = Buffer.alloc(Math.min(CHUNK_BYTES, size - offset));
              const { bytesRead } = await handle.read(buffer, 0, buffer.length, offset);
              if (bytesRead === 0) break;
              offset += bytesRead;
              const text = decoder.write(buffer.subarray(0, bytesRead));
              if (text) send('chunk', text);
            }
          } finally {
            await handle.close();
          }
        }
        if (!stillRunning && offset >= size) {
          send('end', { bytes: offset });
          stop();
          return;
        }
      } while (again && !done);
    } catch (error) {
      send('problem', error instanceof Error ? error.message : String(error));
      stop();
    } finally {
      reading = false;
    }
  }

  try {
    watcher = watch(file, { persistent: false }, () => void pump());
    watcher.on('error', () => undefined);
  } catch {
    // The file does not exist yet (the job has not started writing): the timer finds it.
  }
  void pump();
}
