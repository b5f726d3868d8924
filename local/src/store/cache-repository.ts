import type { Database } from './database.js';

/** A successful step run that a later step with the same cache key may reuse. */
export interface CacheEntry {
  readonly pipelineName: string;
  readonly cacheKey: string;
  readonly stepType: string;
  readonly executionArn: string;
  readonly stepName: string;
  readonly properties: unknown;
  readonly metadata: Record<string, unknown>;
  readonly createdAt: Date;
}

interface CacheRow {
  pipeline_name: string;
  cache_key: string;
  step_type: string;
  execution_arn: string;
  step_name: string;
  properties: string;
  metadata: string;
  created_at: number;
}

export class CacheRepository {
  private readonly latest;

  constructor(private readonly db: Database) {
    this.latest = db.prepare<[string, string, number], CacheRow>(
      `SELECT * FROM cache_entries WHERE pipeline_name = ? AND cache_key = ? AND created_at >= ?
       ORDER BY created_at DESC, id DESC LIMIT 1`,
    );
  }

  insert(entry: CacheEntry): void {
    this.db
      .prepare(
        `INSERT INTO cache_entries (pipeline_name, cache_key, step_type, execution_arn, step_name, properties, metadata,
           created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        entry.pipelineName,
        entry.cacheKey,
        entry.stepType,
        entry.executionArn,
        entry.stepName,
        JSON.stringify(entry.properties),
        JSON.stringify(entry.metadata),
        entry.createdAt.getTime(),
      );
  }

  /** The most recent entry for the key created at or after `notBefore` (the ExpireAfter window). */
  findLatest(pipelineName: string, cacheKey: string, notBefore: Date): CacheEntry | undefined {
    const row = this.latest.get(pipelineName, cacheKey, notBefore.getTime());
    if (!row) return undefined;
    return {
      pipelineName: row.pipeline_name,
      cacheKey: row.cache_key,
      stepType: row.step_type,
      executionArn: row.execution_arn,
      stepName: row.step_name,
      properties: JSON.parse(row.properties) as unknown,
      metadata: JSON.parse(row.metadata) as Record<string, unknown>,
      createdAt: new Date(row.created_at),
    };
  }

  deleteForPipeline(pipelineName: string): void {
    this.db.prepare('DELETE FROM cache_entries WHERE pipeline_name = ?').run(pipelineName);
  }
}
