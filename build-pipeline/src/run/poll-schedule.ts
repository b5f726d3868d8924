/** How often to ask about an execution: start at `initialMs`, multiply by `factor` while nothing changes. */
export interface PollSchedule {
  readonly initialMs: number;
  readonly maxMs: number;
  readonly factor: number;
}

/**
 * Against SageMaker: 5 s after a change, growing to one poll a minute while nothing changes. A SageMaker job
 * takes minutes to provision, so an idle execution costs about one call a minute.
 */
export const AWS_POLL_SCHEDULE: PollSchedule = { initialMs: 5_000, maxMs: 60_000, factor: 2 };

/** Against the local server, where steps take seconds and calls cost nothing: live progress. */
export const LOCAL_POLL_SCHEDULE: PollSchedule = { initialMs: 200, maxMs: 2_000, factor: 2 };

/** The wait before the next poll: back to the start after a change, else one step longer (capped). */
export function nextPollDelay(current: number, schedule: PollSchedule, changed: boolean): number {
  if (changed) return schedule.initialMs;
  return Math.min(Math.max(current, schedule.initialMs) * schedule.factor, schedule.maxMs);
}
