import type { ChangeFeed } from './change-feed.js';
import type { Database } from './database.js';

export interface Tag {
  readonly Key: string;
  readonly Value: string;
}

export interface PipelineRecord {
  readonly name: string;
  readonly arn: string;
  readonly displayName?: string;
  readonly description?: string;
  readonly roleArn?: string;
  readonly parallelism?: number;
  readonly tags: readonly Tag[];
  readonly latestVersion: number;
  readonly createdAt: Date;
  readonly createdBy: string;
  readonly modifiedAt: Date;
  readonly modifiedBy: string;
  readonly lastRunAt?: Date;
}

interface PipelineRow {
  name: string;
  arn: string;
  display_name: string | null;
  description: string | null;
  role_arn: string | null;
  parallelism: number | null;
  tags: string;
  latest_version: number;
  created_at: number;
  created_by: string;
  modified_at: number;
  modified_by: string;
  last_run_at: number | null;
}

export interface PipelineChanges {
  readonly displayName?: string;
  readonly description?: string;
  readonly roleArn?: string;
  readonly parallelism?: number;
  /** A new definition makes a new version. */
  readonly definition?: string;
  readonly at: Date;
  readonly by: string;
}

/** Pipelines and their versions: every CreatePipeline/UpdatePipeline with a definition stores a version. */
export class PipelineRepository {
  private readonly byName;
  private readonly byArn;
  private readonly versionStatement;

  constructor(
    private readonly db: Database,
    private readonly changes: ChangeFeed,
  ) {
    this.byName = db.prepare<[string], PipelineRow>('SELECT * FROM pipelines WHERE name = ?');
    this.byArn = db.prepare<[string], PipelineRow>('SELECT * FROM pipelines WHERE arn = ?');
    this.versionStatement = db.prepare<[string, number], { definition: string; created_at: number }>(
      'SELECT definition, created_at FROM pipeline_versions WHERE pipeline_name = ? AND version = ?',
    );
  }

  insert(record: PipelineRecord, definition: string): void {
    this.db
      .prepare(
        `INSERT INTO pipelines (name, arn, display_name, description, role_arn, parallelism, tags, latest_version,
           created_at, created_by, modified_at, modified_by, last_run_at)
         VALUES (@name, @arn, @display_name, @description, @role_arn, @parallelism, @tags, @latest_version,
           @created_at, @created_by, @modified_at, @modified_by, @last_run_at)`,
      )
      .run(toRow(record));
    this.insertVersion(record.name, record.latestVersion, definition, record.createdAt);
    this.changes.notify({ kind: 'pipeline', name: record.name });
  }

  /** Applies an update; returns the pipeline's (possibly new) latest version. */
  update(name: string, changes: PipelineChanges): number {
    const current = this.get(name);
    if (!current) throw new Error(`pipeline ${name} vanished during an update`);
    const version = changes.definition === undefined ? current.latestVersion : current.latestVersion + 1;
    if (changes.definition !== undefined) this.insertVersion(name, version, changes.definition, changes.at);
    this.db
      .prepare(
        `UPDATE pipelines SET display_name = COALESCE(@display_name, display_name),
           description = COALESCE(@description, description), role_arn = COALESCE(@role_arn, role_arn),
           parallelism = COALESCE(@parallelism, parallelism), latest_version = @version,
           modified_at = @at, modified_by = @by WHERE name = @name`,
      )
      .run({
        name,
        display_name: changes.displayName ?? null,
        description: changes.description ?? null,
        role_arn: changes.roleArn ?? null,
        parallelism: changes.parallelism ?? null,
        version,
        at: changes.at.getTime(),
        by: changes.by,
      });
    this.changes.notify({ kind: 'pipeline', name });
    return version;
  }

  get(name: string): PipelineRecord | undefined {
    const row = this.byName.get(name);
    return row ? fromRow(row) : undefined;
  }

  getByArn(arn: string): PipelineRecord | undefined {
    const row = this.byArn.get(arn);
    return row ? fromRow(row) : undefined;
  }

  list(): PipelineRecord[] {
    return this.db.prepare<[], PipelineRow>('SELECT * FROM pipelines').all().map(fromRow);
  }

  definition(name: string, version: number): { definition: string; createdAt: Date } | undefined {
    const row = this.versionStatement.get(name, version);
    return row ? { definition: row.definition, createdAt: new Date(row.created_at) } : undefined;
  }

  /** Every version of a pipeline, oldest first. */
  versions(name: string): { version: number; createdAt: Date }[] {
    return this.db
      .prepare<[string], { version: number; created_at: number }>(
        'SELECT version, created_at FROM pipeline_versions WHERE pipeline_name = ? ORDER BY version',
      )
      .all(name)
      .map((row) => ({ version: row.version, createdAt: new Date(row.created_at) }));
  }

  markRun(name: string, at: Date): void {
    this.db.prepare('UPDATE pipelines SET last_run_at = ? WHERE name = ?').run(at.getTime(), name);
    this.changes.notify({ kind: 'pipeline', name });
  }

  delete(name: string): void {
    this.db.prepare('DELETE FROM pipelines WHERE name = ?').run(name);
    this.changes.notify({ kind: 'pipeline', name });
  }

  private insertVersion(name: string, version: number, definition: string, at: Date): void {
    this.db
      .prepare('INSERT INTO pipeline_versions (pipeline_name, version, definition, created_at) VALUES (?, ?, ?, ?)')
      .run(name, version, definition, at.getTime());
  }
}

function toRow(record: PipelineRecord): PipelineRow {
  return {
    name: record.name,
    arn: record.arn,
    display_name: record.displayName ?? null,
    description: record.description ?? null,
    role_arn: record.roleArn ?? null,
    parallelism: record.parallelism ?? null,
    tags: JSON.stringify(record.tags),
    latest_version: record.latestVersion,
    created_at: record.createdAt.getTime(),
    created_by: record.createdBy,
    modified_at: record.modifiedAt.getTime(),
    modified_by: record.modifiedBy,
    last_run_at: record.lastRunAt?.getTime() ?? null,
  };
}

function fromRow(row: PipelineRow): PipelineRecord {
  return {
    name: row.name,
    arn: row.arn,
    ...(row.display_name !== null ? { displayName: row.display_name } : {}),
    ...(row.description !== null ? { description: row.description } : {}),
    ...(row.role_arn !== null ? { roleArn: row.role_arn } : {}),
    ...(row.parallelism !== null ? { parallelism: row.parallelism } : {}),
    tags: JSON.parse(row.tags) as Tag[],
    latestVersion: row.latest_version,
    createdAt: new Date(row.created_at),
    createdBy: row.created_by,
    modifiedAt: new Date(row.modified_at),
    modifiedBy: row.modified_by,
    ...(row.last_run_at !== null ? { lastRunAt: new Date(row.last_run_at) } : {}),
  };
}
