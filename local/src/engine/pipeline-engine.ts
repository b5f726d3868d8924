import { executionStatusChangeEvent } from '../events/sagemaker-events.js';
import { resourceNotFound, validationException } from '../server/service-error.js';
import type { ExecutionRecord } from '../store/execution-repository.js';
import type { PipelineRecord } from '../store/pipeline-repository.js';
import { parseDefinition, type PipelineDefinition } from './definition/index.js';
import { checkLocalSupport } from './steps/local-step-types.js';
import type { EngineServices } from './engine-services.js';
import { ExecutionRun } from './execution-run.js';
import { ExpressionError, joinText, resolveExpressions } from './expressions.js';
import { executionArn, newExecutionId } from './naming.js';
import { resolveParameters } from './parameters.js';

/** Used when neither the pipeline nor the start request sets ParallelismConfiguration. */
export const DEFAULT_MAX_PARALLEL_STEPS = 50;

export const CRASH_REASON =
  'The local server stopped while this execution was running (it was killed or crashed); start a new execution.';

export interface StartRequest {
  readonly pipeline: PipelineRecord;
  readonly version?: number;
  readonly parameters: readonly { Name?: unknown; Value?: unknown }[];
  readonly clientToken: string;
  readonly displayName?: string;
  readonly description?: string;
  readonly maxParallel?: number;
  readonly actor: string;
}

/**
 * Starts, stops and recovers pipeline executions. Each running execution is an ExecutionRun in this
 * process; the database is the record of truth, so a restart after a crash can tell which executions were
 * cut short and mark them Failed (the crash-safety choice: no resume).
 */
export class PipelineEngine {
  private readonly runs = new Map<string, ExecutionRun>();
  private readonly definitions = new Map<string, PipelineDefinition>();

  constructor(private readonly services: EngineServices) {}

  /** StartPipelineExecution. The same ClientRequestToken for the same pipeline returns the same execution. */
  start(request: StartRequest): ExecutionRecord {
    const { store, bus } = this.services;
    const existing = store.executions.byClientToken(request.pipeline.name, request.clientToken);
    if (existing) return existing;
    const version = request.version ?? request.pipeline.latestVersion;
    const stored = store.pipelines.definition(request.pipeline.name, version);
    if (!stored) throw resourceNotFound(`Pipeline ${request.pipeline.arn} has no version ${version}.`);
    const definition = this.parse(request.pipeline.name, version, stored.definition);
    const parameters = resolveParameters(definition.parameters, request.parameters, request.pipeline.name);
    const id = newExecutionId();
    const arn = executionArn(request.pipeline.arn, id);
    const now = new Date();
    const experiment = this.resolveExperiment(definition, parameters.values, {
      arn,
      id,
      now,
      pipeline: request.pipeline,
    });
    const record: ExecutionRecord = {
      arn,
      id,
      pipelineName: request.pipeline.name,
      pipelineArn: request.pipeline.arn,
      version,
      definition: stored.definition,
      status: 'Executing',
      displayName: request.displayName ?? `execution-${now.getTime()}`,
      ...(request.description !== undefined ? { description: request.description } : {}),
      parameters: parameters.assignments,
      ...(request.maxParallel !== undefined ? { parallelism: request.maxParallel } : {}),
      ...(experiment ? { experiment } : {}),
      clientToken: request.clientToken,
      createdAt: now,
      createdBy: request.actor,
      modifiedAt: now,
    };
    store.transaction(() => {
      store.executions.insert(record);
      store.pipelines.markRun(request.pipeline.name, now);
      bus.append(executionStatusChangeEvent(bus, record, { current: 'Executing' }, now));
    });
    bus.kick();
    const maxParallel = request.maxParallel ?? request.pipeline.parallelism ?? DEFAULT_MAX_PARALLEL_STEPS;
    const run = new ExecutionRun(this.services, record, definition, parameters.values, maxParallel);
    this.runs.set(arn, run);
    void run.done.finally(() => this.runs.delete(arn));
    return record;
  }

  /** StopPipelineExecution: Executing → Stopping → Stopped. Repeating the call is harmless. */
  stop(arn: string, clientToken: string): ExecutionRecord {
    const { store, bus } = this.services;
    const record = store.executions.get(arn);
    if (!record) throw resourceNotFound(`Pipeline execution ${arn} does not exist.`);
    if (record.status === 'Stopping' || (record.status === 'Stopped' && record.stopToken === clientToken))
      return record;
    if (record.status !== 'Executing') {
      throw validationException(
        `Pipeline execution ${arn} is ${record.status}; only an Executing execution can be stopped.`,
      );
    }
    const now = new Date();
    store.transaction(() => {
      store.executions.setStatus(arn, 'Stopping', now);
      store.executions.setStopToken(arn, clientToken);
      bus.append(executionStatusChangeEvent(bus, record, { current: 'Stopping', previous: 'Executing' }, now));
    });
    bus.kick();
    const run = this.runs.get(arn);
    if (run) run.stop();
    else this.markFinished(store.executions.get(arn)!, 'Stopped', undefined);
    return store.executions.get(arn)!;
  }

