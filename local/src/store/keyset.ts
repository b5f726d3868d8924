import type { Statement } from 'better-sqlite3';
import type { Database } from './database.js';

/** A value SQLite stores and compares (what a keyset key is made of). */
export type SqlValue = string | number | bigint | null;

/**
 * One page of a listing in a total order, read after a key rather than at an offset, so a page costs the same
 * at the millionth row as at the first (an index walks straight to the key) and a listing that grows while a
 * client pages through it never repeats or skips a row.
 */
export interface KeysetQuery {
  /** Columns to read; the `order` columns must be among them (by those names). */
  readonly select: string;
  readonly from: string;
  /** Conditions, ANDed, with `?` placeholders for `params`. */
  readonly where: readonly string[];
  readonly params: readonly SqlValue[];
  /** Columns that order the rows and, together, tell any two rows apart. */
  readonly order: readonly string[];
  readonly descending: boolean;
  /** The `order` values of the last row of the previous page. */
  readonly after?: readonly SqlValue[];
  readonly limit: number;
}

export interface KeysetPage<Row> {
  readonly rows: Row[];
  /** The `order` values of the last row, when more rows follow it. */
  readonly next?: SqlValue[];
}

/** Reads keyset pages, preparing each distinct statement once. */
export class KeysetReader {
  private readonly statements = new Map<string, Statement<SqlValue[], unknown>>();

  constructor(private readonly db: Database) {}

  page<Row extends object>(query: KeysetQuery): KeysetPage<Row> {
    const { sql, params } = build(query);
    let statement = this.statements.get(sql);
    if (!statement) {
      statement = this.db.prepare<SqlValue[], unknown>(sql);
      this.statements.set(sql, statement);
    }
    // One row more than asked tells whether another page follows, without counting.
    const rows = statement.all(...params, query.limit + 1) as Row[];
    if (rows.length <= query.limit) return { rows };
    rows.length = query.limit;
    const last = rows[rows.length - 1] as Record<string, SqlValue>;
    return { rows, next: query.order.map((column) => last[column] ?? null) };
  }

  /** SQLite's plan for a page (for tests that hold each listing to its index). */
  plan(query: KeysetQuery): string[] {
    const { sql, params } = build(query);
    const rows = this.db
      .prepare<SqlValue[], { detail: string }>(`EXPLAIN QUERY PLAN ${sql}`)
      .all(...params, query.limit + 1);
    return rows.map((row) => row.detail);
  }
}

function build(query: KeysetQuery): { sql: string; params: SqlValue[] } {
  if (query.after && query.after.length !== query.order.length) {
    throw new Error(`a keyset key needs ${query.order.length} values, got ${query.after.length}`);
  }
  const direction = query.descending ? 'DESC' : 'ASC';
  const where = [...query.where];
  const params: SqlValue[] = [...query.params];
  if (query.after) {
    // A row-value comparison: SQLite turns it into a range on the index whose columns follow `order`.
    where.push(
      `(${query.order.join(', ')}) ${query.descending ? '<' : '>'} (${query.order.map(() => '?').join(', ')})`,
    );
    params.push(...query.after);
  }
  const sql =
    `SELECT ${query.select} FROM ${query.from}` +
    (where.length > 0 ? ` WHERE ${where.join(' AND ')}` : '') +
    ` ORDER BY ${query.order.map((column) => `${column} ${direction}`).join(', ')} LIMIT ?`;
  return { sql, params };
}
