import { randomUUID } from 'node:crypto';
import {
  ValidationError,
  applyInputTransformer,
  describeValue,
  eventTime,
  matchesEventPattern,
  parseEventPattern,
  type EventBridgeEvent,
  type EventPattern,
} from '@slipway/core';
import type { Logger } from '../server/logger.js';
import type { Delivery, DeliveryStatus } from '../store/event-repository.js';
import type { Store } from '../store/store.js';
import {
  deliverToTarget,
  validateTarget,
  type EventTarget,
  type HandlerTarget,
  type PersistableTarget,
} from './event-targets.js';

export type RuleState = 'ENABLED' | 'DISABLED';

export interface RuleDefinition {
  readonly name: string;
  /** A pattern object or its JSON text; validated when the rule is put (it may come from a rules file). */
  readonly eventPattern: Readonly<Record<string, unknown>> | string;
  readonly description?: string;
  readonly state?: RuleState;
  readonly targets?: readonly EventTarget[];
}

export interface RuleInfo {
  readonly name: string;
  readonly arn: string;
  readonly eventPattern: EventPattern;
  readonly description?: string;
  readonly state: RuleState;
  readonly targets: readonly EventTarget[];
}

export interface EventBusOptions {
  /** Attempts per delivery before it is marked failed (dead-lettered). Default 8. */
  readonly maxAttempts?: number;
  /** Delay before the first retry; it doubles each attempt. Default 1000 ms. */
  readonly retryBaseMs?: number;
  /** Longest delay between attempts. Default 60 000 ms. */
  readonly retryMaxMs?: number;
  /** Deliveries in flight at once. Default 8. */
  readonly concurrency?: number;
}

export interface BusIdentity {
  readonly region: string;
  readonly accountId: string;
}

interface Rule {
  name: string;
  pattern: EventPattern;
  description?: string;
  state: RuleState;
  targets: Map<string, EventTarget>;
}

const RULE_NAME = /^[.\-_A-Za-z0-9]{1,64}$/;

/**
 * The local EventBridge default bus. Events go into the outbox table (in the caller's transaction when they
 * report a state change), are routed to the targets of every enabled rule whose pattern matches, and are
 * delivered at least once: a failed attempt is retried with exponential backoff until `maxAttempts`, and
 * pending deliveries survive a crash because they are rows, not promises.
 */
export class EventBus {
  private readonly rules = new Map<string, Rule>();
  private readonly inFlight = new Set<number>();
  private readonly maxAttempts: number;
  private readonly retryBaseMs: number;
  private readonly retryMaxMs: number;
  private readonly concurrency: number;
  private timer: NodeJS.Timeout | undefined;
  private scheduled = false;
  private closed = false;
  private readonly listeners = new Set<(event: EventBridgeEvent) => void>();

  constructor(
    private readonly store: Store,
    private readonly identity: BusIdentity,
    private readonly log: Logger,
    options: EventBusOptions = {},
  ) {
    this.maxAttempts = options.maxAttempts ?? 8;
    this.retryBaseMs = options.retryBaseMs ?? 1000;
    this.retryMaxMs = options.retryMaxMs ?? 60_000;
    this.concurrency = options.concurrency ?? 8;
  }

  /** Loads the rules saved by earlier runs and starts delivering whatever is pending. */
  start(): void {
    for (const { definition } of this.store.events.rules()) {
      const saved = definition as RuleDefinition;
      this.rules.set(saved.name, {
        name: saved.name,
        pattern: parseEventPattern(saved.eventPattern),
        ...(saved.description !== undefined ? { description: saved.description } : {}),
        state: saved.state ?? 'ENABLED',
        targets: new Map((saved.targets ?? []).map((target) => [target.id, target])),
      });
    }
    this.kick();
  }

  ruleArn(name: string): string {
    return `arn:aws:events:${this.identity.region}:${this.identity.accountId}:rule/${name}`;
  }

  /** Creates or updates a rule (keeping its targets, as PutRule does) and adds any targets given. */
  putRule(definition: RuleDefinition): RuleInfo {
    if (typeof definition.name !== 'string' || !RULE_NAME.test(definition.name)) {
      throw new ValidationError({
        where: 'rule',
        field: 'name',
        problem: `must be 1-64 letters, digits, dots, hyphens or underscores, got ${describeValue(definition.name)}`,
      });
    }
    const pattern = parseEventPattern(definition.eventPattern, `rule ${definition.name}: EventPattern`);
    if (definition.state !== undefined && definition.state !== 'ENABLED' && definition.state !== 'DISABLED') {
      throw new ValidationError({
        where: `rule ${definition.name}`,
        field: 'state',
        problem: `must be ENABLED or DISABLED, got ${describeValue(definition.state)}`,
      });
    }
    const existing = this.rules.get(definition.name);
    const rule: Rule = {
      name: definition.name,
      pattern,
      ...(definition.description !== undefined ? { description: definition.description } : {}),
      state: definition.state ?? 'ENABLED',
      targets: existing?.targets ?? new Map(),
    };
    this.rules.set(rule.name, rule);
    if (definition.targets?.length) this.putTargets(rule.name, definition.targets);
    else this.save(rule);
    return this.info(rule);
  }

