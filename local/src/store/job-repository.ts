import type { ChangeFeed } from './change-feed.js';
import type { Database } from './database.js';
import { fromJsonColumn, optional, optionalDate } from './database.js';

/** The SageMaker job families the server runs, by the word their API names use (`Create<Kind>Job`). */
export type StoredJobKind = 'Processing' | 'Training' | 'Transform' | 'HyperParameterTuning';

export type StoredJobStatus = 'InProgress' | 'Stopping' | 'Completed' | 'Failed' | 'Stopped';

export interface MetricDatum {
  readonly MetricName: string;
  readonly Value: number;
  readonly Timestamp: Date;
}

/**
 * A job the server ran, from a pipeline step or a Create*Job call: its resolved request and what the runner
 * reported. Names are unique across kinds here (SageMaker keeps one namespace per kind; CreateXJob refuses a
 * name another kind holds, saying so).
 */
export interface JobRecord {
  readonly name: string;
  readonly kind: StoredJobKind;
  readonly arn: string;
  readonly executionArn?: string;
  readonly stepName?: string;
  /** The tuning job that started this training job. */
  readonly parentJob?: string;
  /** What a kind reports beyond the common columns (a tuning job's best training job and counters). */
  readonly details?: Readonly<Record<string, unknown>>;
  readonly tags?: readonly { Key: string; Value: string }[];
  /** The Create*Job request with every expression resolved (without the job name). */
  readonly request: Record<string, unknown>;
  readonly status: StoredJobStatus;
  readonly failureReason?: string;
  readonly exitMessage?: string;
  readonly modelArtifacts?: string;
  readonly metrics?: readonly MetricDatum[];
  readonly logFile?: string;
  readonly workDir?: string;
  readonly createdAt: Date;
  readonly startedAt?: Date;
  readonly endedAt?: Date;
  readonly modifiedAt: Date;
}

interface JobRow {
  name: string;
  kind: StoredJobKind;
  arn: string;
  execution_arn: string | null;
  step_name: string | null;
  parent_job: string | null;
  details: string | null;
  tags: string;
  request: string;
  status: StoredJobStatus;
  failure_reason: string | null;
  exit_message: string | null;
  model_artifacts: string | null;
  metrics: string | null;
  log_file: string | null;
  work_dir: string | null;
  created_at: number;
  started_at: number | null;
  ended_at: number | null;
  modified_at: number;
}

export interface JobOutcome {
  readonly status: Exclude<StoredJobStatus, 'InProgress'>;
  readonly failureReason?: string;
  readonly exitMessage?: string;
  readonly modelArtifacts?: string;
  readonly metrics?: readonly MetricDatum[];
  readonly startedAt: Date;
  readonly endedAt: Date;
}

export class JobRepository {
  private readonly byName;

  constructor(
    private readonly db: Database,
    private readonly changes: ChangeFeed,
  ) {
    this.byName = db.prepare<[string], JobRow>('SELECT * FROM jobs WHERE name = ?');
  }

  insert(job: JobRecord): void {
    this.db
      .prepare(
        `INSERT INTO jobs (name, kind, arn, execution_arn, step_name, parent_job, details, tags, request, status,
           failure_reason, exit_message, model_artifacts, metrics, log_file, work_dir, created_at, started_at, ended_at,
           modified_at)
         VALUES (@name, @kind, @arn, @execution_arn, @step_name, @parent_job, @details, @tags, @request, @status,
           @failure_reason, @exit_message, @model_artifacts, @metrics, @log_file, @work_dir, @created_at, @started_at,
           @ended_at, @modified_at)`,
      )
      .run({
        name: job.name,
        kind: job.kind,
        arn: job.arn,
        execution_arn: job.executionArn ?? null,
        step_name: job.stepName ?? null,
        parent_job: job.parentJob ?? null,
        details: job.details ? JSON.stringify(job.details) : null,
        tags: JSON.stringify(job.tags ?? []),
        request: JSON.stringify(job.request),
        status: job.status,
        failure_reason: job.failureReason ?? null,
        exit_message: job.exitMessage ?? null,
        model_artifacts: job.modelArtifacts ?? null,
        metrics: job.metrics ? JSON.stringify(job.metrics) : null,
        log_file: job.logFile ?? null,
        work_dir: job.workDir ?? null,
        created_at: job.createdAt.getTime(),
        started_at: job.startedAt?.getTime() ?? null,
        ended_at: job.endedAt?.getTime() ?? null,
        modified_at: job.modifiedAt.getTime(),
      } satisfies JobRow);
    this.changes.notify({ kind: 'job', name: job.name });
  }

