// One way for every benchmark to report a figure: a line on stdout for the person watching, and, when
// `npm run bench` (bench/run.mjs) runs it, a JSON record in the file named by SLIPWAY_BENCH_FIGURES, from which
// run.mjs prints one table. Each figure carries the machine's 1-minute load average when it was taken: on a
// shared 2-core machine, a figure taken under load is not the machine's capacity.
import { appendFileSync } from 'node:fs';
import { basename } from 'node:path';
import { cpus, loadavg } from 'node:os';

/** The 1-minute load average, and the number of CPUs it is shared by. */
export function load() {
  return { load: Number(loadavg()[0].toFixed(2)), cpus: cpus().length };
}

/**
 * Records one figure.
 * - `name`: what was measured; `value` and `unit`: the figure (`ms`, `req/s`, `s`, ...);
 * - `target`: the text of its target (`≤ 2 ms`), and `met`: whether the figure meets it;
 * - `peer`: `{ name, value }` where a peer was measured the same way, alternately; the ratio is computed here
 *   so that "higher is better" (`better: 'higher'`, e.g. throughput) or lower (`better: 'lower'`, e.g. time).
 */
export function figure({ name, value, unit, target, met, peer, better = 'lower', detail }) {
  const { load: load1, cpus: cpuCount } = load();
  const ratio =
    peer && peer.value > 0 && value > 0 ? (better === 'higher' ? value / peer.value : peer.value / value) : undefined;
  const record = {
    bench: basename(process.argv[1] ?? 'bench'),
    name,
    value,
    unit,
    ...(target !== undefined ? { target, met } : {}),
    ...(peer ? { peer: peer.name, peerValue: peer.value, ratio } : {}),
    ...(detail ? { detail } : {}),
    load: load1,
    cpus: cpuCount,
  };
  process.stdout.write(
    `  ${name}: ${format(value)} ${unit}` +
      (target !== undefined ? ` (target ${target}: ${met ? 'met' : 'NOT met'})` : '') +
      (peer ? `; ${peer.name} ${format(peer.value)} ${unit}, ${ratio?.toFixed(2)}× as good` : '') +
      (detail ? `; ${detail}` : '') +
      `; load ${load1} on ${cpuCount} CPUs\n`,
  );
  if (process.env.SLIPWAY_BENCH_FIGURES)
    appendFileSync(process.env.SLIPWAY_BENCH_FIGURES, `${JSON.stringify(record)}\n`);
  return record;
}

export function format(value) {
  if (!Number.isFinite(value)) return String(value);
  if (Math.abs(value) >= 100) return value.toFixed(0);
  if (Math.abs(value) >= 10) return value.toFixed(1);
  return value.toFixed(2);
}