  putTargets(ruleName: string, targets: readonly EventTarget[]): void {
    const rule = this.requireRule(ruleName);
    targets.forEach((target, index) => validateTarget(target, `rule ${ruleName}: targets[${index}]`));
    const now = new Date();
    for (const target of targets) {
      rule.targets.set(target.id, target);
      this.store.events.wake(ruleName, target.id, now);
    }
    this.save(rule);
    this.kick();
  }

  removeTargets(ruleName: string, ids: readonly string[]): void {
    const rule = this.requireRule(ruleName);
    for (const id of ids) rule.targets.delete(id);
    this.save(rule);
  }

  deleteRule(name: string): void {
    const rule = this.requireRule(name);
    if (rule.targets.size > 0) {
      throw new ValidationError({
        where: `rule ${name}`,
        field: '',
        problem: 'still has targets',
        fix: 'remove its targets first (as EventBridge requires)',
      });
    }
    this.rules.delete(name);
    this.store.events.deleteRule(name);
  }

  listRules(namePrefix = ''): RuleInfo[] {
    return [...this.rules.values()]
      .filter((rule) => rule.name.startsWith(namePrefix))
      .sort((a, b) => a.name.localeCompare(b.name))
      .map((rule) => this.info(rule));
  }

  getRule(name: string): RuleInfo | undefined {
    const rule = this.rules.get(name);
    return rule ? this.info(rule) : undefined;
  }

  /** Builds an event in EventBridge's envelope for this bus's account and region. */
  envelope(
    source: string,
    detailType: string,
    detail: Record<string, unknown>,
    resources: readonly string[],
    at = new Date(),
  ): EventBridgeEvent {
    return {
      version: '0',
      id: randomUUID(),
      'detail-type': detailType,
      source,
      account: this.identity.accountId,
      time: eventTime(at),
      region: this.identity.region,
      resources,
      detail,
    };
  }

  /**
   * Writes an event to the outbox. Call it inside the transaction of the state change it reports, then
   * call `kick()` after the commit.
   */
  append(event: EventBridgeEvent): void {
    this.store.events.append(event.id, JSON.stringify(event), new Date());
  }

  /** Appends events in one transaction (all or none, as PutEvents needs) and routes them. */
  publish(...events: readonly EventBridgeEvent[]): void {
    this.store.transaction(() => {
      for (const event of events) this.append(event);
    });
    this.kick();
  }

