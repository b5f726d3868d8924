import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '../../support/moto-server.js';

/**
 * The reliability suite (`test/reliability/`): every `*.test.ts` here runs in `npm test` with a reduced number
 * of inputs, and with the full number in `npm run test:reliability` (SLIPWAY_RELIABILITY=full). A new file
 * joins the suite by being here; it sizes its loops with `runs()` and reports its figures with
 * `recordFigures()`, which `npm run test:reliability` prints at the end.
 */

/** True under `npm run test:reliability`. */
export const FULL_RELIABILITY = process.env['SLIPWAY_RELIABILITY'] === 'full';

/** How many inputs (or kills, or seconds) to try: `reduced` in `npm test`, `full` in `npm run test:reliability`. */
export function runs(reduced: number, full: number): number {
  return FULL_RELIABILITY ? full : reduced;
}

/** What a reliability test measured, as the issue asks for it. */
export interface ReliabilityFigures {
  /** Inputs tried (requests, definitions, kills...). */
  readonly inputs: number;
  /** Times the server process ended when it should not have. */
  readonly crashes: number;
  /** Stored things (objects, registry rows, executions, events) found missing, half-written or changed. */
  readonly dataLost: number;
  /** Faults the server met and answered or recovered from (malformed inputs refused, kills recovered from). */
  readonly faultsSurvived: number;
  /** Anything else worth saying (memory, latency...). */
  readonly notes?: string;
}

export const FIGURES_DIR = join(REPO_ROOT, '.cache', 'reliability');

/** Writes a test's figures to `.cache/reliability/<name>.json` (printed by `npm run test:reliability`). */
export function recordFigures(name: string, figures: ReliabilityFigures): void {
  mkdirSync(FIGURES_DIR, { recursive: true });
  const record = { name, mode: FULL_RELIABILITY ? 'full' : 'reduced', ...figures, at: new Date().toISOString() };
  writeFileSync(join(FIGURES_DIR, `${name}.json`), `${JSON.stringify(record, null, 2)}\n`);
}
