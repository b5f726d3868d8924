import type { Database } from './database.js';
import { optional } from './database.js';

export interface StoredEvent {
  readonly id: string;
  readonly body: string;
}

export type DeliveryStatus = 'pending' | 'delivered' | 'failed';

export interface Delivery {
  readonly id: number;
  readonly eventId: string;
  readonly eventBody: string;
  readonly ruleName: string;
  readonly targetId: string;
  readonly status: DeliveryStatus;
  readonly attempts: number;
  readonly nextAttemptAt: Date;
  readonly lastError?: string;
}

interface DeliveryRow {
  id: number;
  event_id: string;
  body: string;
  rule_name: string;
  target_id: string;
  status: DeliveryStatus;
  attempts: number;
  next_attempt_at: number;
  last_error: string | null;
}

/**
 * The events outbox. An event row is written in the same transaction as the state change it reports;
 * routing turns it into one delivery row per matching rule target; a delivery stays pending until its
 * target accepts it. A crash at any point leaves rows that the next start picks up again.
 */
export class EventRepository {
  private readonly insertEvent;
  private readonly unroutedEvents;
  private readonly insertDelivery;
  private readonly markRouted;
  private readonly dueDeliveries;
  private readonly updateDelivery;

  constructor(private readonly db: Database) {
    this.insertEvent = db.prepare('INSERT INTO events (id, body, created_at) VALUES (?, ?, ?)');
    this.unroutedEvents = db.prepare<[number], StoredEvent>(
      'SELECT id, body FROM events WHERE routed = 0 ORDER BY seq LIMIT ?',
    );
    this.insertDelivery = db.prepare(
      `INSERT OR IGNORE INTO deliveries (event_id, rule_name, target_id, status, attempts, next_attempt_at, updated_at)
       VALUES (?, ?, ?, 'pending', 0, ?, ?)`,
    );
    this.markRouted = db.prepare('UPDATE events SET routed = 1 WHERE id = ?');
    this.dueDeliveries = db.prepare<[number, number], DeliveryRow>(
      `SELECT d.*, e.body FROM deliveries d JOIN events e ON e.id = d.event_id
       WHERE d.status = 'pending' AND d.next_attempt_at <= ? ORDER BY d.next_attempt_at, d.id LIMIT ?`,
    );
    this.updateDelivery = db.prepare(
      `UPDATE deliveries SET status = @status, attempts = @attempts, next_attempt_at = @next_attempt_at,
         last_error = @last_error, updated_at = @updated_at WHERE id = @id`,
    );
  }

  append(id: string, body: string, at: Date): void {
    this.insertEvent.run(id, body, at.getTime());
  }

  unrouted(limit = 500): StoredEvent[] {
    return this.unroutedEvents.all(limit);
  }

  /** Records which targets an event goes to and marks it routed, atomically. */
  route(eventId: string, targets: readonly { ruleName: string; targetId: string }[], at: Date): void {
    this.db.transaction(() => {
      for (const target of targets)
        this.insertDelivery.run(eventId, target.ruleName, target.targetId, at.getTime(), at.getTime());
      this.markRouted.run(eventId);
    })();
  }

  due(now: Date, limit = 100): Delivery[] {
    return this.dueDeliveries.all(now.getTime(), limit).map(deliveryFromRow);
  }

  /** When the next pending delivery becomes due, if any. */
  nextDue(): Date | undefined {
    const row = this.db
      .prepare<[], { at: number | null }>("SELECT MIN(next_attempt_at) AS at FROM deliveries WHERE status = 'pending'")
      .get();
    return row?.at === null || row?.at === undefined ? undefined : new Date(row.at);
  }

  recordAttempt(
    id: number,
    outcome: { status: DeliveryStatus; attempts: number; nextAttemptAt: Date; error?: string },
    at: Date,
  ): void {
    this.updateDelivery.run({
      id,
      status: outcome.status,
      attempts: outcome.attempts,
      next_attempt_at: outcome.nextAttemptAt.getTime(),
      last_error: outcome.error ?? null,
      updated_at: at.getTime(),
    });
  }

  deliveries(filter: { status?: DeliveryStatus } = {}): Delivery[] {
    const rows = this.db
      .prepare<[], DeliveryRow>('SELECT d.*, e.body FROM deliveries d JOIN events e ON e.id = d.event_id ORDER BY d.id')
      .all();
    return rows.map(deliveryFromRow).filter((d) => !filter.status || d.status === filter.status);
  }

  /** Makes a target's pending deliveries due now (after the target was registered again). */
  wake(ruleName: string, targetId: string, at: Date): void {
    this.db
      .prepare("UPDATE deliveries SET next_attempt_at = ? WHERE status = 'pending' AND rule_name = ? AND target_id = ?")
      .run(at.getTime(), ruleName, targetId);
  }

  /** The distinct rule targets that still have deliveries pending. */
  pendingTargets(): { ruleName: string; targetId: string }[] {
    return this.db
      .prepare<[], { rule_name: string; target_id: string }>(
        "SELECT DISTINCT rule_name, target_id FROM deliveries WHERE status = 'pending'",
      )
      .all()
      .map((row) => ({ ruleName: row.rule_name, targetId: row.target_id }));
  }

  unroutedCount(): number {
    return this.db.prepare<[], { n: number }>('SELECT COUNT(*) AS n FROM events WHERE routed = 0').get()?.n ?? 0;
  }

  pendingCount(): number {
    const unrouted =
      this.db.prepare<[], { n: number }>('SELECT COUNT(*) AS n FROM events WHERE routed = 0').get()?.n ?? 0;
    const pending =
      this.db.prepare<[], { n: number }>("SELECT COUNT(*) AS n FROM deliveries WHERE status = 'pending'").get()?.n ?? 0;
    return unrouted + pending;
  }

  saveRule(name: string, definition: unknown, at: Date): void {
    this.db
      .prepare(
        `INSERT INTO event_rules (name, definition, created_at) VALUES (?, ?, ?)
         ON CONFLICT (name) DO UPDATE SET definition = excluded.definition`,
      )
      .run(name, JSON.stringify(definition), at.getTime());
  }

  deleteRule(name: string): void {
    this.db.prepare('DELETE FROM event_rules WHERE name = ?').run(name);
  }

  rules(): { name: string; definition: unknown }[] {
    return this.db
      .prepare<[], { name: string; definition: string }>('SELECT name, definition FROM event_rules ORDER BY name')
      .all()
      .map((row) => ({ name: row.name, definition: JSON.parse(row.definition) as unknown }));
  }
}

function deliveryFromRow(row: DeliveryRow): Delivery {
  return {
    id: row.id,
    eventId: row.event_id,
    eventBody: row.body,
    ruleName: row.rule_name,
    targetId: row.target_id,
    status: row.status,
    attempts: row.attempts,
    nextAttemptAt: new Date(row.next_attempt_at),
    ...optional('lastError', row.last_error),
  };
}
