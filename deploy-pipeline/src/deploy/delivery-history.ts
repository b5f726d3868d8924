/**
 * EventBridge delivers an approval event at least once, and retries a failed delivery for up to a day, always
 * with the event's own `id`. The deploy workflow acts on each id once: before resolving an event it asks its
 * own record of runs (GitHub's workflow runs, or the local run store) which earlier runs received the same id.
 */

/** A run of the deploy workflow, earlier than the current one, that received the same event. */
export interface EarlierDelivery {
  /** How a person finds the run: `run #12` locally, its URL on GitHub. */
  readonly run: string;
  /** GitHub's vocabulary: `queued`, `in_progress`, `waiting`, `completed`, ... */
  readonly status: string;
  /** For a completed run: `success`, `failure`, `cancelled`, ... */
  readonly conclusion?: string;
  /** The repository_dispatch event type the run received (`model-package-approved`, ...), when known. */
  readonly eventType?: string;
}

export interface DeliveryHistory {
  /** The runs before the current one that received the event `eventId`, in any order. */
  earlierDeliveries(eventId: string): Promise<readonly EarlierDelivery[]>;
  /**
   * The runs before the current one that received an approval route event (approved or rejected) of
   * version `version` of the group, newest first. SageMaker emits the same state change event for a
   * lifecycle or metadata change as for an approval: the newest earlier event of the version tells the
   * resolve job whether its approval was already acted on.
   */
  earlierEventsOfVersion(version: number): Promise<readonly EarlierDelivery[]>;
}

/**
 * Conclusions after which the same event may be acted on again: the run failed (an interrupted local run
 * among them) and deployed nothing it did not report. Anything else, a run still going, waiting at the gate,
 * successful or cancelled, has handled the event.
 */
const RETRYABLE_CONCLUSIONS = new Set(['failure', 'timed_out', 'startup_failure']);

/** The earlier run that already handled the event, if any. */
export function handledBy(deliveries: readonly EarlierDelivery[]): EarlierDelivery | undefined {
  return deliveries.find(
    (delivery) => delivery.status !== 'completed' || !RETRYABLE_CONCLUSIONS.has(delivery.conclusion ?? ''),
  );
}
