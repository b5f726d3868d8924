import type { Logger } from '../server/logger.js';
import type { EndpointRecord, EndpointStatus } from '../store/endpoint-repository.js';
import type { Fleet } from './fleet.js';

/** One endpoint's background work (create, update, restore, delete): aborting asks it to stop early. */
export interface BackgroundOperation {
  readonly controller: AbortController;
  readonly done: Promise<void>;
}

/** What the local server keeps in memory per endpoint: its fleets, the traffic split and its background work. */
export interface LiveEndpoint {
  /** As created: InvokeEndpoint must match this case. */
  readonly name: string;
  status: EndpointStatus;
  serving?: Fleet | undefined;
  /** A blue/green update's new fleet while it takes `newShare` of the traffic. */
  incoming?: Fleet | undefined;
  newShare: number;
  /** Set while the serving fleet is being started again after a restart: invocations wait for it. */
  restoring?: Promise<void> | undefined;
  operation?: BackgroundOperation | undefined;
}

/** The live endpoints by name; SageMaker endpoint names are unique regardless of case. */
export class LiveEndpoints {
  private readonly byKey = new Map<string, LiveEndpoint>();

  find(name: string): LiveEndpoint | undefined {
    return this.byKey.get(key(name));
  }

  /** The live endpoint of a stored record, added with the record's status when it has none yet. */
  track(record: Pick<EndpointRecord, 'name' | 'status'>): LiveEndpoint {
    let live = this.byKey.get(key(record.name));
    if (!live) {
      live = { name: record.name, status: record.status, newShare: 0 };
      this.byKey.set(key(record.name), live);
    }
    return live;
  }

  /** Forgets the endpoint, unless another live endpoint of that name has replaced `only` meanwhile. */
  forget(name: string, only?: LiveEndpoint): void {
    if (only === undefined || this.byKey.get(key(name)) === only) this.byKey.delete(key(name));
  }

  all(): LiveEndpoint[] {
    return [...this.byKey.values()];
  }
}

/**
 * Starts `work` as the endpoint's background operation. It starts already aborted when `closing` is; a failure
 * is logged (the work itself records what the user sees in the endpoint's status).
 */
export function runInBackground(
  live: LiveEndpoint,
  work: (signal: AbortSignal) => Promise<void>,
  closing: AbortSignal,
  log: Logger,
): BackgroundOperation {
  const controller = new AbortController();
  if (closing.aborted) controller.abort();
  const operation: BackgroundOperation = {
    controller,
    done: work(controller.signal)
      .catch((error: unknown) => log.error(`endpoint ${live.name}: background work failed`, error))
      .finally(() => {
        if (live.operation === operation) live.operation = undefined;
      }),
  };
  live.operation = operation;
  return operation;
}

/** The endpoint's fleets, serving first. */
export function fleetsOf(live: LiveEndpoint | undefined): Fleet[] {
  return [live?.serving, live?.incoming].filter((fleet): fleet is Fleet => fleet !== undefined);
}

/** Stops both fleets of the endpoint and leaves it with none. */
export async function stopFleets(live: LiveEndpoint): Promise<void> {
  const fleets = fleetsOf(live);
  live.serving = undefined;
  live.incoming = undefined;
  await Promise.all(fleets.map((fleet) => fleet.stop()));
}

function key(name: string): string {
  return name.toLowerCase();
}
