import type { Database } from './database.js';
import { optional } from './database.js';

/** A model a `Type: Model` step created: its resolved CreateModel request. DescribeModel reads it. */
export interface ModelRecord {
  readonly name: string;
  readonly arn: string;
  readonly request: Record<string, unknown>;
  readonly executionArn?: string;
  readonly createdAt: Date;
}

interface ModelRow {
  name: string;
  arn: string;
  request: string;
  execution_arn: string | null;
  created_at: number;
}

export class ModelRepository {
  constructor(private readonly db: Database) {}

  insert(model: ModelRecord): void {
    this.db
      .prepare('INSERT INTO models (name, arn, request, execution_arn, created_at) VALUES (?, ?, ?, ?, ?)')
      .run(model.name, model.arn, JSON.stringify(model.request), model.executionArn ?? null, model.createdAt.getTime());
  }

  get(name: string): ModelRecord | undefined {
    const row = this.db.prepare<[string], ModelRow>('SELECT * FROM models WHERE name = ?').get(name);
    if (!row) return undefined;
    return {
      name: row.name,
      arn: row.arn,
      request: JSON.parse(row.request) as Record<string, unknown>,
      ...optional('executionArn', row.execution_arn),
      createdAt: new Date(row.created_at),
    };
  }
}