  finish(name: string, outcome: JobOutcome): void {
    this.db
      .prepare(
        `UPDATE jobs SET status = @status, failure_reason = @failure_reason, exit_message = @exit_message,
           model_artifacts = @model_artifacts, metrics = @metrics, started_at = @started_at, ended_at = @ended_at,
           modified_at = @ended_at WHERE name = @name`,
      )
      .run({
        name,
        status: outcome.status,
        failure_reason: outcome.failureReason ?? null,
        exit_message: outcome.exitMessage ?? null,
        model_artifacts: outcome.modelArtifacts ?? null,
        metrics: outcome.metrics ? JSON.stringify(outcome.metrics) : null,
        started_at: outcome.startedAt.getTime(),
        ended_at: outcome.endedAt.getTime(),
      });
    this.changes.notify({ kind: 'job', name });
  }

  /** The job's process is about to start (its sandbox is ready): DescribeXJob shows a start time from now on. */
  markStarted(name: string, at: Date): void {
    this.db
      .prepare('UPDATE jobs SET started_at = ?, modified_at = ? WHERE name = ? AND started_at IS NULL')
      .run(at.getTime(), at.getTime(), name);
    this.changes.notify({ kind: 'job', name });
  }

  /** StopXJob: InProgress → Stopping (the runner then ends it Stopped). */
  markStopping(name: string, at: Date): void {
    this.db
      .prepare("UPDATE jobs SET status = 'Stopping', modified_at = ? WHERE name = ? AND status = 'InProgress'")
      .run(at.getTime(), name);
    this.changes.notify({ kind: 'job', name });
  }

  /** Replaces a job's kind-specific outcome (a tuning job's progress as its training jobs end). */
  setDetails(name: string, details: Readonly<Record<string, unknown>>, at: Date): void {
    this.db
      .prepare('UPDATE jobs SET details = ?, modified_at = ? WHERE name = ?')
      .run(JSON.stringify(details), at.getTime(), name);
    this.changes.notify({ kind: 'job', name });
  }

  /** Every job of a kind, oldest first (List*Jobs filters, sorts and pages them). */
  list(kind: StoredJobKind): JobRecord[] {
    return this.db
      .prepare<[string], JobRow>('SELECT * FROM jobs WHERE kind = ? ORDER BY created_at, rowid')
      .all(kind)
      .map(fromRow);
  }

  /** The training jobs a tuning job started, oldest first. */
  children(parent: string): JobRecord[] {
    return this.db
      .prepare<[string], JobRow>('SELECT * FROM jobs WHERE parent_job = ? COLLATE NOCASE ORDER BY created_at, rowid')
      .all(parent)
      .map(fromRow);
  }

  get(name: string): JobRecord | undefined {
    const row = this.byName.get(name);
    return row ? fromRow(row) : undefined;
  }

  inProgress(): JobRecord[] {
    return this.db
      .prepare<[], JobRow>("SELECT * FROM jobs WHERE status IN ('InProgress', 'Stopping')")
      .all()
      .map(fromRow);
  }
}

function fromRow(row: JobRow): JobRecord {
  const metrics = fromJsonColumn<{ MetricName: string; Value: number; Timestamp: string }[]>(row.metrics);
  return {
    name: row.name,
    kind: row.kind,
    arn: row.arn,
    ...optional('executionArn', row.execution_arn),
    ...optional('stepName', row.step_name),
    ...optional('parentJob', row.parent_job),
    ...optional('details', fromJsonColumn<Record<string, unknown>>(row.details)),
    tags: JSON.parse(row.tags) as { Key: string; Value: string }[],
    request: JSON.parse(row.request) as Record<string, unknown>,
    status: row.status,
    ...optional('failureReason', row.failure_reason),
    ...optional('exitMessage', row.exit_message),
    ...optional('modelArtifacts', row.model_artifacts),
    ...optional(
      'metrics',
      metrics?.map((metric) => ({ ...metric, Timestamp: new Date(metric.Timestamp) })),
    ),
    ...optional('logFile', row.log_file),
    ...optional('workDir', row.work_dir),
    createdAt: new Date(row.created_at),
    ...optionalDate('startedAt', row.started_at),
    ...optionalDate('endedAt', row.ended_at),
    modifiedAt: new Date(row.modified_at),
  };
}
