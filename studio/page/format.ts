/** How the page writes times, durations and numbers. Pure, so it is tested without a browser. */

export function formatDuration(ms: number | undefined): string {
  if (ms === undefined || !Number.isFinite(ms) || ms < 0) return '—';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const seconds = ms / 1000;
  if (seconds < 60) return `${seconds.toFixed(seconds < 10 ? 1 : 0)} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min ${Math.round(seconds - minutes * 60)} s`;
  const hours = Math.floor(minutes / 60);
  return `${hours} h ${minutes - hours * 60} min`;
}

/** `2026-05-04 14:03:22` in the viewer's time zone; `—` for none. */
export function formatTime(iso: string | undefined): string {
  if (!iso) return '—';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  const two = (n: number) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${two(date.getMonth() + 1)}-${two(date.getDate())} ${two(date.getHours())}:${two(date.getMinutes())}:${two(date.getSeconds())}`;
}

/** A metric: four decimals for ratios, fewer as numbers grow. */
export function formatMetric(value: number | undefined): string {
  if (value === undefined || !Number.isFinite(value)) return '—';
  const size = Math.abs(value);
  if (size >= 1000) return value.toFixed(0);
  if (size >= 10) return value.toFixed(2);
  return value.toFixed(4);
}

/** The last part of an ARN (`…/execution/abc123` → `abc123`). */
export function arnTail(arn: string): string {
  return arn.slice(arn.lastIndexOf('/') + 1);
}

/** `…:model-package/sentiment-models/2` → `sentiment-models v2`. */
export function packageLabel(arn: string): string {
  const match = /model-package\/([^/]+)\/(\d+)$/.exec(arn);
  return match ? `${match[1]} v${match[2]}` : arnTail(arn);
}

/** The CSS class of a status, grouped by what it means to the reader. */
export function statusClass(status: string | undefined): string {
  switch (status) {
    case 'Succeeded':
    case 'Completed':
    case 'InService':
    case 'Approved':
    case 'success':
      return 'good';
    case 'Failed':
    case 'Rejected':
    case 'failure':
    case 'OutOfService':
      return 'bad';
    case 'Executing':
    case 'Starting':
    case 'Stopping':
    case 'Creating':
    case 'Updating':
    case 'InProgress':
    case 'in_progress':
    case 'queued':
      return 'busy';
    case 'PendingManualApproval':
    case 'waiting':
      return 'wait';
    default:
      return 'idle';
  }
}

/** The median and the 95th percentile of latencies, in ms. */
export function latencySummary(values: readonly number[]): { p50?: number; p95?: number } {
  if (values.length === 0) return {};
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!;
  return { p50: at(0.5), p95: at(0.95) };
}
