import type { Runtime } from '../runtimes/runtime-definition.js';
import type { RuntimeManager } from '../runtimes/runtime-manager.js';
import { JOB_LAUNCHER } from './container-environment.js';
import type { JobLog } from './job-log.js';
import { runUserProcess, type UserProcessOutcome } from './user-process.js';

/** What every subprocess runner needs from the server. */
export interface JobRunnerOptions {
  readonly runtimes: RuntimeManager;
  /** Grace between SIGTERM and SIGKILL when a job is stopped. */
  readonly stopGraceMs: number;
  /** The server's environment, read once at start-up; only a few harmless variables reach jobs. */
  readonly hostEnv: NodeJS.ProcessEnv;
}

/**
 * Finds the local runtime for a job's image (building it the first time, with its progress in the job log) and
 * says in the job log which one runs it and where it differs from the image, so that never happens silently.
 */
export async function resolveJobRuntime(runtimes: RuntimeManager, image: string, log: JobLog): Promise<Runtime> {
  const note = (message: string) => log.note(message);
  const runtime = await runtimes.resolve(image, note, note);
  log.note(`image ${runtime.image} runs in the local runtime ${runtime.name} (${runtime.python})`);
  for (const difference of runtime.notes) log.note(`runtime ${runtime.name}: ${difference}`);
  return runtime;
}

export interface JobProcess {
  /** The host command line: program first, /opt/ml paths already mapped into the sandbox. */
  readonly argv: readonly string[];
  readonly cwd: string;
  readonly env: Readonly<Record<string, string>>;
  readonly log: JobLog;
  readonly signal: AbortSignal;
  readonly onLine?: (line: string) => void;
}

/** Runs a job's command through its runtime's job launcher (so it dies with the server), logging the command. */
export function runJobProcess(
  options: Pick<JobRunnerOptions, 'stopGraceMs'>,
  runtime: Runtime,
  job: JobProcess,
): Promise<UserProcessOutcome> {
  const [command, ...args] = job.argv as [string, ...string[]];
  job.log.note(`running ${job.argv.join(' ')}`);
  return runUserProcess({
    command,
    args,
    cwd: job.cwd,
    env: job.env,
    log: job.log,
    signal: job.signal,
    stopGraceMs: options.stopGraceMs,
    launcher: { python: runtime.python, script: JOB_LAUNCHER },
    ...(job.onLine ? { onLine: job.onLine } : {}),
  });
}
