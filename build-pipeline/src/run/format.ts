import type { StepRecord } from './run-types.js';

/** `0.4 s`, `12 s`, `3 min 04 s`, `1 h 02 min`. */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '';
  if (ms < 10_000) return `${(ms / 1000).toFixed(1)} s`;
  const seconds = Math.round(ms / 1000);
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min ${String(seconds % 60).padStart(2, '0')} s`;
  return `${Math.floor(minutes / 60)} h ${String(minutes % 60).padStart(2, '0')} min`;
}

/** How long a step ran (so far, when it has not ended). */
export function stepDuration(step: StepRecord, now: number = Date.now()): number | undefined {
  if (!step.startTime) return undefined;
  return (step.endTime?.getTime() ?? now) - step.startTime.getTime();
}

/** The last path segment of an ARN: an execution id, a job name. */
export function arnTail(arn: string): string {
  return arn.slice(arn.lastIndexOf('/') + 1);
}

/** A number as a report shows it: at most four decimals, no trailing zeros. */
export function formatMetric(value: unknown): string {
  if (typeof value === 'number') return Number.isInteger(value) ? String(value) : String(Number(value.toFixed(4)));
  return typeof value === 'string' ? value : JSON.stringify(value);
}
