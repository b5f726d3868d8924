import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { servingContainer } from '../endpoints/model-container.js';
import type { ArnScope } from '../engine/naming.js';
import { resourceArn } from '../engine/naming.js';
import {
  UnsupportedImageError,
  type JobKind,
  type JobResult,
  type JobRunner,
  type JobSpec,
  type TransformModel,
} from '../runners/job-runner.js';
import type { Logger } from '../server/logger.js';
import { resourceInUse, resourceNotFound, validationException } from '../server/service-error.js';
import type { ObjectStore } from '../storage/object-store.js';
import type { JobRecord, StoredJobKind } from '../store/job-repository.js';
import type { Store } from '../store/store.js';
import { JOB_KINDS } from './job-kinds.js';
import { runTuningJob } from './tuning/tuning-job.js';

/** What to keep of a finished job's sandbox (its stand-in for /opt/ml). Logs are always kept. */
export type WorkDirRetention = 'all' | 'failed' | 'none';

export interface JobServiceOptions {
  readonly store: Store;
  readonly objects: ObjectStore;
  readonly runners: Partial<Record<JobKind, JobRunner>>;
  readonly log: Logger;
  readonly scope: ArnScope;
  readonly dataDir: string;
  readonly keepWorkDirs: WorkDirRetention;
}

/** Who started a job: a pipeline step, a tuning job, or a Create*Job call (none of these). */
export interface JobOrigin {
  readonly executionArn?: string;
  readonly stepName?: string;
  readonly parentJob?: string;
  readonly tags?: readonly { Key: string; Value: string }[];
  /** Kind-specific facts known at start (a tuning job's training job: its tuned hyperparameters). */
  readonly details?: Readonly<Record<string, unknown>>;
  /** Aborted when whatever started the job goes away (a stopped execution, a stopped tuning job). */
  readonly signal?: AbortSignal;
}

export interface StartedJob {
  /** The job as stored when it started (InProgress). */
  readonly record: JobRecord;
  /** Settles with the finished job's record; never rejects (a runner that throws fails the job). */
  readonly done: Promise<FinishedJob>;
}

export interface FinishedJob {
  readonly record: JobRecord;
  /** The failure counts as an internal fault (the runner itself broke), which RetryPolicies may retry. */
  readonly internalFailure: boolean;
}

/** A job kind's Create*Job request without its name, with every pipeline expression resolved. */
export type JobRequest = Record<string, unknown>;

export const INTERRUPTED_JOB = 'The local server stopped while this job was running.';

/**
 * Runs every job the server runs, whoever asks: pipeline steps and Create*Job calls go through the same
 * `start()`, so a job is the same record, runner, log and Describe shape either way. It names the ARN, keeps the
 * record (InProgress → Completed/Failed/Stopped), hands the job to the runner for its kind (a tuning job to the
 * tuner, which starts its training jobs through here too), lets StopXJob abort it, and tidies its sandbox.
 */
export class JobService {
  private readonly running = new Map<string, { controller: AbortController; done: Promise<FinishedJob> }>();

  constructor(private readonly options: JobServiceOptions) {}

  /**
   * Starts a job. Throws (before storing anything) when the name is taken or the request cannot start here
   * (a transform job's model does not exist or cannot be served); the job itself then runs in the background.
   */
  start(kind: StoredJobKind, name: string, request: JobRequest, origin: JobOrigin = {}): StartedJob {
    const { store, scope, dataDir } = this.options;
    const existing = store.jobs.get(name);
    if (existing) {
      throw existing.kind === kind
        ? resourceInUse(
            `${kind} job names must be unique within an AWS account and region, and a job with this name already ` +
              `exists (${existing.arn}).`,
          )
        : resourceInUse(
            `The job name ${name} is taken by the ${existing.kind} job ${existing.arn}: the local server keeps one ` +
              'namespace of job names across kinds; choose another name.',
          );
    }
    const prepared = kind === 'Transform' ? this.transformModel(request) : undefined;
    const arn = resourceArn(scope, JOB_KINDS[kind].arnType, name);
    const jobDir = join(dataDir, 'jobs', name);
    const logFile = join(jobDir, 'job.log');
    const workDir = join(jobDir, 'work');
    const now = new Date();
    const record: JobRecord = {
      name,
      kind,
      arn,
      ...(origin.executionArn !== undefined ? { executionArn: origin.executionArn } : {}),
      ...(origin.stepName !== undefined ? { stepName: origin.stepName } : {}),
      ...(origin.parentJob !== undefined ? { parentJob: origin.parentJob } : {}),
      ...(origin.tags ? { tags: origin.tags } : {}),
      ...(origin.details ? { details: origin.details } : {}),
      request,
      status: 'InProgress',
      logFile,
      workDir,
      createdAt: now,
      modifiedAt: now,
    };
    store.jobs.insert(record);
    const controller = new AbortController();
    const abort = () => controller.abort();
    origin.signal?.addEventListener('abort', abort, { once: true });
    if (origin.signal?.aborted) controller.abort();
    const done = this.run(record, prepared, controller.signal).finally(() => {
      origin.signal?.removeEventListener('abort', abort);
      this.running.delete(name.toLowerCase());
    });
    this.running.set(name.toLowerCase(), { controller, done });
    return { record, done };
  }

