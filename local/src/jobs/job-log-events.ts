import { readFile } from 'node:fs/promises';
import { logTimesFile } from '../runners/job-log.js';

/** One line of a job's log as CloudWatch Logs' GetLogEvents returns it. */
export interface LogEvent {
  /** When the line was written, epoch milliseconds. */
  readonly timestamp: number;
  readonly message: string;
  readonly ingestionTime: number;
}

/**
 * A job's log as CloudWatch log events: one event per line, stamped with when its first byte was written (the
 * `JobLog` sidecar keeps `<byte offset> <epoch ms>` marks). Lines written before the sidecar existed, or by a
 * runner that wrote the file itself, take the file's earliest mark, else `fallback`.
 */
export function logEvents(log: Buffer, times: string, fallback: number): LogEvent[] {
  const marks = times
    .split('\n')
    .map((line) => line.split(' ').map(Number) as [number, number])
    .filter(([offset, millis]) => Number.isFinite(offset) && Number.isFinite(millis))
    .sort((a, b) => a[0] - b[0]);
  const events: LogEvent[] = [];
  let mark = 0;
  let stamp = marks[0]?.[1] ?? fallback;
  let start = 0;
  while (start < log.length) {
    let end = log.indexOf(0x0a, start);
    if (end < 0) end = log.length;
    while (mark < marks.length && marks[mark]![0] <= start) {
      stamp = marks[mark]![1];
      mark += 1;
    }
    const message = log.subarray(start, end).toString('utf8').replace(/\r$/, '');
    // CloudWatch has no empty events: an empty line is a space, as the awslogs driver sends it.
    events.push({ timestamp: stamp, message: message.length > 0 ? message : ' ', ingestionTime: stamp });
    start = end + 1;
  }
  return events;
}

/** Reads a job's log file and its time marks; a log not written yet has no events. */
export async function readLogEvents(logFile: string, fallback: number): Promise<LogEvent[]> {
  const log = await readFile(logFile).catch(() => undefined);
  if (!log) return [];
  const times = await readFile(logTimesFile(logFile), 'utf8').catch(() => '');
  return logEvents(log, times, fallback);
}
