import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { withFileLock } from '@slipway/core';
import type { DriftDispatchPayload } from './drift-event.js';

/**
 * Decides whether a `model-drift-detected` dispatch starts a retrain: each event (and each check) is acted on
 * once, since EventBridge and the local outbox deliver at least once; and an endpoint gets at most one retrain
 * per `period`, since a drifted endpoint keeps drifting until the retrained version is approved and deployed, and
 * every check until then would otherwise start another run. The ledger is one JSON document, changed only by an
 * atomic read-modify-write of its store, so two deliveries at once cannot both start a retrain: locally a file in
 * the data directory under a file lock (FileRetrainLedger); on AWS an object in the artifact bucket written with
 * S3's conditional writes (S3RetrainLedger), since build.yml runs on a fresh runner each time.
 */

/** One retrain per endpoint per this long unless configured. */
export const DEFAULT_RETRAIN_PERIOD_MS = 24 * 60 * 60_000;
/** How many event and check ids the ledger remembers (older ones are long past any redelivery). */
const REMEMBERED_IDS = 1000;

export type RetrainDecision =
  | { readonly action: 'start' }
  | { readonly action: 'duplicate'; readonly reason: string }
  | { readonly action: 'rate-limited'; readonly reason: string; readonly nextAllowedAt: string };

/** A retrain that was started, as `monitor status` lists them. */
export interface RetrainRecord {
  readonly endpointName: string;
  readonly checkId: string;
  readonly eventId: string;
  readonly modelPackageArn: string;
  readonly startedAt: string;
  /** Filled in when the run ends. */
  readonly outcome?: string;
}

/** The ledger document, as both stores keep it. */
export interface RetrainLedger {
  seenEventIds: string[];
  seenCheckIds: string[];
  retrains: RetrainRecord[];
}

/** Where a RetrainGate keeps its ledger. */
export interface RetrainLedgerStore {
  /** Where it is, for messages (a path or an s3:// URI). */
  readonly location: string;
  read(): Promise<RetrainLedger>;
  /**
   * Reads the ledger, lets `change` edit it, writes it back, atomically with respect to every other update:
   * `change` may run more than once (each time on a fresh read) and must not have other effects.
   */
  update<T>(change: (ledger: RetrainLedger) => T): Promise<T>;
}

export function emptyRetrainLedger(): RetrainLedger {
  return { seenEventIds: [], seenCheckIds: [], retrains: [] };
}

/** The local ledger of a data directory (`<dataDir>/monitoring/retrains.json`): the drift route's and Studio's. */
export function localRetrainLedger(dataDir: string): FileRetrainLedger {
  return new FileRetrainLedger(join(dataDir, 'monitoring'));
}

/** The ledger from its JSON text, tolerating fields an older version did not write. */
export function parseRetrainLedger(text: string): RetrainLedger {
  const parsed = JSON.parse(text) as Partial<RetrainLedger>;
  return {
    seenEventIds: parsed.seenEventIds ?? [],
    seenCheckIds: parsed.seenCheckIds ?? [],
    retrains: parsed.retrains ?? [],
  };
}

/** The local store: `<dir>/retrains.json`, replaced by rename under a file lock. */
export class FileRetrainLedger implements RetrainLedgerStore {
  readonly location: string;

  constructor(private readonly dir: string) {
    this.location = join(dir, 'retrains.json');
  }

  async update<T>(change: (ledger: RetrainLedger) => T): Promise<T> {
    await mkdir(this.dir, { recursive: true });
    return withFileLock(
      `${this.location}.lock`,
      30_000,
      async () => {
        const ledger = await this.read();
        const result = change(ledger);
        const temporary = `${this.location}.${process.pid}.tmp`;
        await writeFile(temporary, `${JSON.stringify(ledger, null, 2)}\n`);
        await rename(temporary, this.location);
        return result;
      },
      'retrain',
    );
  }

  async read(): Promise<RetrainLedger> {
    let text: string;
    try {
      text = await readFile(this.location, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return emptyRetrainLedger();
      throw error;
    }
    return parseRetrainLedger(text);
  }
}

export interface RetrainGateOptions {
  /** One retrain per endpoint per this long. @default DEFAULT_RETRAIN_PERIOD_MS */
  readonly periodMs?: number;
  readonly now?: () => Date;
}

export class RetrainGate {
  private readonly store: RetrainLedgerStore;
  private readonly periodMs: number;
  private readonly now: () => Date;

  /** `store`: a ledger store, or a folder for a FileRetrainLedger. */
  constructor(store: RetrainLedgerStore | string, options: RetrainGateOptions = {}) {
    this.store = typeof store === 'string' ? new FileRetrainLedger(store) : store;
    this.periodMs = options.periodMs ?? DEFAULT_RETRAIN_PERIOD_MS;
    this.now = options.now ?? (() => new Date());
  }

  /** One retrain per endpoint per this long. */
  get period(): number {
    return this.periodMs;
  }

  /**
   * Records the dispatch and says what to do. Only a `start` is recorded as a retrain; a duplicate or a
   * rate-limited dispatch is remembered too, so a redelivery of it is a duplicate.
   */
  async admit(payload: DriftDispatchPayload): Promise<RetrainDecision> {
    return this.store.update((ledger) => {
      if (ledger.seenEventIds.includes(payload.event_id)) {
        return { action: 'duplicate', reason: `event ${payload.event_id} was already handled` };
      }
      ledger.seenEventIds = [...ledger.seenEventIds, payload.event_id].slice(-REMEMBERED_IDS);
      if (ledger.seenCheckIds.includes(payload.check_id)) {
        return { action: 'duplicate', reason: `drift check ${payload.check_id} already started a retrain` };
      }
      const now = this.now();
      const last = [...ledger.retrains].reverse().find((retrain) => retrain.endpointName === payload.endpoint_name);
      if (last) {
        const nextAllowed = new Date(Date.parse(last.startedAt) + this.periodMs);
        if (now < nextAllowed) {
          return {
            action: 'rate-limited',
            reason: `${payload.endpoint_name} started a retrain at ${last.startedAt}; one per ${formatPeriod(this.periodMs)}`,
            nextAllowedAt: nextAllowed.toISOString(),
          };
        }
      }
      ledger.seenCheckIds = [...ledger.seenCheckIds, payload.check_id].slice(-REMEMBERED_IDS);
      ledger.retrains = [
        ...ledger.retrains,
        {
          endpointName: payload.endpoint_name,
          checkId: payload.check_id,
          eventId: payload.event_id,
          modelPackageArn: payload.model_package_arn,
          startedAt: now.toISOString(),
        },
      ].slice(-REMEMBERED_IDS);
      return { action: 'start' };
    });
  }

  /** Records how the retrain a check started ended. */
  async finish(checkId: string, outcome: string): Promise<void> {
    await this.store.update((ledger) => {
      ledger.retrains = ledger.retrains.map((retrain) =>
        retrain.checkId === checkId ? { ...retrain, outcome } : retrain,
      );
    });
  }

  /** The retrains started, oldest first. */
  async retrains(): Promise<readonly RetrainRecord[]> {
    return (await this.store.read()).retrains;
  }
}

export function formatPeriod(ms: number): string {
  if (ms % 3_600_000 === 0) return `${ms / 3_600_000} h`;
  if (ms % 60_000 === 0) return `${ms / 60_000} min`;
  return `${ms / 1000} s`;
}
