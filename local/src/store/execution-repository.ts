import type { ChangeFeed } from './change-feed.js';
import type { Database } from './database.js';
import { fromJsonColumn, optional, optionalDate, toJsonColumn } from './database.js';
import { KeysetReader, type KeysetPage, type KeysetQuery, type SqlValue } from './keyset.js';

export type ExecutionStatus = 'Executing' | 'Stopping' | 'Stopped' | 'Failed' | 'Succeeded';
export type StepStatus = 'Starting' | 'Executing' | 'Stopping' | 'Stopped' | 'Failed' | 'Succeeded';

export interface ParameterAssignment {
  readonly Name: string;
  readonly Value: string;
}

export interface ExecutionRecord {
  readonly arn: string;
  readonly id: string;
  readonly pipelineName: string;
  readonly pipelineArn: string;
  readonly version: number;
  /** The definition this execution runs (a snapshot: later pipeline updates do not change it). */
  readonly definition: string;
  readonly status: ExecutionStatus;
  readonly displayName?: string;
  readonly description?: string;
  readonly failureReason?: string;
  /** Every declared parameter with the value this execution uses, as the API reports them. */
  readonly parameters: readonly ParameterAssignment[];
  readonly parallelism?: number;
  readonly experiment?: { readonly ExperimentName?: string; readonly TrialName?: string };
  readonly clientToken: string;
  readonly stopToken?: string;
  readonly createdAt: Date;
  readonly createdBy: string;
  readonly modifiedAt: Date;
  readonly endedAt?: Date;
}

export interface StepRecord {
  readonly executionArn: string;
  readonly name: string;
  /** Order in which the step started, for sorting. */
  readonly seq: number;
  readonly type: string;
  readonly status: StepStatus;
  readonly displayName?: string;
  readonly description?: string;
  readonly startedAt: Date;
  readonly endedAt?: Date;
  readonly failureReason?: string;
  readonly attemptCount: number;
  readonly metadata?: Record<string, unknown>;
  /** The execution whose result a cache hit reused. */
  readonly cacheSource?: string;
  /** The step's properties (its Describe* shape), what `Get Steps.<name>...` reads. */
  readonly properties?: unknown;
}

/** What ListPipelineExecutions shows of an execution. */
export type ExecutionSummaryRecord = Pick<
  ExecutionRecord,
  'arn' | 'status' | 'description' | 'displayName' | 'failureReason' | 'createdAt'
>;

/** ListPipelineExecutions' filters and order, and where the page starts. */
export interface ExecutionListQuery {
  readonly pipelineName: string;
  readonly createdAfter?: Date;
  readonly createdBefore?: Date;
  readonly sortBy: 'CreationTime' | 'PipelineExecutionArn';
  readonly descending: boolean;
  /** `next` of the previous page. */
  readonly after?: readonly SqlValue[];
  readonly limit: number;
}

/** ListPipelineExecutionSteps' order (by start), and where the page starts. */
export interface StepListQuery {
  readonly executionArn: string;
  readonly descending: boolean;
  readonly after?: readonly SqlValue[];
  readonly limit: number;
}

interface ExecutionRow {
  arn: string;
  id: string;
  pipeline_name: string;
  pipeline_arn: string;
  version: number;
  definition: string;
  status: ExecutionStatus;
  display_name: string | null;
  description: string | null;
  failure_reason: string | null;
  parameters: string;
  parallelism: number | null;
  experiment: string | null;
  client_token: string;
  stop_token: string | null;
  created_at: number;
  created_by: string;
  modified_at: number;
  ended_at: number | null;
}

interface StepRow {
  execution_arn: string;
  step_name: string;
  seq: number;
  step_type: string;
  status: StepStatus;
  display_name: string | null;
  description: string | null;
  started_at: number;
  ended_at: number | null;
  failure_reason: string | null;
  attempt_count: number;
  metadata: string | null;
  cache_source: string | null;
  properties: string | null;
}

export const TERMINAL_EXECUTION_STATUSES: readonly ExecutionStatus[] = ['Stopped', 'Failed', 'Succeeded'];

/** How many execution records stay cached: Describe calls are the hot path of every polling client. */
const CACHE_LIMIT = 2000;

/**
 * Pipeline executions and their steps. Execution records are cached write-through: this server is the only
 * writer of its database (one server per data dir), and every write goes through this class.
 */
export class ExecutionRepository {
  private readonly cache = new Map<string, ExecutionRecord>();
  private readonly byArn;
  private readonly statusUpdate;
  private readonly stepUpsert;
  private readonly stepsOf;
  private readonly keyset: KeysetReader;

