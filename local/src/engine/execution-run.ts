import { setTimeout as sleep } from 'node:timers/promises';
import { parseS3Uri } from '../storage/object-key.js';
import type { ExecutionRecord, StepRecord, StepStatus } from '../store/execution-repository.js';
import { executionStatusChangeEvent } from '../events/sagemaker-events.js';
import type { ParameterValue, PipelineDefinition, StepDefinition } from './definition/index.js';
import type { EngineServices } from './engine-services.js';
import {
  ExpressionError,
  resolveExpressions,
  s3JsonGetUris,
  type ExpressionScope,
  type StepView,
} from './expressions.js';
import { nextRetry } from './retry.js';
import { finalStatus, planNext, type NodeState } from './scheduler.js';
import { executorFor, retriesSteps } from './steps/local-step-types.js';
import { errorMessage, type ExecutionInfo, type StepContext, type StepOutcome } from './steps/step-executor.js';

const STEP_FAILURE_LIMIT = 1024;
const EXECUTION_FAILURE_LIMIT = 1300;

export const SHUTDOWN_REASON = 'The local server shut down while this execution was running; start a new execution.';

/**
 * Runs one pipeline execution to its end: asks the scheduler what may start, runs each step through its
 * executor (with retries), records every state change in the database and publishes the execution's
 * status changes as events.
 */
export class ExecutionRun {
  private readonly states = new Map<string, NodeState>();
  private readonly views = new Map<string, StepView>();
  private readonly steps: ReadonlyMap<string, StepDefinition>;
  private readonly controller = new AbortController();
  /**
   * One controller per running step, aborted with the execution's: a step's job and retry wait listen to
   * their own signal, so fifty parallel steps never pile fifty listeners on one signal (Node warns past ten).
   */
  private readonly stepControllers = new Set<AbortController>();
  private readonly info: ExecutionInfo;
  private seq = 0;
  private stopRequested = false;
  private shutdown = false;
  private failureReason: string | undefined;
  private wake: (() => void) | undefined;
  /** Marks a running step Stopping (its row), keyed by step name. */
  private readonly markStopping = new Map<string, () => void>();
  readonly done: Promise<void>;

  constructor(
    private readonly services: EngineServices,
    private readonly record: ExecutionRecord,
    private readonly definition: PipelineDefinition,
    private readonly parameters: Readonly<Record<string, ParameterValue>>,
    private readonly maxParallel: number,
  ) {
    this.steps = new Map(definition.steps.map((step) => [step.name, step]));
    this.info = {
      arn: record.arn,
      id: record.id,
      pipelineName: record.pipelineName,
      pipelineArn: record.pipelineArn,
      createdAt: record.createdAt,
      createdBy: record.createdBy,
    };
    this.done = this.run().catch((error: unknown) => {
      services.log.error(`execution ${record.arn} crashed`, error);
      this.finish('Failed', `The local engine failed: ${errorMessage(error)}`);
    });
  }

  /** StopPipelineExecution: running jobs are aborted through their AbortSignal; the run ends Stopped. */
  stop(): void {
    this.stopRequested = true;
    for (const mark of this.markStopping.values()) mark();
    this.abort(new Error('execution stopped'));
    this.poke();
  }

  /** Server shutdown: abort like a stop, but the execution ends Failed with SHUTDOWN_REASON. */
  abortForShutdown(): void {
    this.shutdown = true;
    this.abort(new Error('server shutting down'));
    this.poke();
  }

  private abort(reason: Error): void {
    this.controller.abort(reason);
    for (const step of this.stepControllers) step.abort(reason);
  }

  private poke(): void {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }

  private async run(): Promise<void> {
    const running = new Set<Promise<void>>();
    for (;;) {
      const plan = planNext(this.definition.steps, this.states, {
        maxParallel: this.maxParallel,
        halted: this.stopRequested || this.shutdown || this.failureReason !== undefined,
      });
      for (const name of plan.skip) this.states.set(name, { status: 'skipped' });
      for (const name of plan.start) {
        this.states.set(name, { status: 'running' });
        const controller = new AbortController();
        if (this.controller.signal.aborted) controller.abort(this.controller.signal.reason);
        this.stepControllers.add(controller);
        const task = this.runStep(this.steps.get(name)!, controller.signal).finally(() => {
          this.stepControllers.delete(controller);
          running.delete(task);
          this.poke();
        });
        running.add(task);
      }
      if (plan.start.length === 0 && plan.skip.length === 0) {
        if (running.size === 0) break;
        await new Promise<void>((resolve) => {
          this.wake = resolve;
        });
      }
    }
    if (this.shutdown) return this.finish('Failed', SHUTDOWN_REASON);
    const status = finalStatus(this.states, this.stopRequested);
    this.finish(status, status === 'Failed' ? this.failureReason : undefined);
  }

