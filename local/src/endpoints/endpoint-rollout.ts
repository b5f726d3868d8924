import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from '../server/logger.js';
import type { DeploymentSpec, EndpointRecord } from '../store/endpoint-repository.js';
import { failureReason, withoutFailure, withoutPending } from './endpoint-record-changes.js';
import { limit, type Fleet } from './fleet.js';
import type { LiveEndpoint } from './live-endpoint.js';
import { trafficShiftPlan } from './traffic.js';

/** What a rollout needs from the endpoint manager. */
export interface RolloutContext {
  /** Starts the model servers of `spec` for the endpoint; aborting `signal` stops them and rejects. */
  startFleet(endpointName: string, spec: DeploymentSpec, signal: AbortSignal): Promise<Fleet>;
  /** Reads the stored endpoint, applies `change` and writes it; undefined once deleted. */
  writeRecord(name: string, change: (record: EndpointRecord) => EndpointRecord): EndpointRecord | undefined;
  /** How long an old fleet may finish its requests after traffic moved. */
  readonly drainTimeoutMs: number;
  /** Aborted when the local server closes: draining ends early. */
  readonly closed: AbortSignal;
  readonly log: Logger;
}

/**
 * Bringing fleets into service: the background work of CreateEndpoint, UpdateEndpoint (blue/green) and a
 * restart. Each step checks `signal` (aborted by DeleteEndpoint or close) and records the outcome in the
 * endpoint's stored status.
 */
export class EndpointRollout {
  constructor(private readonly context: RolloutContext) {}

  /** Creating → InService once every instance answers /ping, or Failed with the handler's error. */
  async create(live: LiveEndpoint, spec: DeploymentSpec, signal: AbortSignal): Promise<void> {
    const fleet = await this.startOrRecordFailure(live, spec, signal, (r, error) => ({
      ...withoutPending(r),
      status: 'Failed',
      failureReason: failureReason(error),
    }));
    if (!fleet) return;
    if (signal.aborted) return void (await fleet.stop());
    live.serving = fleet;
    this.context.writeRecord(live.name, (r) => ({
      ...withoutPending(withoutFailure(r)),
      status: 'InService',
      serving: spec,
    }));
  }

  /**
   * Blue/green: the new fleet starts beside the old one; traffic moves only when it answers /ping (all at once,
   * or by CANARY/LINEAR stages); the old fleet drains its in-flight requests, then stops. A new fleet that fails
   * leaves the old one serving: InService with FailureReason, the old config.
   */
  async update(
    live: LiveEndpoint,
    spec: DeploymentSpec,
    deploymentConfig: unknown,
    signal: AbortSignal,
  ): Promise<void> {
    if (live.restoring) await live.restoring;
    const fleet = await this.startOrRecordFailure(live, spec, signal, (r, error) => ({
      ...withoutPending(r),
      status: 'InService',
      failureReason: limit(
        `Updating to endpoint config ${spec.configName} failed; the endpoint still serves ${r.configName}. ${failureReason(error)}`,
      ),
    }));
    if (!fleet) return;
    const plan = trafficShiftPlan(
      deploymentConfig,
      spec.variants.reduce((sum, v) => sum + v.instanceCount, 0),
    );
    live.incoming = fleet;
    for (const step of plan.steps) {
      live.newShare = step.newShare;
      if (!(await wait(step.waitSeconds * 1000, signal))) break;
    }
    if (signal.aborted) {
      live.incoming = undefined;
      live.newShare = 0;
      await fleet.drain(this.context.drainTimeoutMs, this.context.closed);
      await fleet.stop();
      return;
    }
    const old = live.serving;
    live.serving = fleet;
    live.incoming = undefined;
    live.newShare = 0;
    // The traffic has moved: from here a crash leaves the new deployment serving (no `pending`).
    this.context.writeRecord(live.name, (r) => ({ ...withoutPending(r), configName: spec.configName, serving: spec }));
    await wait(plan.terminationWaitSeconds * 1000, signal);
    if (old) {
      if (!(await old.drain(this.context.drainTimeoutMs, this.context.closed))) {
        this.context.log.warn(`endpoint ${live.name}: the old fleet still had requests in flight when it was stopped`);
      }
      await old.stop();
    }
    if (!signal.aborted) this.context.writeRecord(live.name, (r) => ({ ...r, status: 'InService' }));
  }

  /** After a restart: the serving deployment's fleet starts again, or the endpoint is Failed. */
  async restore(live: LiveEndpoint, spec: DeploymentSpec, signal: AbortSignal): Promise<void> {
    try {
      const fleet = await this.context.startFleet(live.name, spec, signal);
      if (signal.aborted) return void (await fleet.stop());
      live.serving = fleet;
    } catch (error) {
      if (signal.aborted) return;
      this.context.writeRecord(live.name, (r) => ({
        ...r,
        status: 'Failed',
        failureReason: limit(
          `The endpoint could not be started again after the local server restarted: ${failureReason(error)}`,
        ),
      }));
    } finally {
      live.restoring = undefined;
    }
  }

  /**
   * Starts the fleet; when it cannot start, records `failed` in the endpoint (unless the work was aborted) and
   * resolves with undefined.
   */
  private async startOrRecordFailure(
    live: LiveEndpoint,
    spec: DeploymentSpec,
    signal: AbortSignal,
    failed: (record: EndpointRecord, error: unknown) => EndpointRecord,
  ): Promise<Fleet | undefined> {
    try {
      return await this.context.startFleet(live.name, spec, signal);
    } catch (error) {
      if (!signal.aborted) this.context.writeRecord(live.name, (r) => failed(r, error));
      return undefined;
    }
  }
}

/** Waits, or stops early when aborted; true when the whole time passed. */
async function wait(ms: number, signal: AbortSignal): Promise<boolean> {
  if (ms <= 0) return !signal.aborted;
  try {
    await sleep(ms, undefined, { signal });
    return true;
  } catch {
    return false;
  }
}
