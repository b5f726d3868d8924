import { S3Client } from '@aws-sdk/client-s3';
import { SageMakerClient } from '@aws-sdk/client-sagemaker';
import { SageMakerRuntimeClient } from '@aws-sdk/client-sagemaker-runtime';
import { awsClientConfig, type Backend, type LoadedProjectConfig } from '@slipway/core';
import { deployStage, stageWouldChange, type DeployStageResult } from '../deploy/deploy-stage.js';
import { resolveDeployment } from '../deploy/resolve.js';
import { testEndpoint } from '../deploy/test-endpoint.js';
import { stageTestOptions } from '../deploy/test-stage.js';
import { validateRepositoryDispatchBody } from '../events/repository-dispatch.js';
import {
  RESOLVE_JOB,
  TEST_JOB,
  summarizeTest,
  type DeployJob,
  type DeployRun,
  type PromotionMode,
} from './deploy-run.js';
import type { DeployRunStore } from './deploy-run-store.js';
import { dispatchRequest } from './dispatch-request.js';
import { runStoreDeliveries } from './run-store-deliveries.js';

export interface DeployWorkflowDeps {
  readonly project: LoadedProjectConfig;
  /** Where the stages are deployed and tested (the local server's SageMaker API, in practice). */
  readonly backend: Backend;
  readonly runs: DeployRunStore;
  /** `auto`: every stage in one go. `manual`: stop before the second stage until `promoteWaitingRun`. */
  readonly promotion: PromotionMode;
  /** @default DEFAULT_SAMPLES_PATH */
  readonly samplesPath?: string;
  /** How long to wait for an endpoint to be InService. @default 3600 */
  readonly timeoutSeconds?: number;
  /** How long to wait for the run before this one to finish. @default 30 minutes */
  readonly lockTimeoutMs?: number;
  /** Progress lines, besides the run's own log file. */
  readonly log?: (line: string) => void;
  readonly sagemaker?: SageMakerClient;
  readonly runtime?: SageMakerRuntimeClient;
  readonly s3?: S3Client;
  /** Seconds between DescribeEndpoint polls. @default deployStage's */
  readonly pollSeconds?: number;
}

const DEFAULT_LOCK_TIMEOUT_MS = 30 * 60_000;

/**
 * What GitHub does with a repository_dispatch from the approval route, for the local loop: records a run of
 * the deploy workflow and runs deploy.yml's jobs with the same functions its actions call. resolve
 * (`resolveDeployment`: the ARN checked and Approved *now*) → the first stage (`deployStage`) → test (the
 * stage's endpoint tests) → each later stage, after the promotion gate, with its smoke test.
 *
 * Runs go one at a time in arrival order, like deploy.yml's concurrency group; every queued run is run
 * before this returns. The same dispatch delivered twice deploys nothing the second time (the resolve job
 * finds the earlier run of its event id), and a late approval of an older version deploys nothing either; a
 * run that changes the first stage cancels the run waiting at the gate. Resolves with the run, whatever its
 * conclusion (a failed run is a result, as a
 * failed workflow is on GitHub); throws only for a body that is not a repository_dispatch at all, which
 * GitHub would refuse too.
 */
export async function runDeployWorkflow(dispatchBody: unknown, deps: DeployWorkflowDeps): Promise<DeployRun> {
  const dispatch = validateRepositoryDispatchBody(dispatchBody);
  const created = await deps.runs.create(dispatch, deps.promotion, deps.project.stages);
  await deps.runs.appendLog(created.number, `received ${dispatch.event_type}`);
  return withClients(deps, async (clients) => {
    await deps.runs.withLock(deps.lockTimeoutMs ?? DEFAULT_LOCK_TIMEOUT_MS, () => runQueued(deps, clients));
    return (await deps.runs.get(created.number)) ?? created;
  });
}

/**
 * The production gate opened: runs the later stages of the run waiting for promotion, deploying exactly
 * the version that passed the first stage's tests in that run (`deployStage` re-checks that it is still
 * Approved). Resolves with the run, or undefined when none waits.
 */
export async function promoteWaitingRun(deps: Omit<DeployWorkflowDeps, 'promotion'>): Promise<DeployRun | undefined> {
  // Looked at before taking the lock, so that asking when nothing waits writes nothing.
  if (!(await deps.runs.list()).some((run) => run.status === 'waiting')) return undefined;
  return withClients(deps, (clients) =>
    deps.runs.withLock(deps.lockTimeoutMs ?? DEFAULT_LOCK_TIMEOUT_MS, async () => {
      const waiting = (await deps.runs.list()).filter((run) => run.status === 'waiting').at(-1);
      if (!waiting) return undefined;
      const execution = new RunExecution(waiting, deps, clients);
      await execution.log(`promoted: the production gate was opened for ${waiting.modelPackageArn ?? 'the run'}`);
      await execution.laterStages(false);
      return waiting;
    }),
  );
}

