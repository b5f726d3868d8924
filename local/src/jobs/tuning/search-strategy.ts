import { randomInt } from 'node:crypto';
import type { ParameterRange, TuningPlan } from './tuning-config.js';

/** One training job's tuned hyperparameters, as strings (what CreateTrainingJob's HyperParameters take). */
export type Configuration = Readonly<Record<string, string>>;

/**
 * The configurations a tuning job tries, in order. Grid: every combination of the categorical values, in the
 * order the ranges and values are listed. Random: each value drawn on its own, uniformly on the range's
 * scale (Logarithmic: uniform in log space; ReverseLogarithmic: uniform in log(1 - x)), integers rounded.
 * Bayesian and Hyperband run as Random here (the tuning job's log says so): the local tuner does not model
 * the objective or stop jobs early. `RandomSeed` makes the draws repeatable.
 */
export function configurations(plan: TuningPlan): Configuration[] {
  if (plan.strategy === 'Grid') return grid(plan.ranges);
  const random = seededRandom(plan.randomSeed ?? randomInt(2 ** 31));
  const seen = new Set<string>();
  const out: Configuration[] = [];
  // Draw distinct configurations while the space allows (a small categorical space may have fewer).
  for (let attempt = 0; out.length < plan.maxJobs && attempt < plan.maxJobs * 20; attempt += 1) {
    const configuration = Object.fromEntries(plan.ranges.map((range) => [range.name, draw(range, random)]));
    const key = JSON.stringify(configuration);
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(configuration);
  }
  while (out.length < plan.maxJobs) {
    out.push(Object.fromEntries(plan.ranges.map((range) => [range.name, draw(range, random)])));
  }
  return out;
}

function grid(ranges: readonly ParameterRange[]): Configuration[] {
  let combinations: Record<string, string>[] = [{}];
  for (const range of ranges) {
    if (range.kind !== 'Categorical') continue;
    combinations = combinations.flatMap((partial) =>
      range.values.map((value) => ({ ...partial, [range.name]: value })),
    );
  }
  return combinations;
}

function draw(range: ParameterRange, random: () => number): string {
  if (range.kind === 'Categorical') return range.values[Math.floor(random() * range.values.length)]!;
  const { min, max } = range;
  const u = random();
  let value: number;
  if (range.scaling === 'Logarithmic') value = Math.exp(Math.log(min) + u * (Math.log(max) - Math.log(min)));
  else if (range.scaling === 'ReverseLogarithmic') {
    value = 1 - Math.exp(Math.log(1 - max) + u * (Math.log(1 - min) - Math.log(1 - max)));
  } else value = min + u * (max - min);
  if (range.kind === 'Integer') {
    return String(Math.min(max, Math.max(min, Math.round(value))));
  }
  return String(Math.min(max, Math.max(min, value)));
}

/** mulberry32: a small, fast PRNG; enough to make a tuning job's draws repeatable from its RandomSeed. */
function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
