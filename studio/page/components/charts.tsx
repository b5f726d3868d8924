import type { LatencyPoint } from '../../src/views.js';
import { formatTime, latencySummary } from '../format.js';

const WIDTH = 640;
const HEIGHT = 180;
const PAD = { left: 44, right: 12, top: 12, bottom: 24 };

/** Recent invocations' latency over time: one dot each (red for an error answer), p50 and p95 as lines. */
export function LatencyChart({ points }: { points: readonly LatencyPoint[] }) {
  if (points.length === 0) return <p class="muted">No invocations yet.</p>;
  const times = points.map((point) => new Date(point.at).getTime());
  const [start, end] = [Math.min(...times), Math.max(...times)];
  const span = Math.max(end - start, 1);
  const top = Math.max(...points.map((point) => point.ms), 1) * 1.1;
  const x = (time: number) => PAD.left + ((time - start) / span) * (WIDTH - PAD.left - PAD.right);
  const y = (ms: number) => HEIGHT - PAD.bottom - (ms / top) * (HEIGHT - PAD.top - PAD.bottom);
  const { p50, p95 } = latencySummary(points.filter((point) => point.status < 400).map((point) => point.ms));
  const ticks = [0, top / 2, top];
  return (
    <figure class="chart" data-testid="latency-chart">
      <svg viewBox={`0 0 ${WIDTH} ${HEIGHT}`} role="img" aria-label="invocation latency">
        {ticks.map((tick) => (
          <g key={tick}>
            <line x1={PAD.left} x2={WIDTH - PAD.right} y1={y(tick)} y2={y(tick)} class="grid" />
            <text x={PAD.left - 6} y={y(tick) + 4} text-anchor="end" class="axis">
              {tick.toFixed(tick < 10 ? 1 : 0)}
            </text>
          </g>
        ))}
        {p95 !== undefined ? <line x1={PAD.left} x2={WIDTH - PAD.right} y1={y(p95)} y2={y(p95)} class="p95" /> : null}
        {p50 !== undefined ? <line x1={PAD.left} x2={WIDTH - PAD.right} y1={y(p50)} y2={y(p50)} class="p50" /> : null}
        {points.map((point, index) => (
          <circle key={index} cx={x(times[index]!)} cy={y(point.ms)} r="3" class={point.status < 400 ? 'ok' : 'err'}>
            <title>{`${formatTime(point.at)}: ${point.ms} ms (${point.status}${point.variant ? `, ${point.variant}` : ''})`}</title>
          </circle>
        ))}
        <text x={PAD.left} y={HEIGHT - 6} class="axis">
          {formatTime(points[0]!.at)}
        </text>
        <text x={WIDTH - PAD.right} y={HEIGHT - 6} text-anchor="end" class="axis">
          {formatTime(points[points.length - 1]!.at)}
        </text>
      </svg>
      <figcaption>
        {points.length} invocations · ms · p50 {p50?.toFixed(1) ?? '—'} · p95 {p95?.toFixed(1) ?? '—'}
      </figcaption>
    </figure>
  );
}

/** The confusion matrix: rows are the true class, columns the predicted one, shaded by the row's share. */
export function ConfusionHeatmap({
  labels,
  rows,
}: {
  labels: readonly string[];
  rows: readonly (readonly number[])[];
}) {
  return (
    <table class="heatmap" data-testid="confusion-matrix">
      <thead>
        <tr>
          <th class="corner">true ↓ / predicted →</th>
          {labels.map((label) => (
            <th key={label}>{label}</th>
          ))}
        </tr>
      </thead>
      <tbody>
        {rows.map((row, r) => {
          const total = row.reduce((sum, value) => sum + value, 0) || 1;
          return (
            <tr key={labels[r]}>
              <th>{labels[r]}</th>
              {row.map((value, c) => {
                const share = value / total;
                return (
                  <td
                    key={c}
                    class={r === c ? 'diagonal' : 'off'}
                    style={{ '--share': share.toFixed(3) }}
                    title={`${labels[r]} predicted as ${labels[c]}: ${value} (${(share * 100).toFixed(1)}% of ${labels[r]})`}
                  >
                    {value}
                  </td>
                );
              })}
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}