  private async runStep(step: StepDefinition, signal: AbortSignal): Promise<void> {
    const startedAt = new Date();
    const base = {
      executionArn: this.record.arn,
      name: step.name,
      seq: (this.seq += 1),
      type: step.type,
      ...(step.displayName !== undefined ? { displayName: step.displayName } : {}),
      ...(step.description !== undefined ? { description: step.description } : {}),
      startedAt,
    };
    const save = (status: StepStatus, attempts: number, extra: Partial<StepRecord> = {}) =>
      this.services.store.executions.saveStep({ ...base, status, attemptCount: attempts, ...extra });
    save('Executing', 1);
    let attempt = 0;
    this.markStopping.set(step.name, () => save('Stopping', Math.max(attempt, 1)));
    const executor = executorFor(step.type);
    const retryable = retriesSteps(step.type);
    let outcome: StepOutcome;
    for (;;) {
      attempt += 1;
      const reportMetadata = (metadata: Record<string, unknown>) => save('Executing', attempt, { metadata });
      outcome = await executor(this.context(step, attempt, signal, reportMetadata)).catch(
        (error: unknown): StepOutcome => ({
          status: 'Failed',
          failureReason: `The local engine failed: ${errorMessage(error)}`,
        }),
      );
      if (outcome.status !== 'Failed' || !retryable || signal.aborted) break;
      const retry = nextRetry(step.retryPolicies, outcome.failureTypes ?? [], attempt, startedAt, new Date());
      if (!retry) break;
      this.services.log.info(
        `${this.record.id}/${step.name}: attempt ${attempt} failed, retrying in ${retry.delayMs} ms`,
      );
      save('Executing', attempt + 1, { failureReason: truncate(outcome.failureReason, STEP_FAILURE_LIMIT) });
      try {
        await sleep(retry.delayMs, undefined, { signal });
      } catch {
        outcome = { status: 'Stopped', failureReason: 'The execution was stopped while the step waited to retry.' };
        break;
      }
    }
    this.markStopping.delete(step.name);
    this.complete(step, outcome, attempt, save);
  }

  private complete(
    step: StepDefinition,
    outcome: StepOutcome,
    attempts: number,
    save: (status: StepStatus, attempts: number, extra?: Partial<StepRecord>) => void,
  ): void {
    const endedAt = new Date();
    if (outcome.status === 'Succeeded') {
      this.views.set(step.name, { properties: outcome.properties, propertyFiles: outcome.propertyFiles ?? {} });
      this.states.set(step.name, {
        status: 'succeeded',
        ...(outcome.outcome !== undefined ? { outcome: outcome.outcome } : {}),
      });
      save('Succeeded', attempts, {
        endedAt,
        ...(outcome.metadata ? { metadata: outcome.metadata } : {}),
        ...(outcome.cacheSource ? { cacheSource: outcome.cacheSource } : {}),
        properties: outcome.properties,
      });
      return;
    }
    const stopped = outcome.status === 'Stopped';
    this.states.set(step.name, { status: stopped ? 'stopped' : 'failed' });
    save(stopped ? 'Stopped' : 'Failed', attempts, {
      endedAt,
      ...(outcome.metadata ? { metadata: outcome.metadata } : {}),
      ...(outcome.failureReason !== undefined
        ? { failureReason: truncate(outcome.failureReason, STEP_FAILURE_LIMIT) }
        : {}),
    });
    if (!stopped && this.failureReason === undefined) {
      this.failureReason =
        outcome.status === 'Failed' && outcome.executionFailureReason !== undefined
          ? outcome.executionFailureReason
          : `Step failure: step ${step.name} failed: ${outcome.failureReason ?? 'no reason given'}`;
    }
  }

  private context(
    step: StepDefinition,
    attempt: number,
    signal: AbortSignal,
    reportMetadata: (metadata: Record<string, unknown>) => void,
  ): StepContext {
    return {
      step,
      execution: this.info,
      attempt,
      signal,
      services: this.services,
      resolve: (value, variables = {}) => this.resolve(value, variables),
      reportMetadata,
    };
  }

  private async resolve(value: unknown, variables: Readonly<Record<string, string>>): Promise<unknown> {
    const scope = this.scope(variables, new Map());
    const uris = s3JsonGetUris(value, scope);
    if (uris.size === 0) return resolveExpressions(value, scope);
    const documents = new Map<string, unknown>();
    for (const uri of uris) {
      const location = parseS3Uri(uri, 'Std:JsonGet S3Uri');
      const bytes = await this.services.objects.get(location.bucket, location.key);
      if (!bytes) throw new ExpressionError(`Std:JsonGet: ${uri} does not exist`);
      try {
        documents.set(uri, JSON.parse(bytes.toString('utf8')));
      } catch (error) {
        throw new ExpressionError(`Std:JsonGet: ${uri} is not JSON (${errorMessage(error)})`);
      }
    }
    return resolveExpressions(value, this.scope(variables, documents));
  }

  private scope(variables: Readonly<Record<string, string>>, documents: ReadonlyMap<string, unknown>): ExpressionScope {
    return {
      parameters: this.parameters,
      execution: {
        StartDateTime: this.record.createdAt.toISOString(),
        PipelineName: this.record.pipelineName,
        PipelineArn: this.record.pipelineArn,
        PipelineExecutionId: this.record.id,
        PipelineExecutionArn: this.record.arn,
        ...variables,
      },
      experiment: this.record.experiment ?? null,
      step: (name) => this.views.get(name),
      s3Documents: documents,
      now: () => new Date(),
    };
  }

  private finish(status: 'Succeeded' | 'Failed' | 'Stopped', failureReason: string | undefined): void {
    const { store, bus } = this.services;
    const now = new Date();
    const current = store.executions.get(this.record.arn);
    if (!current || current.status === status) return;
    const reason = failureReason !== undefined ? truncate(failureReason, EXECUTION_FAILURE_LIMIT) : undefined;
    store.transaction(() => {
      store.executions.setStatus(this.record.arn, status, now, reason !== undefined ? { failureReason: reason } : {});
      bus.append(
        executionStatusChangeEvent(bus, this.record, { current: status, previous: current.status, endTime: now }, now),
      );
    });
    bus.kick();
  }
}

function truncate(text: string, limit: number): string {
  return text.length <= limit ? text : `${text.slice(0, limit - 1)}…`;
}