  /** Called with every routed event (whether or not a rule matched): for logs and tests. */
  onEvent(listener: (event: EventBridgeEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  deliveries(filter: { status?: DeliveryStatus } = {}): Delivery[] {
    return this.store.events.deliveries(filter);
  }

  /** Routes and delivers soon (coalesced). */
  kick(): void {
    if (this.closed || this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      this.pump();
    });
  }

  /**
   * Resolves once every event is routed and every delivery to a registered target has either succeeded or
   * been given up on (retries included). Deliveries waiting for an unregistered handler do not count.
   */
  async drain(timeoutMs = 15_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      this.pump();
      const waiting = this.store.events
        .pendingTargets()
        .filter(({ ruleName, targetId }) => this.rules.get(ruleName)?.targets.has(targetId));
      if (this.store.events.unroutedCount() === 0 && this.inFlight.size === 0 && waiting.length === 0) return;
      if (Date.now() > deadline) throw new Error(`event deliveries still pending after ${timeoutMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }

  close(): void {
    this.closed = true;
    clearTimeout(this.timer);
  }

  private pump(): void {
    if (this.closed) return;
    this.routeEvents();
    this.startDueDeliveries();
    this.scheduleNext();
  }

  private routeEvents(): void {
    for (const stored of this.store.events.unrouted()) {
      const event = JSON.parse(stored.body) as EventBridgeEvent;
      const targets: { ruleName: string; targetId: string }[] = [];
      for (const rule of this.rules.values()) {
        if (rule.state !== 'ENABLED' || !matchesEventPattern(rule.pattern, event)) continue;
        for (const id of rule.targets.keys()) targets.push({ ruleName: rule.name, targetId: id });
      }
      this.store.events.route(stored.id, targets, new Date());
      for (const listener of this.listeners) listener(event);
    }
  }

  private startDueDeliveries(): void {
    const room = this.concurrency - this.inFlight.size;
    if (room <= 0) return;
    const now = new Date();
    for (const delivery of this.store.events.due(now, room)) {
      const target = this.rules.get(delivery.ruleName)?.targets.get(delivery.targetId);
      if (!target) {
        // The rule or target is gone (or is an in-process handler not registered since the restart): park
        // the delivery without spending an attempt; putTargets wakes it.
        const reason = this.rules.has(delivery.ruleName) ? 'target not registered' : 'rule not registered';
        this.store.events.recordAttempt(
          delivery.id,
          {
            status: 'pending',
            attempts: delivery.attempts,
            nextAttemptAt: new Date(now.getTime() + this.retryMaxMs),
            error: reason,
          },
          now,
        );
        continue;
      }
      // Lease the delivery past its timeout so a crash mid-attempt makes it due again (at least once).
      const lease = new Date(now.getTime() + (target.timeoutMs ?? 30_000) + this.retryBaseMs);
      this.store.events.recordAttempt(
        delivery.id,
        { status: 'pending', attempts: delivery.attempts, nextAttemptAt: lease },
        now,
      );
      this.inFlight.add(delivery.id);
      void this.attempt(delivery, target).finally(() => {
        this.inFlight.delete(delivery.id);
        this.kick();
      });
    }
  }

  private async attempt(delivery: Delivery, target: EventTarget): Promise<void> {
    const event = JSON.parse(delivery.eventBody) as EventBridgeEvent;
    const attempts = delivery.attempts + 1;
    try {
      const input = target.inputTransformer
        ? applyInputTransformer(target.inputTransformer, event, {
            name: delivery.ruleName,
            arn: this.ruleArn(delivery.ruleName),
          })
        : JSON.stringify(event);
      await deliverToTarget(target, event, input);
      if (this.closed) return;
      this.store.events.recordAttempt(
        delivery.id,
        { status: 'delivered', attempts, nextAttemptAt: new Date() },
        new Date(),
      );
    } catch (error) {
      // After close() the database is gone; the delivery stays pending and is retried after a restart.
      if (this.closed) return;
      const message = error instanceof Error ? error.message : String(error);
      const exhausted = attempts >= this.maxAttempts;
      const delay = Math.min(this.retryMaxMs, this.retryBaseMs * 2 ** (attempts - 1));
      this.store.events.recordAttempt(
        delivery.id,
        {
          status: exhausted ? 'failed' : 'pending',
          attempts,
          nextAttemptAt: new Date(Date.now() + delay),
          error: message,
        },
        new Date(),
      );
      const what = `event ${delivery.eventId} to ${delivery.ruleName}/${delivery.targetId}`;
      if (exhausted) this.log.error(`gave up delivering ${what} after ${attempts} attempts: ${message}`);
      else this.log.warn(`delivering ${what} failed (attempt ${attempts}), retrying in ${delay} ms: ${message}`);
    }
  }

  private scheduleNext(): void {
    clearTimeout(this.timer);
    const next = this.store.events.nextDue();
    if (!next || this.closed) return;
    const delay = Math.max(0, next.getTime() - Date.now());
    this.timer = setTimeout(() => this.pump(), Math.min(delay, 2 ** 31 - 1));
    this.timer.unref();
  }

  private requireRule(name: string): Rule {
    const rule = this.rules.get(name);
    if (!rule)
      throw new ValidationError({
        where: `rule ${name}`,
        field: '',
        problem: 'does not exist',
        fix: 'create it with putRule first',
      });
    return rule;
  }

  private save(rule: Rule): void {
    const targets = [...rule.targets.values()].filter(
      (target): target is PersistableTarget => target.type !== 'handler',
    );
    this.store.events.saveRule(
      rule.name,
      { name: rule.name, eventPattern: rule.pattern, description: rule.description, state: rule.state, targets },
      new Date(),
    );
  }

  private info(rule: Rule): RuleInfo {
    return {
      name: rule.name,
      arn: this.ruleArn(rule.name),
      eventPattern: rule.pattern,
      ...(rule.description !== undefined ? { description: rule.description } : {}),
      state: rule.state,
      targets: [...rule.targets.values()],
    };
  }
}

export type { HandlerTarget };
