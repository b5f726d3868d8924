import { spawn } from 'node:child_process';
import { constants } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import { delimiter, isAbsolute, join } from 'node:path';
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
  /**
   * Starts the command through `python job_launcher.py <our pid> command...`, which makes the kernel kill the
   * job if this process dies (local/python/job_launcher.py), so a crashed server leaves no job running.
   */
  readonly launcher?: { readonly python: string; readonly script: string };
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
export async function runUserProcess(spec: UserProcessSpec): Promise<UserProcessOutcome> {
  if (spec.signal.aborted) return { aborted: true, millis: 0, stderrTail: '' };
  // Checked here because through the launcher a missing command would only show as a traceback.
  if (!(await findExecutable(spec.command, spec.cwd, spec.env.PATH ?? ''))) {
    const spawnError = Object.assign(new Error(`spawn ${spec.command} ENOENT: not found, or not executable`), {
      code: 'ENOENT',
    });
    return { aborted: false, spawnError, millis: 0, stderrTail: '' };
  }
  return run(spec);
}

function run(spec: UserProcessSpec): Promise<UserProcessOutcome> {
  const started = performance.now();
  let stderrTail = '';
  let aborted = false;
  return new Promise((resolve) => {
    const [command, args] = spec.launcher
      ? [spec.launcher.python, [spec.launcher.script, String(process.pid), spec.command, ...spec.args]]
      : [spec.command, [...spec.args]];
    const child = spawn(command, args, {
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

/** The path a command would run from (`PATH` lookup for bare names), if it exists and is executable. */
export async function findExecutable(command: string, cwd: string, path: string): Promise<string | undefined> {
  const candidates = command.includes('/')
    ? [isAbsolute(command) ? command : join(cwd, command)]
    : path
        .split(delimiter)
        .filter(Boolean)
        .map((dir) => join(dir, command));
  for (const candidate of candidates) {
    try {
      await access(candidate, constants.X_OK);
      if ((await stat(candidate)).isFile()) return candidate;
    } catch {
      // Not here.
    }
  }
  return undefined;
}
