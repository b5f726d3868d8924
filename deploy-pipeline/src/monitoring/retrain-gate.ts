import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { withFileLock } from '@slipway/core';
import type { DriftDispatchPayload } from './drift-event.js';

/**
 * Decides whether a `model-drift-detected` dispatch starts a retrain: each event (and each check) is acted on
 * once, since EventBridge and the local outbox deliver at least once; and an endpoint gets at most one retrain
 * per `period`, since a drifted endpoint keeps drifting until the retrained version is approved and deployed, and
 * every check until then would otherwise start another run. The ledger is a JSON file in `dir`, updated under a
 * file lock, so two deliveries at once cannot both start a retrain.
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

interface Ledger {
  seenEventIds: string[];
  seenCheckIds: string[];
  retrains: RetrainRecord[];
}

export interface RetrainGateOptions {
  /** One retrain per endpoint per this long. @default DEFAULT_RETRAIN_PERIOD_MS */
  readonly periodMs?: number;
  readonly now?: () => Date;
}

export class RetrainGate {
  private readonly file: string;
  private readonly periodMs: number;
  private readonly now: () => Date;

  constructor(
    private readonly dir: string,
    options: RetrainGateOptions = {},
  ) {
    this.file = join(dir, 'retrains.json');
    this.periodMs = options.periodMs ?? DEFAULT_RETRAIN_PERIOD_MS;
    this.now = options.now ?? (() => new Date());
  }

  /**
   * Records the dispatch and says what to do. Only a `start` is recorded as a retrain; a duplicate or a
   * rate-limited dispatch is remembered too, so a redelivery of it is a duplicate.
   */
  async admit(payload: DriftDispatchPayload): Promise<RetrainDecision> {
    return this.update((ledger) => {
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
    await this.update((ledger) => {
      ledger.retrains = ledger.retrains.map((retrain) =>
        retrain.checkId === checkId ? { ...retrain, outcome } : retrain,
      );
    });
  }

  /** The retrains started, oldest first. */
  async retrains(): Promise<readonly RetrainRecord[]> {
    return (await this.read()).retrains;
  }

  private async update<T>(change: (ledger: Ledger) => T): Promise<T> {
    await mkdir(this.dir, { recursive: true });
    return withFileLock(
      `${this.file}.lock`,
      30_000,
      async () => {
        const ledger = await this.read();
        const result = change(ledger);
        const temporary = `${this.file}.${process.pid}.tmp`;
        await writeFile(temporary, `${JSON.stringify(ledger, null, 2)}\n`);
        await rename(temporary, this.file);
        return result;
      },
      'retrain',
    );
  }

  private async read(): Promise<Ledger> {
    let text: string;
    try {
      text = await readFile(this.file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT')
        return { seenEventIds: [], seenCheckIds: [], retrains: [] };
      throw error;
    }
    const parsed = JSON.parse(text) as Partial<Ledger>;
    return {
      seenEventIds: parsed.seenEventIds ?? [],
      seenCheckIds: parsed.seenCheckIds ?? [],
      retrains: parsed.retrains ?? [],
    };
  }
}

export function formatPeriod(ms: number): string {
  if (ms % 3_600_000 === 0) return `${ms / 3_600_000} h`;
  if (ms % 60_000 === 0) return `${ms / 60_000} min`;
  return `${ms / 1000} s`;
}