  constructor(
    private readonly db: Database,
    private readonly changes: ChangeFeed,
  ) {
    this.keyset = new KeysetReader(db);
    this.byArn = db.prepare<[string], ExecutionRow>('SELECT * FROM executions WHERE arn = ?');
    this.statusUpdate = db.prepare(
      `UPDATE executions SET status = @status, failure_reason = COALESCE(@failure_reason, failure_reason),
         modified_at = @at, ended_at = COALESCE(@ended_at, ended_at) WHERE arn = @arn`,
    );
    this.stepUpsert = db.prepare(
      `INSERT INTO execution_steps (execution_arn, step_name, seq, step_type, status, display_name, description,
         started_at, ended_at, failure_reason, attempt_count, metadata, cache_source, properties)
       VALUES (@execution_arn, @step_name, @seq, @step_type, @status, @display_name, @description, @started_at,
         @ended_at, @failure_reason, @attempt_count, @metadata, @cache_source, @properties)
       ON CONFLICT (execution_arn, step_name) DO UPDATE SET status = excluded.status, ended_at = excluded.ended_at,
         failure_reason = excluded.failure_reason, attempt_count = excluded.attempt_count,
         metadata = excluded.metadata, cache_source = excluded.cache_source, properties = excluded.properties`,
    );
    this.stepsOf = db.prepare<[string], StepRow>('SELECT * FROM execution_steps WHERE execution_arn = ? ORDER BY seq');
  }

  insert(record: ExecutionRecord): void {
    this.db
      .prepare(
        `INSERT INTO executions (arn, id, pipeline_name, pipeline_arn, version, definition, status, display_name,
           description, failure_reason, parameters, parallelism, experiment, client_token, stop_token, created_at,
           created_by, modified_at, ended_at)
         VALUES (@arn, @id, @pipeline_name, @pipeline_arn, @version, @definition, @status, @display_name,
           @description, @failure_reason, @parameters, @parallelism, @experiment, @client_token, @stop_token,
           @created_at, @created_by, @modified_at, @ended_at)`,
      )
      .run({
        arn: record.arn,
        id: record.id,
        pipeline_name: record.pipelineName,
        pipeline_arn: record.pipelineArn,
        version: record.version,
        definition: record.definition,
        status: record.status,
        display_name: record.displayName ?? null,
        description: record.description ?? null,
        failure_reason: record.failureReason ?? null,
        parameters: JSON.stringify(record.parameters),
        parallelism: record.parallelism ?? null,
        experiment: toJsonColumn(record.experiment),
        client_token: record.clientToken,
        stop_token: record.stopToken ?? null,
        created_at: record.createdAt.getTime(),
        created_by: record.createdBy,
        modified_at: record.modifiedAt.getTime(),
        ended_at: record.endedAt?.getTime() ?? null,
      } satisfies ExecutionRow);
    this.changes.notify({ kind: 'execution', arn: record.arn, pipelineName: record.pipelineName });
  }

  get(arn: string): ExecutionRecord | undefined {
    const cached = this.cache.get(arn);
    if (cached) return cached;
    const row = this.byArn.get(arn);
    if (!row) return undefined;
    const record = executionFromRow(row);
    if (this.cache.size >= CACHE_LIMIT) this.cache.delete(this.cache.keys().next().value!);
    this.cache.set(arn, record);
    return record;
  }

  byClientToken(pipelineName: string, token: string): ExecutionRecord | undefined {
    const row = this.db
      .prepare<[string, string], ExecutionRow>('SELECT * FROM executions WHERE pipeline_name = ? AND client_token = ?')
      .get(pipelineName, token);
    return row ? executionFromRow(row) : undefined;
  }

  /** The newest execution of each version of a pipeline (ListPipelineVersions), without reading definitions. */
  lastExecutionByVersion(pipelineName: string): Map<number, string> {
    const rows = this.db
      .prepare<[string], { version: number; arn: string }>(
        'SELECT version, arn FROM executions WHERE pipeline_name = ? ORDER BY created_at, rowid',
      )
      .all(pipelineName);
    return new Map(rows.map((row) => [row.version, row.arn]));
  }

  /** One page of a pipeline's executions, through an index (the definitions are not read). */
  summaries(query: ExecutionListQuery): KeysetPage<ExecutionSummaryRecord> {
    const page = this.keyset.page<ExecutionSummaryRow>(executionSummaryQuery(query));
    return {
      ...page,
      rows: page.rows.map((row) => ({
        arn: row.arn,
        status: row.status,
        ...optional('description', row.description),
        ...optional('displayName', row.display_name),
        ...optional('failureReason', row.failure_reason),
        createdAt: new Date(row.created_at),
      })),
    };
  }

  /** One page of an execution's steps in start order, through an index (their properties are not read). */
  stepPage(query: StepListQuery): KeysetPage<StepRecord> {
    const page = this.keyset.page<StepRow>(stepPageQuery(query));
    return { ...page, rows: page.rows.map(stepFromRow) };
  }

  /** SQLite's plans for `summaries` and `stepPage` (tests hold them to an index). */
  plans(executions: ExecutionListQuery, steps: StepListQuery): { executions: string[]; steps: string[] } {
    return {
      executions: this.keyset.plan(executionSummaryQuery(executions)),
      steps: this.keyset.plan(stepPageQuery(steps)),
    };
  }

  /** Executions a crash may have interrupted. */
  inFlight(): ExecutionRecord[] {
    return this.db
      .prepare<[], ExecutionRow>("SELECT * FROM executions WHERE status IN ('Executing', 'Stopping')")
      .all()
      .map(executionFromRow);
  }

