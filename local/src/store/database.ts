import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { MIGRATIONS } from './migrations.js';

export type Database = BetterSqlite3.Database;

export const DATABASE_FILE = 'slipway.db';

/**
 * Opens (creating if needed) the server's SQLite database under the data dir: WAL so readers never wait
 * for the engine's writes, foreign keys on, and every pending migration applied in one transaction.
 */
export function openDatabase(dataDir: string): Database {
  mkdirSync(dataDir, { recursive: true });
  const db = new BetterSqlite3(join(dataDir, DATABASE_FILE));
  db.pragma('journal_mode = WAL');
  // NORMAL in WAL mode keeps every committed transaction across a process crash (kill -9); only a power
  // loss can drop the last few, which is the trade-off SQLite documents for WAL.
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  migrate(db);
  return db;
}

function migrate(db: Database): void {
  const current = db.pragma('user_version', { simple: true }) as number;
  if (current > MIGRATIONS.length) {
    throw new Error(
      `the database schema (version ${current}) is newer than this server knows (${MIGRATIONS.length}); upgrade Slipway or use another data dir`,
    );
  }
  db.transaction(() => {
    for (let version = current; version < MIGRATIONS.length; version += 1) {
      db.exec(MIGRATIONS[version]!);
      db.pragma(`user_version = ${version + 1}`);
    }
  })();
}

/** JSON column helpers: undefined and null both store as NULL. */
export function toJsonColumn(value: unknown): string | null {
  return value === undefined || value === null ? null : JSON.stringify(value);
}

export function fromJsonColumn<T>(text: string | null | undefined): T | undefined {
  return text === null || text === undefined ? undefined : (JSON.parse(text) as T);
}

/** `{key: value}` when the value is present, `{}` when it is NULL/undefined (for optional record members). */
export function optional<K extends string, V>(key: K, value: V | null | undefined): Partial<Record<K, V>> {
  return value === null || value === undefined ? {} : ({ [key]: value } as Record<K, V>);
}

export function optionalDate<K extends string>(key: K, millis: number | null | undefined): Partial<Record<K, Date>> {
  return millis === null || millis === undefined ? {} : ({ [key]: new Date(millis) } as Record<K, Date>);
}