interface Clients {
  readonly sagemaker: SageMakerClient;
  readonly runtime: SageMakerRuntimeClient;
  readonly s3: S3Client;
}

async function withClients<T>(
  deps: Pick<DeployWorkflowDeps, 'backend' | 'sagemaker' | 'runtime' | 's3'>,
  task: (clients: Clients) => Promise<T>,
): Promise<T> {
  const sagemaker = deps.sagemaker ?? new SageMakerClient(awsClientConfig(deps.backend));
  const runtime = deps.runtime ?? new SageMakerRuntimeClient(awsClientConfig(deps.backend));
  const s3 = deps.s3 ?? new S3Client(awsClientConfig(deps.backend));
  try {
    return await task({ sagemaker, runtime, s3 });
  } finally {
    if (!deps.sagemaker) sagemaker.destroy();
    if (!deps.runtime) runtime.destroy();
    if (!deps.s3) s3.destroy();
  }
}

/** Holding the lock: ends runs a dead process left in progress, then runs every queued run, oldest first. */
async function runQueued(deps: DeployWorkflowDeps, clients: Clients): Promise<void> {
  for (const run of await deps.runs.list()) {
    if (run.status !== 'in_progress') continue;
    // Only a lock holder runs a run, and the lock is ours: whoever ran this one died. Like an interrupted
    // pipeline execution, it is failed rather than resumed; the approval event is delivered again.
    await new RunExecution(run, deps, clients).interrupt();
  }
  for (;;) {
    const next = (await deps.runs.list()).find((run) => run.status === 'queued');
    if (!next) return;
    await new RunExecution(next, deps, clients).run();
  }
}

/**
 * Cancels the runs waiting for promotion that `which` selects: their waiting job and the run end `cancelled`
 * with `reason`. Resolves with the runs it cancelled. The caller holds the workflow lock.
 */
async function cancelWaitingRuns(
  runs: DeployRunStore,
  which: (run: DeployRun) => boolean,
  reason: string,
): Promise<DeployRun[]> {
  const cancelled: DeployRun[] = [];
  for (const run of await runs.list()) {
    if (run.status !== 'waiting' || !which(run)) continue;
    const now = new Date().toISOString();
    for (const job of run.jobs) {
      if (job.status === 'completed') continue;
      job.conclusion = job.status === 'waiting' ? 'cancelled' : 'skipped';
      job.message = job.status === 'waiting' ? reason : 'skipped: an earlier job ended the run';
      job.status = 'completed';
      job.completedAt = now;
    }
    run.status = 'completed';
    run.conclusion = 'cancelled';
    run.completedAt = now;
    await runs.save(run);
    await runs.appendLog(run.number, `run #${run.number}: cancelled (${reason})`).catch(() => undefined);
    cancelled.push(run);
  }
  return cancelled;
}

/**
 * After a stage changed outside a run (a person's `slipway deploy <arn> --stage S`): a run waiting for
 * promotion tested another version in the first stage, so its promotion is stale; it is cancelled. Only a
 * change of the first stage matters. Resolves with the runs cancelled.
 */
export async function cancelStaleWaitingRuns(
  deps: Pick<DeployWorkflowDeps, 'project' | 'runs' | 'lockTimeoutMs'>,
  change: Pick<DeployStageResult, 'stage' | 'modelPackageArn' | 'changed'>,
): Promise<DeployRun[]> {
  if (!change.changed || change.stage !== deps.project.stages[0]) return [];
  if (!(await deps.runs.list()).some((run) => run.status === 'waiting')) return [];
  return deps.runs.withLock(deps.lockTimeoutMs ?? DEFAULT_LOCK_TIMEOUT_MS, () =>
    cancelWaitingRuns(
      deps.runs,
      (run) => run.modelPackageArn !== change.modelPackageArn,
      `cancelled: ${change.stage} now serves ${change.modelPackageArn ?? 'another version'} (deployed by hand), not the version this run tested there`,
    ),
  );
}

/** One run's jobs, each recorded as it starts and ends. */
class RunExecution {
  private readonly stages: readonly string[];

  constructor(
    private readonly record: DeployRun,
    private readonly deps: Omit<DeployWorkflowDeps, 'promotion'>,
    private readonly clients: Clients,
  ) {
    this.stages = deps.project.stages;
  }

