import { isObject } from '../engine/definition/index.js';

/**
 * Cumulative weights for picking by weight: the last entry is the total. A variant with weight 0 gets no
 * traffic unless asked for by name (X-Amzn-SageMaker-Target-Variant), as on SageMaker.
 */
export function cumulativeWeights(weights: readonly number[]): Float64Array {
  const cumulative = new Float64Array(weights.length);
  let total = 0;
  weights.forEach((weight, index) => {
    total += Math.max(0, weight);
    cumulative[index] = total;
  });
  return cumulative;
}

/** The index whose weight range holds `random` ∈ [0, 1); -1 when every weight is 0. */
export function pickByWeight(cumulative: Float64Array, random: number): number {
  const total = cumulative.length > 0 ? cumulative[cumulative.length - 1]! : 0;
  if (total <= 0) return -1;
  const point = random * total;
  for (let index = 0; index < cumulative.length; index += 1) {
    if (point < cumulative[index]!) return index;
  }
  return cumulative.length - 1;
}

/** One stage of a blue/green traffic shift: this share of requests goes to the new fleet for `waitSeconds`. */
export interface ShiftStep {
  readonly newShare: number;
  readonly waitSeconds: number;
}

/** How an update moves traffic, from DeploymentConfig.BlueGreenUpdatePolicy (all at once when absent). */
export interface TrafficShiftPlan {
  /** Stages before all traffic moves; empty for ALL_AT_ONCE. */
  readonly steps: readonly ShiftStep[];
  /** TerminationWaitInSeconds: how long the old fleet stays up (idle) after all traffic moved. */
  readonly terminationWaitSeconds: number;
}

/**
 * The traffic stages of a blue/green update: CANARY sends CanarySize to the new fleet for
 * WaitIntervalInSeconds, LINEAR grows it by LinearStepSize every WaitIntervalInSeconds, ALL_AT_ONCE moves
 * everything when the new fleet answers /ping. Sizes are a share of the new fleet's instances
 * (INSTANCE_COUNT) or a percentage (CAPACITY_PERCENT). The config was checked when the update was accepted.
 */
export function trafficShiftPlan(deploymentConfig: unknown, newInstances: number): TrafficShiftPlan {
  const policy = isObject(deploymentConfig) ? deploymentConfig['BlueGreenUpdatePolicy'] : undefined;
  if (!isObject(policy)) return { steps: [], terminationWaitSeconds: 0 };
  const terminationWaitSeconds = Number(policy['TerminationWaitInSeconds'] ?? 0);
  const routing = isObject(policy['TrafficRoutingConfiguration']) ? policy['TrafficRoutingConfiguration'] : {};
  const waitSeconds = Number(routing['WaitIntervalInSeconds'] ?? 0);
  const share = (size: unknown): number => {
    if (!isObject(size)) return 1;
    const value = Number(size['Value']);
    const fraction = size['Type'] === 'INSTANCE_COUNT' ? value / Math.max(1, newInstances) : value / 100;
    return Math.min(1, Math.max(0, fraction));
  };
  const steps: ShiftStep[] = [];
  if (routing['Type'] === 'CANARY') {
    const canary = share(routing['CanarySize']);
    if (canary < 1) steps.push({ newShare: canary, waitSeconds });
  } else if (routing['Type'] === 'LINEAR') {
    const step = share(routing['LinearStepSize']);
    for (let moved = step; step > 0 && moved < 1 - 1e-9; moved += step) steps.push({ newShare: moved, waitSeconds });
  }
  return { steps, terminationWaitSeconds };
}
