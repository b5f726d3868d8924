import type { SageMakerClient } from '@aws-sdk/client-sagemaker';
import { isThrottling } from './aws-errors.js';
import { systemClock, type Clock } from './clock.js';
import { TERMINAL_STATUSES, describeExecution, isStepActive, listExecutionSteps } from './execution-steps.js';
import { nextPollDelay, type PollSchedule } from './poll-schedule.js';
import type { ExecutionStatus, RunReporter, StepRecord } from './run-types.js';

export interface FollowOptions {
  readonly schedule: PollSchedule;
  /** Give up following after this long (the execution keeps running). */
  readonly timeoutMs: number;
  readonly onEvent?: RunReporter;
  readonly clock?: Clock;
}

export interface FollowResult {
  readonly executionArn: string;
  readonly status: ExecutionStatus;
  readonly failureReason?: string;
  readonly steps: readonly StepRecord[];
  /** True when the timeout ended the follow before the execution did. */
  readonly timedOut: boolean;
  readonly startedAt?: Date;
  readonly endedAt?: Date;
}

/**
 * Follows an execution until it ends or the timeout passes, reporting each step transition as it is seen.
 *
 * Each poll lists the steps (ListPipelineExecutionSteps); DescribePipelineExecution is asked only when a step
 * changed or none is running, since only then can the execution's own status have moved. So while a job runs
 * a poll costs one call, and polls slow from `initialMs` to `maxMs` while nothing changes: the calls one
 * execution costs grow with its step transitions plus about one per `maxMs` of idle waiting. A throttled poll
 * (after the SDK's own retries) waits longer instead of failing.
 */
export async function followExecution(
  sagemaker: SageMakerClient,
  executionArn: string,
  options: FollowOptions,
): Promise<FollowResult> {
  const clock = options.clock ?? systemClock;
  const deadline = clock.now() + options.timeoutMs;
  const known = new Map<string, StepRecord>();
  let status: ExecutionStatus | undefined;
  let failureReason: string | undefined;
  let startedAt: Date | undefined;
  let endedAt: Date | undefined;
  let steps: readonly StepRecord[] = [];
  let delay = options.schedule.initialMs;

  const observe = (latest: readonly StepRecord[]): boolean => {
    steps = latest;
    let changed = false;
    for (const step of latest) {
      const before = known.get(step.name);
      if (before && before.status === step.status && before.attemptCount === step.attemptCount) continue;
      known.set(step.name, step);
      changed = true;
      options.onEvent?.({ kind: 'step', step, ...(before ? { previous: before.status } : {}) });
    }
    return changed;
  };
  const result = (timedOut: boolean): FollowResult => ({
    executionArn,
    status: status ?? 'Unknown',
    ...(failureReason ? { failureReason } : {}),
    steps,
    timedOut,
    ...(startedAt ? { startedAt } : {}),
    ...(endedAt ? { endedAt } : {}),
  });

  for (;;) {
    let changed = false;
    let operation = 'ListPipelineExecutionSteps';
    try {
      changed = observe(await listExecutionSteps(sagemaker, executionArn));
      if (status === undefined || changed || !steps.some(isStepActive)) {
        operation = 'DescribePipelineExecution';
        const described = await describeExecution(sagemaker, executionArn);
        const latest: ExecutionStatus = described.PipelineExecutionStatus ?? 'Unknown';
        failureReason = described.FailureReason;
        startedAt = described.CreationTime;
        if (TERMINAL_STATUSES.has(latest)) {
          // The list above was taken before the execution ended; its last transitions come in this one,
          // reported before the execution's own end.
          operation = 'ListPipelineExecutionSteps';
          observe(await listExecutionSteps(sagemaker, executionArn));
          endedAt = described.LastModifiedTime;
        }
        if (latest !== status) {
          options.onEvent?.({ kind: 'status', status: latest, ...(status ? { previous: status } : {}) });
          status = latest;
          changed = true;
        }
        if (TERMINAL_STATUSES.has(latest)) return result(false);
      }
      delay = nextPollDelay(delay, options.schedule, changed);
    } catch (error) {
      if (!isThrottling(error)) throw error;
      delay = nextPollDelay(delay, options.schedule, false);
      options.onEvent?.({ kind: 'throttled', operation, retryInMs: delay });
    }
    const remaining = deadline - clock.now();
    if (remaining <= 0) return result(true);
    await clock.sleep(Math.min(delay, remaining));
  }
}