  /** StopXJob: an InProgress job becomes Stopping, then Stopped once its process has ended. */
  stop(kind: StoredJobKind, name: string): JobRecord {
    const job = this.get(kind, name);
    if (job.status !== 'InProgress') {
      if (job.status === 'Stopping') return job;
      throw validationException(
        `The ${kind.replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase()} job ${name} is ${job.status}; only an InProgress job can be stopped.`,
      );
    }
    this.options.store.jobs.markStopping(job.name, new Date());
    this.running.get(job.name.toLowerCase())?.controller.abort();
    return this.options.store.jobs.get(job.name)!;
  }

  /** The job of this kind, or the ResourceNotFound SageMaker answers. */
  get(kind: StoredJobKind, name: string): JobRecord {
    const job = this.options.store.jobs.get(name);
    if (!job || job.kind !== kind) throw resourceNotFound(`Could not find requested job with name ${name}`);
    return job;
  }

  /** Resolves when the job has ended (at once when it is not running here). */
  async waitFor(name: string): Promise<void> {
    await this.running.get(name.toLowerCase())?.done;
  }

  /** Server shutdown: stop every running job and wait for them. */
  async close(): Promise<void> {
    for (const job of this.running.values()) job.controller.abort();
    await Promise.all([...this.running.values()].map((job) => job.done));
  }

  /** At start, before serving: jobs the database says were running died with the last server. */
  async recover(): Promise<number> {
    const { store } = this.options;
    const now = new Date();
    const interrupted = store.jobs.inProgress();
    for (const job of interrupted) {
      store.jobs.finish(job.name, {
        status: job.status === 'Stopping' ? 'Stopped' : 'Failed',
        failureReason: INTERRUPTED_JOB,
        startedAt: job.startedAt ?? job.createdAt,
        endedAt: now,
      });
      if (job.workDir) await rm(job.workDir, { recursive: true, force: true });
    }
    return interrupted.length;
  }

  private async run(record: JobRecord, model: TransformModel | undefined, signal: AbortSignal): Promise<FinishedJob> {
    const { store } = this.options;
    let result: JobResult;
    let internalFailure = false;
    try {
      await mkdir(record.workDir!, { recursive: true });
      store.jobs.markStarted(record.name, new Date());
      result =
        record.kind === 'HyperParameterTuning'
          ? await runTuningJob(record, {
              store,
              logFile: record.logFile!,
              signal,
              startTraining: (name, request, tuned, trainingSignal) =>
                this.start('Training', name, request, {
                  parentJob: record.name,
                  details: { TunedHyperParameters: tuned },
                  signal: trainingSignal,
                }),
            })
          : await this.runWithRunner(record, model, signal);
    } catch (error) {
      const unsupported = error instanceof UnsupportedImageError;
      internalFailure = !unsupported;
      const now = new Date();
      result = {
        status: 'Failed',
        failureReason: unsupported
          ? message(error)
          : `InternalServerError: the ${record.kind} runner failed: ${message(error)}`,
        startTime: record.createdAt,
        endTime: now,
        processMs: 0,
      };
    }
    store.jobs.finish(record.name, {
      status: result.status,
      ...(result.failureReason !== undefined ? { failureReason: result.failureReason.slice(0, 1024) } : {}),
      ...(result.exitMessage !== undefined ? { exitMessage: result.exitMessage.slice(0, 1024) } : {}),
      ...(result.modelArtifactsS3Uri !== undefined ? { modelArtifacts: result.modelArtifactsS3Uri } : {}),
      ...(result.finalMetricDataList !== undefined ? { metrics: result.finalMetricDataList } : {}),
      startedAt: result.startTime,
      endedAt: result.endTime,
    });
    await this.tidy(record.workDir!, result.status === 'Completed');
    return { record: store.jobs.get(record.name)!, internalFailure };
  }

  private async runWithRunner(
    record: JobRecord,
    model: TransformModel | undefined,
    signal: AbortSignal,
  ): Promise<JobResult> {
    const kind = record.kind as JobKind;
    const runner = this.options.runners[kind];
    if (!runner) {
      const now = new Date();
      return {
        status: 'Failed',
        failureReason: `No runner for ${kind} jobs is configured in this local server; start it with a ${kind} runner (runners.${kind}).`,
        startTime: now,
        endTime: now,
        processMs: 0,
      };
    }
    const spec = {
      kind,
      jobName: record.name,
      jobArn: record.arn,
      region: this.options.scope.region,
      workDir: record.workDir!,
      logFile: record.logFile!,
      signal,
      request: record.request,
      ...(model ? { model } : {}),
    } as JobSpec;
    return runner.run(spec, this.options.objects);
  }

  /** CreateTransformJob checks its model exists and can be served before the job is created, as SageMaker does. */
  private transformModel(request: JobRequest): TransformModel {
    const name = request['ModelName'];
    if (typeof name !== 'string' || name.length === 0) {
      throw validationException('CreateTransformJob: ModelName is required: name a model made with CreateModel');
    }
    const model = this.options.store.models.get(name);
    if (!model) {
      throw validationException(`Could not find model "${resourceArn(this.options.scope, 'model', name)}".`);
    }
    const container = servingContainer(model);
    return {
      modelName: model.name,
      image: container.image,
      ...(container.modelDataUrl !== undefined ? { modelDataUrl: container.modelDataUrl } : {}),
      environment: container.environment,
    };
  }

  private async tidy(workDir: string, succeeded: boolean): Promise<void> {
    const policy = this.options.keepWorkDirs;
    if (policy === 'all' || (policy === 'failed' && !succeeded)) return;
    await rm(workDir, { recursive: true, force: true }).catch((error: unknown) =>
      this.options.log.warn(`could not remove ${workDir}: ${message(error)}`),
    );
  }
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
