import { randomUUID } from 'node:crypto';
import { availableParallelism } from 'node:os';
import type { ServerResponse } from 'node:http';
import type { InvocationRequest } from '../server/http-server.js';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { resourceArn, type ArnScope } from '../engine/naming.js';
import type { Logger } from '../server/logger.js';
import { validationException } from '../server/service-error.js';
import type { ObjectStore } from '../storage/object-store.js';
import { RuntimeManager } from '../runtimes/runtime-manager.js';
import type { EndpointRecord } from '../store/endpoint-repository.js';
import type { Tag } from '../store/pipeline-repository.js';
import type { Store } from '../store/store.js';
import { planDeployment } from './deployment-plan.js';
import { withoutFailure } from './endpoint-record-changes.js';
import { afterRestart, removeStaleFolders } from './endpoint-restart.js';
import { EndpointRollout } from './endpoint-rollout.js';
import { Fleet, type FleetOptions } from './fleet.js';
import { forwardInvocation } from './invocation-proxy.js';
import { InvocationLog } from './invocation-log.js';
import { routeInvocation } from './invocation-routing.js';
import { fleetsOf, LiveEndpoints, runInBackground, stopFleets, type LiveEndpoint } from './live-endpoint.js';
import { sendRuntimeError } from './runtime-errors.js';

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

/**
 * Endpoints' lifecycle and traffic. The database holds each endpoint's status and the deployment it serves;
 * this object holds the running model servers (fleets) and routes InvokeEndpoint to them.
 * - Create and update (blue/green) run in the background: see EndpointRollout.
 * - Invocations go to the serving fleet, or during a traffic shift to either fleet: see routeInvocation.
 * - Restart: InService endpoints are started again (invocations wait for them); an interrupted create is
 *   Failed, an interrupted update keeps the old fleet and says so in FailureReason (see afterRestart); a delete
 *   is finished.
 */
export class EndpointManager {
  private readonly live = new LiveEndpoints();
  /** Each endpoint's recent invocations with their latency (what CloudWatch would chart). */
  readonly invocations = new InvocationLog();
  private readonly runtimes: RuntimeManager;
  private readonly root: string;
  /** Aborted by close(): waits (draining included) end early. */
  private readonly closing = new AbortController();
  private readonly rollout: EndpointRollout;

  constructor(
    private readonly context: EndpointManagerContext,
    private readonly options: EndpointManagerOptions = {},
  ) {
    this.runtimes = options.runtimes ?? new RuntimeManager(options.hostEnv ? { env: options.hostEnv } : {});
    this.root = join(context.dataDir, 'endpoints');
    this.rollout = new EndpointRollout({
      startFleet: (endpointName, spec, signal) => Fleet.start(spec, this.fleetOptions(endpointName, signal)),
      writeRecord: (name, change) => this.write(name, change),
      drainTimeoutMs: options.drainTimeoutMs ?? 60_000,
      closed: this.closing.signal,
      log: context.log,
    });
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
    this.live.forget(request.name);
    const live = this.live.track(record);
    this.run(live, (signal) => this.rollout.create(live, spec, signal));
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
    const live = this.live.track(current);
    this.run(live, (signal) => this.rollout.update(live, spec, deploymentConfig, signal));
    return updated;
  }

  deleteEndpoint(name: string): void {
    const current = this.get(name);
    if (current.status === 'Deleting') return;
    this.write(current.name, (record) => ({ ...record, status: 'Deleting' }));
    const live = this.live.track(current);
    const previous = live.operation;
    previous?.controller.abort();
    this.run(live, async () => {
      await previous?.done;
      await stopFleets(live);
      await rm(this.endpointDir(current.name), { recursive: true, force: true });
      this.context.store.endpoints.delete(current.name);
      this.invocations.forget(current.name);
      this.live.forget(current.name, live);
    });
  }

  /** The model servers running for an endpoint (serving fleet first): for logs, tests and `slipway endpoints`. */
  modelServers(name: string): ModelServerInfo[] {
    const live = this.live.find(name);
    return fleetsOf(live).flatMap((fleet) =>
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
    for (let live = this.live.find(name); live?.operation; live = this.live.find(name)) {
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
    const live = this.live.find(name);
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
    const routed = routeInvocation(live, variant);
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
    await removeStaleFolders(this.root, records);
    let restarting = 0;
    for (const record of records) {
      const live = this.live.track(record);
      if (record.status === 'Deleting') {
        this.context.store.endpoints.delete(record.name);
        this.live.forget(record.name);
        await rm(this.endpointDir(record.name), { recursive: true, force: true });
        continue;
      }
      if (record.status === 'Creating' || record.status === 'Updating') this.write(record.name, afterRestart);
      const serving = record.serving;
      if (live.status === 'InService' && serving) {
        restarting += 1;
        const operation = this.run(live, (signal) => this.rollout.restore(live, serving, signal));
        live.restoring = operation.done;
      }
    }
    if (restarting > 0) this.context.log.info(`restarting the model servers of ${restarting} endpoint(s)`);
    return restarting;
  }

  /** Stops every model server; statuses stay as they are, so the next start brings the endpoints back. */
  async close(): Promise<void> {
    this.closing.abort();
    const all = this.live.all();
    for (const live of all) live.operation?.controller.abort();
    await Promise.all(all.map((live) => live.operation?.done));
    await Promise.all(all.map((live) => stopFleets(live)));
  }

  private run(live: LiveEndpoint, work: (signal: AbortSignal) => Promise<void>) {
    return runInBackground(live, work, this.closing.signal, this.context.log);
  }

  /** Reads the endpoint, applies `change` and writes it (with LastModifiedTime); undefined once deleted. */
  private write(name: string, change: (record: EndpointRecord) => EndpointRecord): EndpointRecord | undefined {
    const current = this.context.store.endpoints.get(name);
    if (!current) return undefined;
    const next = { ...change(current), modifiedAt: new Date() };
    this.context.store.endpoints.update(next);
    const live = this.live.find(name);
    if (live) live.status = next.status;
    return next;
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
}
