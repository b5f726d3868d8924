import { randomBytes } from 'node:crypto';
import type { JobResult } from '../../runners/job-runner.js';
import { JobLog } from '../../runners/job-log.js';
import type { JobRecord } from '../../store/job-repository.js';
import type { Store } from '../../store/store.js';
import { configurations, type Configuration } from './search-strategy.js';
import { planTuningJob, type TuningPlan } from './tuning-config.js';
import { objectiveValue, rankedTrainingJobs } from './tuning-shapes.js';

/** A training job the tuner started, as the job service hands it back. */
export interface StartedTraining {
  readonly record: JobRecord;
  readonly done: Promise<{ readonly record: JobRecord }>;
}

export interface TuningContext {
  readonly store: Store;
  readonly logFile: string;
  /** Aborted by StopHyperParameterTuningJob (or a stopped pipeline): running training jobs stop too. */
  readonly signal: AbortSignal;
  /**
   * Starts one training job through the job service (the same runner as any training job); `signal` stops it
   * (the tuning job stopped, or its MaxRuntimeInSeconds passed).
   */
  startTraining(
    name: string,
    request: Record<string, unknown>,
    tuned: Configuration,
    signal: AbortSignal,
  ): StartedTraining;
}

/** `<tuning job>-<NNN>-<8 hex>`, as SageMaker names the training jobs of a tuning job. */
export function tuningTrainingJobName(tuningJob: string, index: number): string {
  return `${tuningJob}-${String(index + 1).padStart(3, '0')}-${randomBytes(4).toString('hex')}`;
}

/** The CreateTrainingJob request for one configuration: the definition, static and tuned hyperparameters. */
export function trainingRequest(plan: TuningPlan, tuned: Configuration): Record<string, unknown> {
  const definition = plan.definition;
  const copied = [
    'RoleArn',
    'InputDataConfig',
    'VpcConfig',
    'OutputDataConfig',
    'ResourceConfig',
    'StoppingCondition',
    'EnableNetworkIsolation',
    'EnableInterContainerTrafficEncryption',
    'EnableManagedSpotTraining',
    'CheckpointConfig',
    'RetryStrategy',
    'Environment',
  ];
  const algorithm = { ...(definition['AlgorithmSpecification'] as Record<string, unknown>) };
  return {
    ...Object.fromEntries(copied.filter((key) => definition[key] !== undefined).map((key) => [key, definition[key]])),
    AlgorithmSpecification: algorithm,
    HyperParameters: {
      ...((definition['StaticHyperParameters'] as Record<string, string> | undefined) ?? {}),
      ...tuned,
      // SageMaker passes the objective to the training jobs it launches; the training toolkit keeps it to itself.
      _tuning_objective_metric: plan.objective.metricName,
    },
  };
}

/**
 * Runs a hyperparameter tuning job: draws the configurations (search-strategy.ts), keeps up to
 * MaxParallelTrainingJobs training jobs running, each through the job service, until MaxNumberOfTrainingJobs
 * have run (or the grid is done, the job is stopped or MaxRuntimeInSeconds passes). The tuning job completes
 * when at least one training job reported the objective metric; its best training job is read from the
 * training jobs' records whenever it is described.
 */
export async function runTuningJob(record: JobRecord, context: TuningContext): Promise<JobResult> {
  const startTime = new Date();
  const log = await JobLog.open(context.logFile);
  const finish = async (status: JobResult['status'], failureReason?: string): Promise<JobResult> => {
    log.note(`tuning job ${record.name} ${status}${failureReason ? `: ${failureReason}` : ''}`);
    await log.close();
    return {
      status,
      ...(failureReason !== undefined ? { failureReason } : {}),
      startTime,
      endTime: new Date(),
      processMs: 0,
    };
  };
  let plan: TuningPlan;
  try {
    plan = planTuningJob(record.request, record.name);
  } catch (error) {
    return finish('Failed', `ClientError: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (plan.strategy === 'Bayesian' || plan.strategy === 'Hyperband') {
    log.note(
      `strategy ${plan.strategy}: the local tuner runs it as Random (each configuration drawn independently; ` +
        `no model of the objective${plan.strategy === 'Hyperband' ? ' and no early stopping' : ''}); ` +
        'SageMaker would choose later configurations from earlier results',
    );
  }
  const wanted = configurations(plan);
  log.note(
    `${plan.strategy === 'Grid' ? 'grid' : 'random'} search: ${wanted.length} training job(s), up to ` +
      `${plan.maxParallel} at a time, ${plan.objective.type === 'Maximize' ? 'maximising' : 'minimising'} ` +
      `${plan.objective.metricName}`,
  );
  const deadline =
    plan.maxRuntimeSeconds !== undefined ? startTime.getTime() + plan.maxRuntimeSeconds * 1000 : Infinity;
  const controller = new AbortController();
  const timer =
    deadline !== Infinity ? setTimeout(() => controller.abort(), Math.max(0, deadline - Date.now())) : undefined;
  const stop = () => controller.abort();
  context.signal.addEventListener('abort', stop, { once: true });

  const running = new Set<Promise<void>>();
  let next = 0;
  let startError: string | undefined;
  try {
    while ((next < wanted.length || running.size > 0) && startError === undefined) {
      while (next < wanted.length && running.size < plan.maxParallel && !controller.signal.aborted) {
        const tuned = wanted[next]!;
        const name = tuningTrainingJobName(record.name, next);
        next += 1;
        let started: StartedTraining;
        try {
          started = context.startTraining(name, trainingRequest(plan, tuned), tuned, controller.signal);
        } catch (error) {
          startError = error instanceof Error ? error.message : String(error);
          break;
        }
        log.note(
          `training job ${name}: ${Object.entries(tuned)
            .map(([k, v]) => `${k}=${v}`)
            .join(', ')}`,
        );
        const task = started.done.then(({ record: ended }) => {
          const value = objectiveValue(ended, plan.objective.metricName);
          log.note(
            `training job ${ended.name} ${ended.status}` +
              (value !== undefined ? `, ${plan.objective.metricName} = ${value}` : '') +
              (ended.failureReason ? `: ${ended.failureReason}` : ''),
          );
        });
        const tracked: Promise<void> = task.finally(() => running.delete(tracked));
        running.add(tracked);
      }
      if (running.size === 0) break;
      await Promise.race(running);
    }
    await Promise.all(running);
  } finally {
    if (timer) clearTimeout(timer);
    context.signal.removeEventListener('abort', stop);
  }
  if (context.signal.aborted) return finish('Stopped');
  if (startError !== undefined) return finish('Failed', `could not start a training job: ${startError}`);
  const children = context.store.jobs.children(record.name);
  const best = rankedTrainingJobs(record, children)[0];
  if (controller.signal.aborted && deadline !== Infinity && !best) {
    return finish(
      'Failed',
      `MaxRuntimeInSeconds (${plan.maxRuntimeSeconds} s) passed before any training job completed`,
    );
  }
  if (!best) {
    const failed = children.find((child) => child.failureReason);
    const reason = children.every((child) => child.status === 'Completed')
      ? `no training job reported the objective metric ${plan.objective.metricName} (check the MetricDefinitions regex against the job logs)`
      : `all ${children.length} training jobs failed${failed ? `; the first: ${failed.failureReason}` : ''}`;
    return finish('Failed', reason);
  }
  log.note(
    `best training job: ${best.name} (${plan.objective.metricName} = ${objectiveValue(best, plan.objective.metricName)})`,
  );
  return finish('Completed');
}