  /** Resolves when the execution's run has ended (immediately if it is not running here). */
  async waitFor(arn: string): Promise<void> {
    await this.runs.get(arn)?.done;
  }

  /** Resolves when no execution is running. */
  async idle(): Promise<void> {
    while (this.runs.size > 0) await Promise.all([...this.runs.values()].map((run) => run.done));
  }

  isRunning(arn: string): boolean {
    return this.runs.has(arn);
  }

  /**
   * At start, before serving: executions the database says were running belong to a server that died.
   * Mark them (and their steps) Failed, or Stopped if a stop was underway, and publish the status changes.
   * (The job service marks their jobs; the object store recovers its own writes.)
   */
  async recover(): Promise<number> {
    const { store } = this.services;
    const interrupted = store.executions.inFlight();
    for (const record of interrupted) {
      const status = record.status === 'Stopping' ? 'Stopped' : 'Failed';
      this.markFinished(record, status, status === 'Failed' ? CRASH_REASON : undefined);
    }
    return interrupted.length;
  }

  /** Graceful shutdown: abort running executions (they end Failed with a reason) and wait for them. */
  async close(): Promise<void> {
    for (const run of this.runs.values()) run.abortForShutdown();
    await this.idle();
  }

  /**
   * CreatePipeline/UpdatePipeline's check: the document as SageMaker checks it, then that this server can run
   * every step (its type, and what the type needs here, such as a Lambda function's local handler).
   */
  checkDefinition(text: string): PipelineDefinition {
    const definition = parseDefinition(text);
    checkLocalSupport(definition, this.services.localSupport);
    return definition;
  }

  parse(pipelineName: string, version: number, text: string): PipelineDefinition {
    const key = `${pipelineName}\u0000${version}`;
    let definition = this.definitions.get(key);
    if (!definition) {
      definition = this.checkDefinition(text);
      this.definitions.set(key, definition);
    }
    return definition;
  }

  forget(pipelineName: string): void {
    for (const key of this.definitions.keys())
      if (key.startsWith(`${pipelineName}\u0000`)) this.definitions.delete(key);
  }

  private resolveExperiment(
    definition: PipelineDefinition,
    parameters: Readonly<Record<string, string | number | boolean>>,
    execution: { arn: string; id: string; now: Date; pipeline: PipelineRecord },
  ): { ExperimentName?: string; TrialName?: string } | undefined {
    if (!definition.experimentConfig) return undefined;
    const scope = {
      parameters,
      execution: {
        StartDateTime: execution.now.toISOString(),
        PipelineName: execution.pipeline.name,
        PipelineArn: execution.pipeline.arn,
        PipelineExecutionId: execution.id,
        PipelineExecutionArn: execution.arn,
      },
      step: () => undefined,
      now: () => new Date(),
    };
    const out: { ExperimentName?: string; TrialName?: string } = {};
    for (const key of ['ExperimentName', 'TrialName'] as const) {
      const raw = definition.experimentConfig[key];
      if (raw === undefined || raw === null) continue;
      try {
        out[key] = joinText(resolveExpressions(raw, scope), raw);
      } catch (error) {
        if (error instanceof ExpressionError)
          throw validationException(`PipelineExperimentConfig.${key}: ${error.message}`);
        throw error;
      }
    }
    return out;
  }

  private markFinished(record: ExecutionRecord, status: 'Failed' | 'Stopped', reason: string | undefined): void {
    const { store, bus } = this.services;
    const now = new Date();
    store.transaction(() => {
      for (const step of store.executions.steps(record.arn)) {
        if (step.status === 'Executing' || step.status === 'Starting' || step.status === 'Stopping') {
          store.executions.saveStep({
            ...step,
            status: step.status === 'Stopping' || status === 'Stopped' ? 'Stopped' : 'Failed',
            endedAt: now,
            failureReason: reason ?? 'The execution was stopped.',
          });
        }
      }
      store.executions.setStatus(record.arn, status, now, reason ? { failureReason: reason } : {});
      bus.append(
        executionStatusChangeEvent(bus, record, { current: status, previous: record.status, endTime: now }, now),
      );
    });
    bus.kick();
  }
}
