import { randomUUID } from 'node:crypto';
import { availableParallelism } from 'node:os';
import type { ServerResponse } from 'node:http';
import type { InvocationRequest } from '../server/http-server.js';
import { readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { resourceArn, type ArnScope } from '../engine/naming.js';
import type { Logger } from '../server/logger.js';
import { validationException } from '../server/service-error.js';
import type { ObjectStore } from '../storage/object-store.js';
import { RuntimeManager } from '../runtimes/runtime-manager.js';
import type { DeploymentSpec, EndpointRecord, EndpointStatus } from '../store/endpoint-repository.js';
import type { Tag } from '../store/pipeline-repository.js';
import type { Store } from '../store/store.js';
import { planDeployment } from './deployment-plan.js';
import { Fleet, limit, type FleetOptions, type Instance } from './fleet.js';
import { forwardInvocation } from './invocation-proxy.js';
import { InvocationLog } from './invocation-log.js';
import { sendRuntimeError, type RuntimeError } from './runtime-errors.js';
import { trafficShiftPlan } from './traffic.js';

export interface EndpointManagerOptions {
  /** Image → Python runtime for the model servers. @default a RuntimeManager with default options */
  readonly runtimes?: RuntimeManager;
  /** How long a model server may take to load its model and answer /ping. @default 60 000 ms */
  readonly startTimeoutMs?: number;
  /** Grace between SIGTERM and SIGKILL when a model server stops. @default 10 000 ms */
  readonly stopGraceMs?: number;
  /** How long an old fleet may finish its requests after traffic moved. @default 60 000 ms */
  readonly drainTimeoutMs?: number;
  /** How long a container may take to answer one invocation (SageMaker: 60 s). @default 60 000 ms */
  readonly invocationTimeoutMs?: number;
  /** Environment read for the servers' pass-through variables. @default process.env */
  readonly hostEnv?: NodeJS.ProcessEnv;
  /**
   * Worker processes per model server when the model's container Environment does not set
   * SAGEMAKER_MODEL_SERVER_WORKERS (SageMaker's framework containers start one per CPU of the instance).
   * @default one per CPU of this machine
   */
  readonly modelServerWorkers?: number;
}

export interface EndpointManagerContext {
  readonly store: Store;
  readonly objects: ObjectStore;
  readonly scope: ArnScope;
  readonly log: Logger;
  readonly dataDir: string;
}

export interface CreateEndpointRequest {
  readonly name: string;
  readonly configName: string;
  readonly deploymentConfig?: Readonly<Record<string, unknown>>;
  readonly tags: readonly Tag[];
}

export interface UpdateEndpointRequest {
  readonly name: string;
  readonly configName: string;
  readonly retainAllVariantProperties?: boolean;
  readonly excludeRetainedVariantProperties?: ReadonlySet<string>;
  readonly deploymentConfig?: Readonly<Record<string, unknown>>;
  readonly retainDeploymentConfig?: boolean;
}

/** One running model server of an endpoint. */
export interface ModelServerInfo {
  readonly configName: string;
  readonly variantName: string;
  readonly pid: number;
  readonly url: string;
  readonly alive: boolean;
  readonly logFile: string;
  /** False for a blue/green update's new fleet before traffic has fully moved. */
  readonly serving: boolean;
}

/** What the manager keeps in memory per endpoint: its fleets, the traffic split and its background work. */
interface LiveEndpoint {
  /** As created: InvokeEndpoint must match this case. */
  readonly name: string;
  status: EndpointStatus;
  serving?: Fleet;
  /** A blue/green update's new fleet while it takes `newShare` of the traffic. */
  incoming?: Fleet;
  newShare: number;
  /** Set while the serving fleet is being started again after a restart: invocations wait for it. */
  restoring?: Promise<void>;
  operation?: { readonly controller: AbortController; readonly done: Promise<void> };
}

export const INTERRUPTED_CREATE =
  'The local server stopped while this endpoint was being created (it was killed or shut down); ' +
  'delete the endpoint and create it again.';
export const interruptedUpdate = (configName: string, serving: string) =>
  `The local server stopped while this endpoint was being updated to ${configName}; ` +
  `the update did not happen and the endpoint serves ${serving}. Call UpdateEndpoint again.`;

/**
 * Endpoints' lifecycle and traffic. The database holds each endpoint's status and the deployment it serves;
 * this object holds the running model servers (fleets) and routes InvokeEndpoint to them.
 * - Create: Creating → InService once every instance answers /ping, or Failed with the handler's error.
 * - Update (blue/green): the new fleet starts beside the old one; traffic moves only when it answers /ping
 *   (all at once, or by CANARY/LINEAR stages); the old fleet drains its in-flight requests, then stops.
 *   A new fleet that fails leaves the old one serving: InService with FailureReason, the old config.
 * - Restart: InService endpoints are started again (invocations wait for them); an interrupted create is
 *   Failed, an interrupted update keeps the old fleet and says so in FailureReason; a delete is finished.
 */
export class EndpointManager {
  private readonly live = new Map<string, LiveEndpoint>();
  /** Each endpoint's recent invocations with their latency (what CloudWatch would chart). */
  readonly invocations = new InvocationLog();
  private readonly runtimes: RuntimeManager;
  private readonly root: string;
  /** Aborted by close(): waits (draining included) end early. */
  private readonly closing = new AbortController();
  private get closedSignal(): AbortSignal {
    return this.closing.signal;
  }

  constructor(
    private readonly context: EndpointManagerContext,
    private readonly options: EndpointManagerOptions = {},
  ) {
    this.runtimes = options.runtimes ?? new RuntimeManager(options.hostEnv ? { env: options.hostEnv } : {});
    this.root = join(context.dataDir, 'endpoints');
  }

  arn(name: string): string {
    return resourceArn(this.context.scope, 'endpoint', name);
  }

  get(name: string): EndpointRecord {
    const record = this.context.store.endpoints.get(name);
    if (!record) throw validationException(`Could not find endpoint "${this.arn(name)}".`);
    return record;
  }

  createEndpoint(request: CreateEndpointRequest): EndpointRecord {
    const { store, scope } = this.context;
    const existing = store.endpoints.get(request.name);
    if (existing) throw validationException(`Cannot create already existing endpoint "${this.arn(existing.name)}".`);
    const spec = planDeployment(store, scope, this.config(request.configName));
    const now = new Date();
    const record: EndpointRecord = {
      name: request.name,
      arn: this.arn(request.name),
      configName: spec.configName,
      status: 'Creating',
      pending: spec,
      ...(request.deploymentConfig ? { deploymentConfig: request.deploymentConfig } : {}),
      tags: request.tags,
      createdAt: now,
      modifiedAt: now,
    };
    store.endpoints.insert(record);
    const live: LiveEndpoint = { name: request.name, status: 'Creating', newShare: 0 };
    this.live.set(key(request.name), live);
    this.run(live, (signal) => this.create(live, spec, signal));
    return record;
  }

  updateEndpoint(request: UpdateEndpointRequest): EndpointRecord {
    const current = this.get(request.name);
    if (current.status === 'Failed') {
      throw validationException(
        `Cannot update failed endpoint "${current.arn}". DeleteEndpoint is the only operation that can be performed on a failed endpoint.`,
      );
    }
    if (current.status !== 'InService')
      throw validationException(`Cannot update in-progress endpoint "${current.arn}".`);
    const spec = planDeployment(this.context.store, this.context.scope, this.config(request.configName), {
      ...(request.retainAllVariantProperties && current.serving ? { retainFrom: current.serving } : {}),
      ...(request.excludeRetainedVariantProperties ? { exclude: request.excludeRetainedVariantProperties } : {}),
    });
    const deploymentConfig =
      request.deploymentConfig ?? (request.retainDeploymentConfig ? current.deploymentConfig : undefined);
    const updated = this.write(current.name, (record) => ({
      ...withoutFailure(record),
      status: 'Updating',
      pending: spec,
      ...(deploymentConfig ? { deploymentConfig } : {}),
    }))!;
    const live = this.liveFor(current);
    this.run(live, (signal) => this.update(live, spec, deploymentConfig, signal));
    return updated;
  }

  deleteEndpoint(name: string): void {
    const current = this.get(name);
    if (current.status === 'Deleting') return;
    this.write(current.name, (record) => ({ ...record, status: 'Deleting' }));
    const live = this.liveFor(current);
    const previous = live.operation;
    previous?.controller.abort();
    this.run(live, async () => {
      await previous?.done;
      await this.stopFleets(live);
      await rm(this.endpointDir(current.name), { recursive: true, force: true });
      this.context.store.endpoints.delete(current.name);
      this.invocations.forget(current.name);
      if (this.live.get(key(current.name)) === live) this.live.delete(key(current.name));
    });
  }

  /** The model servers running for an endpoint (serving fleet first): for logs, tests and `slipway endpoints`. */
  modelServers(name: string): ModelServerInfo[] {
    const live = this.live.get(key(name));
    const fleets = [live?.serving, live?.incoming].filter((fleet): fleet is Fleet => fleet !== undefined);
    return fleets.flatMap((fleet) =>
      fleet.variants.flatMap((pool) =>
        pool.instances.map((instance, index) => ({
          configName: fleet.spec.configName,
          variantName: pool.name,
          pid: instance.server.pid,
          url: instance.server.url,
          alive: instance.alive,
          logFile: pool.logFile(index),
          serving: fleet === live?.serving,
        })),
      ),
    );
  }

  /** Resolves when the endpoint's background work (create, update, delete) has finished. */
  async settled(name: string): Promise<void> {
    for (let live = this.live.get(key(name)); live?.operation; live = this.live.get(key(name))) {
      await live.operation.done;
    }
  }

  /** `POST /endpoints/{name}/invocations`: the local server's InvocationHandler. */
  readonly invoke = async (name: string, request: InvocationRequest, response: ServerResponse): Promise<void> => {
    const requestId = randomUUID();
    const arrived = new Date();
    const started = performance.now();
    response.once('finish', () => {
      const variant = response.getHeader('x-Amzn-Invoked-Production-Variant');
      this.invocations.record(name, {
        at: arrived,
        latencyMs: performance.now() - started,
        status: response.statusCode,
        ...(typeof variant === 'string' ? { variant } : {}),
      });
    });
    const live = this.live.get(key(name));
    if (!live || live.name !== name || live.status === 'Deleting') {
      return sendRuntimeError(
        response,
        { code: 'ValidationError', message: `Endpoint ${name} of account ${this.context.scope.accountId} not found.` },
        requestId,
      );
    }
    if (!live.serving && live.restoring) await live.restoring;
    const target = request.headers['x-amzn-sagemaker-target-variant'];
    const variant = typeof target === 'string' && target !== '' ? target : undefined;
    const routed = this.route(live, variant);
    if ('code' in routed) return sendRuntimeError(response, routed, requestId);
    forwardInvocation(
      request,
      response,
      {
        ...routed,
        logStreamArn: `arn:aws:logs:${this.context.scope.region}:${this.context.scope.accountId}:log-group:/aws/sagemaker/Endpoints/${live.name}`,
        timeoutMs: this.options.invocationTimeoutMs ?? 60_000,
      },
      requestId,
    );
  };

  /**
   * After a restart, before serving: InService endpoints get their fleets back (in the background;
   * invocations wait), interrupted creates are Failed, interrupted updates keep the old fleet, deletes finish.
   * Leftover model copies of the previous run are removed. Resolves with how many endpoints are restarting.
   */
  async recover(): Promise<number> {
    const records = this.context.store.endpoints.list();
    await this.removeStaleFolders(records);
    let restarting = 0;
    for (const record of records) {
      const live = this.liveFor(record);
      if (record.status === 'Deleting') {
        this.context.store.endpoints.delete(record.name);
        this.live.delete(key(record.name));
        await rm(this.endpointDir(record.name), { recursive: true, force: true });
        continue;
      }
      if (record.status === 'Creating') {
        this.write(record.name, (r) => ({ ...withoutPending(r), status: 'Failed', failureReason: INTERRUPTED_CREATE }));
        continue;
      }
      if (record.status === 'Updating') {
        this.write(record.name, (r) => ({
          ...withoutPending(r),
          status: 'InService',
          ...(r.pending ? { failureReason: interruptedUpdate(r.pending.configName, r.configName) } : {}),
        }));
      }
      const serving = record.serving;
      if (live.status === 'InService' && serving) {
        restarting += 1;
        this.run(live, (signal) => this.restore(live, serving, signal));
        live.restoring = live.operation!.done;
      }
    }
    if (restarting > 0) this.context.log.info(`restarting the model servers of ${restarting} endpoint(s)`);
    return restarting;
  }

  /** Stops every model server; statuses stay as they are, so the next start brings the endpoints back. */
  async close(): Promise<void> {
    this.closing.abort();
    const all = [...this.live.values()];
    for (const live of all) live.operation?.controller.abort();
    await Promise.all(all.map((live) => live.operation?.done));
    await Promise.all(all.map((live) => this.stopFleets(live)));
  }

  private route(live: LiveEndpoint, variant: string | undefined): { fleet: Fleet; instance: Instance } | RuntimeError {
    const first = live.incoming && Math.random() < live.newShare ? live.incoming : live.serving;
    if (!first) {
      return runtimeError(
        'ValidationError',
        `Endpoint ${live.name} is ${live.status}: it takes requests once it is InService.`,
      );
    }
    let fleet = first;
    let picked = first.pick(variant);
    // During a blue/green shift a named variant may exist in one fleet only.
    const other = first === live.serving ? live.incoming : live.serving;
    if ('problem' in picked && picked.problem === 'unknown-variant' && other) {
      const again = other.pick(variant);
      if (!('problem' in again) || again.problem !== 'unknown-variant') {
        fleet = other;
        picked = again;
      }
    }
    if (!('problem' in picked)) return { fleet, instance: picked };
    if (picked.problem === 'unknown-variant') {
      return runtimeError(
        'ValidationError',
        `Endpoint ${live.name} has no production variant ${variant}; its variants: ${picked.variants.join(', ')}.`,
      );
    }
    if (picked.problem === 'no-weight') {
      return runtimeError(
        'ValidationError',
        `Every production variant of endpoint ${live.name} has weight 0: name one in X-Amzn-SageMaker-Target-Variant.`,
      );
    }
    return runtimeError(
      'ServiceUnavailable',
      `The model server of variant ${picked.variant} of endpoint ${live.name} exited and is being restarted; try again.`,
    );
  }

  private async create(live: LiveEndpoint, spec: DeploymentSpec, signal: AbortSignal): Promise<void> {
    let fleet: Fleet;
    try {
      fleet = await Fleet.start(spec, this.fleetOptions(live.name, signal));
    } catch (error) {
      if (signal.aborted) return;
      this.write(live.name, (r) => ({ ...withoutPending(r), status: 'Failed', failureReason: reason(error) }));
      return;
    }
    if (signal.aborted) return void (await fleet.stop());
    live.serving = fleet;
    this.write(live.name, (r) => ({ ...withoutPending(withoutFailure(r)), status: 'InService', serving: spec }));
  }

  private async update(
    live: LiveEndpoint,
    spec: DeploymentSpec,
    deploymentConfig: unknown,
    signal: AbortSignal,
  ): Promise<void> {
    if (live.restoring) await live.restoring;
    let fleet: Fleet;
    try {
      fleet = await Fleet.start(spec, this.fleetOptions(live.name, signal));
    } catch (error) {
      if (signal.aborted) return;
      this.write(live.name, (r) => ({
        ...withoutPending(r),
        status: 'InService',
        failureReason: limit(
          `Updating to endpoint config ${spec.configName} failed; the endpoint still serves ${r.configName}. ${reason(error)}`,
        ),
      }));
      return;
    }
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
      await fleet.drain(this.options.drainTimeoutMs ?? 60_000, this.closedSignal);
      await fleet.stop();
      return;
    }
    const old = live.serving;
    live.serving = fleet;
    live.incoming = undefined;
    live.newShare = 0;
    // The traffic has moved: from here a crash leaves the new deployment serving (no `pending`).
    this.write(live.name, (r) => ({ ...withoutPending(r), configName: spec.configName, serving: spec }));
    await wait(plan.terminationWaitSeconds * 1000, signal);
    if (old) {
      if (!(await old.drain(this.options.drainTimeoutMs ?? 60_000, this.closedSignal))) {
        this.context.log.warn(`endpoint ${live.name}: the old fleet still had requests in flight when it was stopped`);
      }
      await old.stop();
    }
    if (!signal.aborted) this.write(live.name, (r) => ({ ...r, status: 'InService' }));
  }

  private async restore(live: LiveEndpoint, spec: DeploymentSpec, signal: AbortSignal): Promise<void> {
    try {
      const fleet = await Fleet.start(spec, this.fleetOptions(live.name, signal));
      if (signal.aborted) return void (await fleet.stop());
      live.serving = fleet;
    } catch (error) {
      if (signal.aborted) return;
      this.write(live.name, (r) => ({
        ...r,
        status: 'Failed',
        failureReason: limit(
          `The endpoint could not be started again after the local server restarted: ${reason(error)}`,
        ),
      }));
    } finally {
      live.restoring = undefined;
    }
  }

  private run(live: LiveEndpoint, work: (signal: AbortSignal) => Promise<void>): void {
    const controller = new AbortController();
    if (this.closing.signal.aborted) controller.abort();
    const operation = {
      controller,
      done: work(controller.signal)
        .catch((error: unknown) => this.context.log.error(`endpoint ${live.name}: background work failed`, error))
        .finally(() => {
          if (live.operation === operation) live.operation = undefined;
        }),
    };
    live.operation = operation;
  }

  private async stopFleets(live: LiveEndpoint): Promise<void> {
    const fleets = [live.serving, live.incoming].filter((fleet): fleet is Fleet => fleet !== undefined);
    live.serving = undefined;
    live.incoming = undefined;
    await Promise.all(fleets.map((fleet) => fleet.stop()));
  }

  /** Reads the endpoint, applies `change` and writes it (with LastModifiedTime); undefined once deleted. */
  private write(name: string, change: (record: EndpointRecord) => EndpointRecord): EndpointRecord | undefined {
    const current = this.context.store.endpoints.get(name);
    if (!current) return undefined;
    const next = { ...change(current), modifiedAt: new Date() };
    this.context.store.endpoints.update(next);
    const live = this.live.get(key(name));
    if (live) live.status = next.status;
    return next;
  }

  private liveFor(record: EndpointRecord): LiveEndpoint {
    let live = this.live.get(key(record.name));
    if (!live) {
      live = { name: record.name, status: record.status, newShare: 0 };
      this.live.set(key(record.name), live);
    }
    return live;
  }

  private config(name: string) {
    const config = this.context.store.endpoints.config(name);
    if (!config) {
      throw validationException(
        `Could not find endpoint configuration "${resourceArn(this.context.scope, 'endpoint-config', name)}".`,
      );
    }
    return config;
  }

  private endpointDir(name: string): string {
    return join(this.root, name.toLowerCase());
  }

  private fleetOptions(name: string, signal: AbortSignal): FleetOptions {
    return {
      endpointName: name,
      endpointDir: this.endpointDir(name),
      objects: this.context.objects,
      runtimes: this.runtimes,
      startTimeoutMs: this.options.startTimeoutMs ?? 60_000,
      stopGraceMs: this.options.stopGraceMs ?? 10_000,
      defaultWorkers: this.options.modelServerWorkers ?? availableParallelism(),
      log: this.context.log,
      signal,
      ...(this.options.hostEnv ? { hostEnv: this.options.hostEnv } : {}),
    };
  }

  /** Model copies of a previous run (its servers are gone) and folders of endpoints that no longer exist. */
  private async removeStaleFolders(records: readonly EndpointRecord[]): Promise<void> {
    const known = new Set(records.map((record) => record.name.toLowerCase()));
    let entries: string[] = [];
    try {
      entries = await readdir(this.root);
    } catch {
      return;
    }
    await Promise.all(
      entries.map((entry) =>
        rm(known.has(entry) ? join(this.root, entry, 'work') : join(this.root, entry), {
          recursive: true,
          force: true,
        }),
      ),
    );
  }
}

function key(name: string): string {
  return name.toLowerCase();
}

function runtimeError(code: RuntimeError['code'], message: string): RuntimeError {
  return { code, message };
}

function reason(error: unknown): string {
  return limit(error instanceof Error ? error.message : String(error));
}

function withoutPending(record: EndpointRecord): EndpointRecord {
  const { pending: _pending, ...rest } = record;
  return rest;
}

function withoutFailure(record: EndpointRecord): EndpointRecord {
  const { failureReason: _failure, ...rest } = record;
  return rest;
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