  countRunning(pipelineName: string): number {
    const row = this.db
      .prepare<[string], { n: number }>(
        "SELECT COUNT(*) AS n FROM executions WHERE pipeline_name = ? AND status IN ('Executing', 'Stopping')",
      )
      .get(pipelineName);
    return row?.n ?? 0;
  }

  setStatus(arn: string, status: ExecutionStatus, at: Date, details: { failureReason?: string } = {}): void {
    this.cache.delete(arn);
    this.statusUpdate.run({
      arn,
      status,
      failure_reason: details.failureReason ?? null,
      at: at.getTime(),
      ended_at: TERMINAL_EXECUTION_STATUSES.includes(status) ? at.getTime() : null,
    });
    this.changes.notify({ kind: 'execution', arn });
  }

  setStopToken(arn: string, token: string): void {
    this.cache.delete(arn);
    this.db.prepare('UPDATE executions SET stop_token = ? WHERE arn = ?').run(token, arn);
  }

  deleteForPipeline(pipelineName: string): void {
    for (const [arn, record] of this.cache) if (record.pipelineName === pipelineName) this.cache.delete(arn);
    this.db.prepare('DELETE FROM executions WHERE pipeline_name = ?').run(pipelineName);
  }

  saveStep(step: StepRecord): void {
    this.stepUpsert.run({
      execution_arn: step.executionArn,
      step_name: step.name,
      seq: step.seq,
      step_type: step.type,
      status: step.status,
      display_name: step.displayName ?? null,
      description: step.description ?? null,
      started_at: step.startedAt.getTime(),
      ended_at: step.endedAt?.getTime() ?? null,
      failure_reason: step.failureReason ?? null,
      attempt_count: step.attemptCount,
      metadata: toJsonColumn(step.metadata),
      cache_source: step.cacheSource ?? null,
      properties: toJsonColumn(step.properties),
    } satisfies StepRow);
    this.changes.notify({ kind: 'step', executionArn: step.executionArn, stepName: step.name });
  }

  steps(executionArn: string): StepRecord[] {
    return this.stepsOf.all(executionArn).map(stepFromRow);
  }
}

type ExecutionSummaryRow = Pick<
  ExecutionRow,
  'arn' | 'status' | 'description' | 'display_name' | 'failure_reason' | 'created_at'
>;

function executionSummaryQuery(query: ExecutionListQuery): KeysetQuery {
  const where = ['pipeline_name = ?'];
  const params: SqlValue[] = [query.pipelineName];
  if (query.createdAfter) {
    where.push('created_at > ?');
    params.push(query.createdAfter.getTime());
  }
  if (query.createdBefore) {
    where.push('created_at < ?');
    params.push(query.createdBefore.getTime());
  }
  return {
    select: 'arn, status, description, display_name, failure_reason, created_at',
    from: 'executions',
    where,
    params,
    order: query.sortBy === 'PipelineExecutionArn' ? ['arn'] : ['created_at', 'arn'],
    descending: query.descending,
    ...(query.after ? { after: query.after } : {}),
    limit: query.limit,
  };
}

function stepPageQuery(query: StepListQuery): KeysetQuery {
  return {
    select:
      'execution_arn, step_name, seq, step_type, status, display_name, description, started_at, ended_at, ' +
      'failure_reason, attempt_count, metadata, cache_source, NULL AS properties',
    from: 'execution_steps',
    where: ['execution_arn = ?'],
    params: [query.executionArn],
    order: ['seq'],
    descending: query.descending,
    ...(query.after ? { after: query.after } : {}),
    limit: query.limit,
  };
}

function executionFromRow(row: ExecutionRow): ExecutionRecord {
  return {
    arn: row.arn,
    id: row.id,
    pipelineName: row.pipeline_name,
    pipelineArn: row.pipeline_arn,
    version: row.version,
    definition: row.definition,
    status: row.status,
    ...optional('displayName', row.display_name),
    ...optional('description', row.description),
    ...optional('failureReason', row.failure_reason),
    parameters: JSON.parse(row.parameters) as ParameterAssignment[],
    ...optional('parallelism', row.parallelism),
    ...optional('experiment', fromJsonColumn<ExecutionRecord['experiment']>(row.experiment)),
    clientToken: row.client_token,
    ...optional('stopToken', row.stop_token),
    createdAt: new Date(row.created_at),
    createdBy: row.created_by,
    modifiedAt: new Date(row.modified_at),
    ...optionalDate('endedAt', row.ended_at),
  };
}

function stepFromRow(row: StepRow): StepRecord {
  return {
    executionArn: row.execution_arn,
    name: row.step_name,
    seq: row.seq,
    type: row.step_type,
    status: row.status,
    ...optional('displayName', row.display_name),
    ...optional('description', row.description),
    startedAt: new Date(row.started_at),
    ...optionalDate('endedAt', row.ended_at),
    ...optional('failureReason', row.failure_reason),
    attemptCount: row.attempt_count,
    ...optional('metadata', fromJsonColumn<Record<string, unknown>>(row.metadata)),
    ...optional('cacheSource', row.cache_source),
    ...optional('properties', fromJsonColumn<unknown>(row.properties)),
  };
}