  async log(line: string): Promise<void> {
    this.deps.log?.(line);
    // The log is a convenience; the run's record is the truth, so a log that cannot be written stops nothing.
    await this.deps.runs.appendLog(this.record.number, line).catch(() => undefined);
  }

  async run(): Promise<void> {
    this.record.status = 'in_progress';
    await this.save();
    const resolution = await this.job(RESOLVE_JOB, async (job) => {
      const resolved = await resolveDeployment(dispatchRequest(this.record.dispatch), {
        project: this.deps.project,
        sagemaker: this.clients.sagemaker,
        s3: this.clients.s3,
        deliveries: runStoreDeliveries(this.deps.runs, this.record.number),
      });
      job.resolution = resolved;
      job.message = resolved.message;
      return resolved;
    });
    if (!resolution) return this.finish('failure');
    if (resolution.action === 'none') return this.skipRest(resolution.message, 'success');
    if (resolution.modelPackageArn) this.record.modelPackageArn = resolution.modelPackageArn;
    if (resolution.action === 'rollback') {
      this.record.replacesModelPackageArn = resolution.rejectedModelPackageArn;
      await this.cancelWaiting(
        (run) => run.modelPackageArn === resolution.rejectedModelPackageArn,
        `cancelled: run #${this.record.number} handles the rejection of ${resolution.rejectedModelPackageArn}`,
      );
    }
    const [first] = this.stages;
    if (!first) return this.finish('success');
    const deployed = await this.job(first, (job) => this.deploy(first, job));
    if (!deployed) return this.finish('failure');
    if (deployed.changed) {
      // What a waiting run tested in this stage is no longer what it serves: its promotion would be stale.
      await this.cancelWaiting(
        (run) => run.modelPackageArn !== deployed.modelPackageArn,
        `cancelled: ${first} now serves ${deployed.modelPackageArn ?? 'another version'} (run #${this.record.number}), not the version this run tested there`,
      );
    }
    if (deployed.endpointArn) {
      const tested = await this.job(TEST_JOB, (job) => this.test(first, job));
      if (!tested) return this.finish('failure');
    } else {
      this.complete(this.findJob(TEST_JOB), 'skipped', `${first} has no endpoint to test`);
    }
    await this.laterStages(this.record.promotion === 'manual');
  }

  /** The stages after the first, in order; with `gate`, waits for promotion before the first that changes. */
  async laterStages(gate: boolean): Promise<void> {
    if (this.record.status === 'waiting') {
      this.record.status = 'in_progress';
      await this.save();
    }
    for (const [index, stage] of this.stages.entries()) {
      if (index === 0) continue;
      if (this.findJob(stage).status === 'completed') continue; // passed before the run waited
      if (gate && (await this.wouldChange(stage))) {
        await this.cancelWaiting(
          (run) => run.number !== this.record.number,
          `superseded: run #${this.record.number} now waits to promote ${this.record.modelPackageArn ?? 'its version'}`,
        );
        const job = this.findJob(stage);
        job.status = 'waiting';
        job.message = `waiting for promotion (npx slipway deploy promote) of ${this.record.modelPackageArn ?? 'the rollback'}`;
        this.record.status = 'waiting';
        await this.save();
        await this.log(`${stage}: ${job.message}`);
        return;
      }
      // A deploy promotes what the stage before serves and tested; a rollback replaces wherever it is live.
      const promotedFrom = this.record.replacesModelPackageArn ? undefined : this.stages[index - 1];
      const done = await this.job(stage, async (job) => {
        const deployed = await this.deploy(stage, job, promotedFrom);
        if (deployed.endpointArn) await this.test(stage, job);
        return deployed;
      });
      if (!done) return this.finish('failure');
    }
    await this.finish('success');
  }

  /** Marks a run a dead process left in progress as failed. */
  async interrupt(): Promise<void> {
    const reason = 'interrupted: the process running it stopped before it finished';
    for (const job of this.record.jobs) {
      if (job.status === 'in_progress') this.complete(job, 'failure', reason);
    }
    await this.skipRest(reason, 'failure');
  }

