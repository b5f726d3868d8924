import { spawn } from 'node:child_process';
import type { JobLog } from './job-log.js';

export interface UserProcessSpec {
  readonly command: string;
  readonly args: readonly string[];
  readonly cwd: string;
  /** The whole environment; nothing is inherited from the server. */
  readonly env: Readonly<Record<string, string>>;
  readonly log: JobLog;
  /** Aborting ends the process group: SIGTERM, then SIGKILL after `stopGraceMs`. */
  readonly signal: AbortSignal;
  readonly stopGraceMs: number;
  /** Each complete line of stdout or stderr (for metric scraping). */
  readonly onLine?: (line: string) => void;
}

export interface UserProcessOutcome {
  /** Exit code, or undefined when ended by a signal or never started. */
  readonly exitCode?: number;
  readonly exitSignal?: NodeJS.Signals;
  /** True when `signal` was aborted while the process ran. */
  readonly aborted: boolean;
  /** Why the command could not start (e.g. ENOENT), if it did not. */
  readonly spawnError?: Error;
  readonly millis: number;
  /** The last few KB of stderr. */
  readonly stderrTail: string;
}

const TAIL_BYTES = 4096;

/**
 * Runs the user's command the way a container runs its entrypoint: in its own process group (so stopping it
 * also stops whatever it started), with only the environment it is given, its output streamed to the job log.
 * When it exits, anything left in its group is killed, as when a container's main process ends.
 */
export function runUserProcess(spec: UserProcessSpec): Promise<UserProcessOutcome> {
  const started = performance.now();
  let stderrTail = '';
  let aborted = false;
  return new Promise((resolve) => {
    if (spec.signal.aborted) {
      resolve({ aborted: true, millis: 0, stderrTail });
      return;
    }
    const child = spawn(spec.command, [...spec.args], {
      cwd: spec.cwd,
      env: { ...spec.env },
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const lines = { stdout: '', stderr: '' };
    const collect = (stream: 'stdout' | 'stderr') => (chunk: Buffer) => {
      spec.log.write(chunk);
      const text = chunk.toString('utf8');
      if (stream === 'stderr') stderrTail = (stderrTail + text).slice(-TAIL_BYTES);
      if (!spec.onLine) return;
      const parts = (lines[stream] + text).split('\n');
      lines[stream] = parts.pop() ?? '';
      for (const line of parts) spec.onLine(line.replace(/\r$/, ''));
    };
    child.stdout.on('data', collect('stdout'));
    child.stderr.on('data', collect('stderr'));

    let killTimer: NodeJS.Timeout | undefined;
    const killGroup = (signal: NodeJS.Signals) => {
      if (child.pid === undefined) return;
      try {
        process.kill(-child.pid, signal);
      } catch {
        // Already gone.
      }
    };
    const onAbort = () => {
      aborted = true;
      killGroup('SIGTERM');
      killTimer = setTimeout(() => killGroup('SIGKILL'), spec.stopGraceMs);
    };
    spec.signal.addEventListener('abort', onAbort, { once: true });

    let spawnError: Error | undefined;
    let settled = false;
    const finish = (code: number | null, signal: NodeJS.Signals | null) => {
      if (settled) return;
      settled = true;
      spec.signal.removeEventListener('abort', onAbort);
      if (killTimer) clearTimeout(killTimer);
      for (const rest of [lines.stdout, lines.stderr]) if (rest && spec.onLine) spec.onLine(rest);
      resolve({
        ...(code !== null ? { exitCode: code } : {}),
        ...(signal !== null ? { exitSignal: signal } : {}),
        aborted,
        ...(spawnError ? { spawnError } : {}),
        millis: performance.now() - started,
        stderrTail,
      });
    };
    child.once('error', (error) => {
      spawnError = error;
      if (child.pid === undefined) finish(null, null);
    });
    // The main process is gone: end what it left running (which also closes pipes they held open), then
    // report once its output has been read to the end.
    child.once('exit', () => killGroup('SIGKILL'));
    child.once('close', (code, signal) => finish(code, signal));
  });
}
