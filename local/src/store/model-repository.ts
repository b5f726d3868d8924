import type { Database } from './database.js';
import { optional } from './database.js';
import type { Tag } from './pipeline-repository.js';

/**
 * A model: the resolved CreateModel request (without ModelName and Tags), from a pipeline's `Type: Model` step
 * or the CreateModel API. DescribeModel reads it; endpoints serve its container.
 */
export interface ModelRecord {
  readonly name: string;
  readonly arn: string;
  readonly request: Record<string, unknown>;
  readonly executionArn?: string;
  readonly tags?: readonly Tag[];
  readonly createdAt: Date;
}

interface ModelRow {
  name: string;
  arn: string;
  request: string;
  execution_arn: string | null;
  tags: string;
  created_at: number;
}

export class ModelRepository {
  constructor(private readonly db: Database) {}

  insert(model: ModelRecord): void {
    this.db
      .prepare('INSERT INTO models (name, arn, request, execution_arn, tags, created_at) VALUES (?, ?, ?, ?, ?, ?)')
      .run(
        model.name,
        model.arn,
        JSON.stringify(model.request),
        model.executionArn ?? null,
        JSON.stringify(model.tags ?? []),
        model.createdAt.getTime(),
      );
  }

  get(name: string): ModelRecord | undefined {
    const row = this.db.prepare<[string], ModelRow>('SELECT * FROM models WHERE name = ?').get(name);
    return row ? toRecord(row) : undefined;
  }

  list(): ModelRecord[] {
    return this.db.prepare<[], ModelRow>('SELECT * FROM models ORDER BY created_at, rowid').all().map(toRecord);
  }

  /** Removes a model; false when there was none. */
  delete(name: string): boolean {
    return this.db.prepare('DELETE FROM models WHERE name = ?').run(name).changes > 0;
  }
}

function toRecord(row: ModelRow): ModelRecord {
  return {
    name: row.name,
    arn: row.arn,
    request: JSON.parse(row.request) as Record<string, unknown>,
    ...optional('executionArn', row.execution_arn),
    tags: JSON.parse(row.tags) as Tag[],
    createdAt: new Date(row.created_at),
  };
}