  private async deploy(stage: string, job: DeployJob, promotedFrom?: string): Promise<DeployStageResult> {
    const result = await deployStage(
      {
        stage,
        ...(this.record.modelPackageArn ? { modelPackageArn: this.record.modelPackageArn } : {}),
        ...(this.record.replacesModelPackageArn ? { replaces: this.record.replacesModelPackageArn } : {}),
        ...(promotedFrom ? { promotedFrom } : {}),
        backend: this.deps.backend,
        project: this.deps.project,
        deployedBy: `run #${this.record.number}`,
        ...(this.deps.timeoutSeconds ? { timeoutSeconds: this.deps.timeoutSeconds } : {}),
        log: (line) => void this.log(`${stage}: ${line}`),
      },
      {
        sagemaker: this.clients.sagemaker,
        s3: this.clients.s3,
        ...(this.deps.pollSeconds !== undefined ? { pollSeconds: this.deps.pollSeconds } : {}),
      },
    );
    job.deployment = result;
    job.message = result.message;
    return result;
  }

  /** The stage's endpoint tests; throws (failing the job) below the thresholds. */
  private async test(stage: string, job: DeployJob): Promise<boolean> {
    const result = await testEndpoint(
      stageTestOptions({
        stage,
        backend: this.deps.backend,
        project: this.deps.project,
        ...(this.deps.samplesPath ? { samplesPath: this.deps.samplesPath } : {}),
        log: (line) => void this.log(`${stage} test: ${line}`),
      }),
      { runtime: this.clients.runtime },
    );
    job.test = summarizeTest(result);
    const verdict = `accuracy ${(result.accuracy * 100).toFixed(1)}% (${result.correct}/${result.total}), p95 ${result.latency.p95Ms} ms`;
    job.message = job.message ? `${job.message}; tests: ${verdict}` : `${result.endpointName}: ${verdict}`;
    if (!result.passed) throw new Error(`the ${stage} endpoint failed its tests: ${result.failures.join('; ')}`);
    return true;
  }

  private wouldChange(stage: string): Promise<boolean> {
    return stageWouldChange(
      {
        stage,
        project: this.deps.project,
        ...(this.record.modelPackageArn ? { modelPackageArn: this.record.modelPackageArn } : {}),
        ...(this.record.replacesModelPackageArn ? { replaces: this.record.replacesModelPackageArn } : {}),
      },
      this.clients.sagemaker,
    );
  }

  /** Runs one job: in progress, then success with its result, or failure with the error's message. */
  private async job<T>(name: string, work: (job: DeployJob) => Promise<T>): Promise<T | undefined> {
    const job = this.findJob(name);
    job.status = 'in_progress';
    job.startedAt = new Date().toISOString();
    await this.save();
    await this.log(`${name}: started`);
    try {
      const result = await work(job);
      this.complete(job, 'success', job.message);
      await this.save();
      await this.log(`${name}: ${job.message ?? 'done'}`);
      return result;
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      this.complete(job, 'failure', message);
      await this.save();
      await this.log(`${name}: FAILED: ${message}`);
      return undefined;
    }
  }

  private complete(
    job: DeployJob,
    conclusion: NonNullable<DeployJob['conclusion']>,
    message: string | undefined,
  ): void {
    job.status = 'completed';
    job.conclusion = conclusion;
    job.completedAt = new Date().toISOString();
    if (message !== undefined) job.message = message;
  }

  private async skipRest(reason: string, conclusion: 'success' | 'failure'): Promise<void> {
    for (const job of this.record.jobs) {
      if (job.status !== 'completed') this.complete(job, 'skipped', reason);
    }
    await this.finish(conclusion);
  }

  private async finish(conclusion: 'success' | 'failure' | 'cancelled'): Promise<void> {
    for (const job of this.record.jobs) {
      if (job.status !== 'completed')
        this.complete(
          job,
          'skipped',
          `skipped: an earlier job ${conclusion === 'failure' ? 'failed' : 'ended the run'}`,
        );
    }
    this.record.status = 'completed';
    this.record.conclusion = conclusion;
    this.record.completedAt = new Date().toISOString();
    await this.save();
    await this.log(`run #${this.record.number}: ${conclusion}`);
  }

  /** Cancels the runs waiting for promotion that `which` selects (the gate holds one version at a time). */
  private async cancelWaiting(which: (run: DeployRun) => boolean, reason: string): Promise<void> {
    const cancelled = await cancelWaitingRuns(
      this.deps.runs,
      (run) => run.number !== this.record.number && which(run),
      reason,
    );
    for (const run of cancelled) await this.log(`run #${run.number} ${reason}`);
  }

  private findJob(name: string): DeployJob {
    const job = this.record.jobs.find((candidate) => candidate.name === name);
    if (!job) throw new Error(`run #${this.record.number} has no job ${name}`);
    return job;
  }

  private save(): Promise<void> {
    return this.deps.runs.save(this.record);
  }
}
