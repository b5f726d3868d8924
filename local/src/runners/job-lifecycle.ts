import { mkdir } from 'node:fs/promises';
import type { ObjectStore } from '../storage/object-store.js';
import type { JobKind, JobResult, JobRunner, JobSpec, JobStatus } from './job-runner.js';
import { JobLog } from './job-log.js';
import type { JobRunnerOptions } from './job-runtime.js';
import { reasonForError } from './job-outcome.js';
import { createSandbox, type Sandbox } from './sandbox.js';

/** What a job body hands back; the lifecycle adds the times and turns stops and timeouts into statuses. */
export interface JobBodyResult {
  readonly status: JobStatus;
  readonly failureReason?: string;
  readonly exitMessage?: string;
  readonly modelArtifactsS3Uri?: string;
  readonly finalMetricDataList?: NonNullable<JobResult['finalMetricDataList']>;
  readonly transformCounts?: NonNullable<JobResult['transformCounts']>;
  readonly processMs: number;
}

export interface JobContext {
  readonly log: JobLog;
  readonly sandbox: Sandbox;
  /** Aborted when the job is stopped or runs past its MaxRuntimeInSeconds. */
  readonly signal: AbortSignal;
}

/**
 * The frame every runner shares: checks the job's kind, opens its log, sets up its sandbox, enforces the
 * request's StoppingCondition.MaxRuntimeInSeconds,
 * and makes sure a failure is a result, never an exception. A stop request wins over whatever the body
 * reports; a timeout is a failure that says which limit was hit.
 */
export async function runJob<K extends JobKind>(
  spec: JobSpec,
  kind: K,
  body: (job: Extract<JobSpec, { kind: K }>, context: JobContext) => Promise<JobBodyResult>,
): Promise<JobResult> {
  const startTime = new Date();
  const done = (result: Omit<JobResult, 'startTime' | 'endTime'>): JobResult => ({
    ...result,
    startTime,
    endTime: new Date(),
  });
  if (spec.kind !== kind) {
    return done({
      status: 'Failed',
      failureReason: `InternalServerError: the ${kind} runner was given a ${spec.kind} job`,
      processMs: 0,
    });
  }
  let log: JobLog;
  try {
    log = await JobLog.open(spec.logFile);
    await mkdir(spec.workDir, { recursive: true });
  } catch (error) {
    return done({ status: 'Failed', failureReason: reasonForError(error), processMs: 0 });
  }
  if (spec.signal.aborted) {
    log.note(`job ${spec.jobName} Stopped before it started`);
    await log.close();
    return done({ status: 'Stopped', processMs: 0 });
  }
  const maxRuntimeSeconds =
    'StoppingCondition' in spec.request ? spec.request.StoppingCondition?.MaxRuntimeInSeconds : undefined;
  const controller = new AbortController();
  let timedOut = false;
  const stop = () => controller.abort();
  spec.signal.addEventListener('abort', stop, { once: true });
  const timer =
    maxRuntimeSeconds !== undefined
      ? setTimeout(() => {
          timedOut = true;
          controller.abort();
        }, maxRuntimeSeconds * 1000)
      : undefined;

  let result: JobBodyResult;
  try {
    const job = spec as Extract<JobSpec, { kind: K }>; // spec.kind === kind, checked above
    result = await body(job, { log, sandbox: createSandbox(spec.workDir), signal: controller.signal });
  } catch (error) {
    log.note(`runner error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    result = { status: 'Failed', failureReason: reasonForError(error), processMs: 0 };
  } finally {
    if (timer) clearTimeout(timer);
    spec.signal.removeEventListener('abort', stop);
  }
  if (spec.signal.aborted) {
    result = { status: 'Stopped', processMs: result.processMs };
  } else if (timedOut) {
    result = {
      status: 'Failed',
      failureReason:
        `MaxRuntimeExceeded: the job ran longer than StoppingCondition.MaxRuntimeInSeconds (${maxRuntimeSeconds} s) ` +
        'and was stopped',
      processMs: result.processMs,
    };
  }
  log.note(`job ${spec.jobName} ${result.status}${result.failureReason ? `: ${result.failureReason}` : ''}`);
  await log.close();
  return done(result);
}

/** A runner whose jobs run as subprocesses inside `runJob`'s frame; a subclass writes only the job's body. */
export abstract class SubprocessJobRunner<K extends JobKind> implements JobRunner {
  abstract readonly kind: K;

  constructor(protected readonly options: JobRunnerOptions) {}

  run(spec: JobSpec, store: ObjectStore): Promise<JobResult> {
    return runJob(spec, this.kind, (job, context) => this.execute(job, store, context));
  }

  protected abstract execute(
    spec: Extract<JobSpec, { kind: K }>,
    store: ObjectStore,
    context: JobContext,
  ): Promise<JobBodyResult>;
}
