import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { ModelDataError, ModelServerError, startModelServer, type ModelServer } from '../serving/model-server.js';
import type { Logger } from '../server/logger.js';
import { parseS3Uri } from '../storage/object-key.js';
import type { ObjectStore } from '../storage/object-store.js';
import type { RuntimeManager } from '../runtimes/runtime-manager.js';
import type { DeploymentSpec, VariantSpec } from '../store/endpoint-repository.js';
import { DataCapture } from './data-capture.js';
import { withWorkers } from './model-container.js';
import { ModelServerClient } from './model-server-client.js';
import { cumulativeWeights, pickByWeight } from './traffic.js';

/** SageMaker's FailureReason holds at most 1024 characters. */
const FAILURE_REASON_MAX = 1024;
/** Restarts of a model server that exits on its own, before its instance is left out of rotation. */
const MAX_RESTARTS = 3;

export interface FleetOptions {
  readonly endpointName: string;
  /** `<dataDir>/endpoints/<endpoint>`: the fleet's model copies go under `work/`, server output under `logs/`. */
  readonly endpointDir: string;
  readonly objects: ObjectStore;
  readonly runtimes: RuntimeManager;
  /** Loading the model and answering /ping, per server, unless the variant says otherwise. */
  readonly startTimeoutMs: number;
  readonly stopGraceMs: number;
  /** SAGEMAKER_MODEL_SERVER_WORKERS for containers whose Environment does not set it. */
  readonly defaultWorkers: number;
  readonly log: Logger;
  readonly hostEnv?: NodeJS.ProcessEnv;
  /** Aborting stops whatever was started and rejects with a FleetStartError. */
  readonly signal?: AbortSignal;
}

/** A fleet could not start; the message is ready to be an endpoint's FailureReason. */
export class FleetStartError extends Error {
  override readonly name = 'FleetStartError';
}

/** One instance of a variant: a model server and the keep-alive connections the proxy reuses. */
export class Instance {
  /** Requests sent and not yet answered. */
  inflight = 0;
  alive = true;
  private current: ModelServer;
  /** Connections to the current server. */
  client: ModelServerClient;

  constructor(
    readonly variant: VariantPool,
    server: ModelServer,
  ) {
    this.current = server;
    this.client = new ModelServerClient(server.port);
  }

  get server(): ModelServer {
    return this.current;
  }

  /** A restarted model server takes the instance's place; connections to the old one are closed. */
  set server(server: ModelServer) {
    if (server === this.current) return;
    this.client.close();
    this.current = server;
    this.client = new ModelServerClient(server.port);
  }
}

/** The instances of one production variant, picked least-busy first. */
export class VariantPool {
  readonly instances: Instance[] = [];
  constructor(
    readonly spec: VariantSpec,
    readonly logFile: (index: number) => string,
  ) {}

  get name(): string {
    return this.spec.variantName;
  }

  leastBusy(): Instance | undefined {
    let best: Instance | undefined;
    for (const instance of this.instances) {
      if (instance.alive && (!best || instance.inflight < best.inflight)) best = instance;
    }
    return best;
  }
}

/** Why a request cannot be routed to an instance of this fleet. */
export type RoutingProblem =
  | { readonly problem: 'unknown-variant'; readonly variants: readonly string[] }
  | { readonly problem: 'no-weight' }
  | { readonly problem: 'unavailable'; readonly variant: string };

/**
 * The model servers of one deployment: every instance of every variant, started together (the fleet exists
 * only once all of them answer /ping), routed by variant weight, drained and stopped together. A server that
 * exits on its own is restarted, as SageMaker replaces an unhealthy instance.
 */
export class Fleet {
  /** Requests in flight across the fleet: what draining waits for. */
  inflight = 0;
  private readonly pools: VariantPool[];
  private readonly byName: Map<string, VariantPool>;
  private readonly cumulative: Float64Array;
  private stopping?: Promise<void>;
  private drained?: (() => void) | undefined;
  private readonly workDir: string;
  /** The deployment's DataCaptureConfig at work, when it captures anything. */
  readonly capture?: DataCapture;

  private constructor(
    readonly spec: DeploymentSpec,
    private readonly options: FleetOptions,
  ) {
    this.workDir = join(options.endpointDir, 'work', spec.id);
    this.pools = spec.variants.map(
      (variant) =>
        new VariantPool(variant, (index) =>
          join(options.endpointDir, 'logs', variant.variantName, `instance-${index + 1}.log`),
        ),
    );
    this.byName = new Map(this.pools.map((pool) => [pool.name, pool]));
    this.cumulative = cumulativeWeights(spec.variants.map((variant) => variant.weight));
    const capture = DataCapture.for(spec.dataCapture, options.endpointName, options.objects, options.log);
    if (capture) this.capture = capture;
  }

  /** Starts every instance; resolves once all answer /ping, or stops them all and rejects with FleetStartError. */
  static async start(spec: DeploymentSpec, options: FleetOptions): Promise<Fleet> {
    const fleet = new Fleet(spec, options);
    try {
      await Promise.all(fleet.pools.map((pool) => fleet.startPool(pool)));
      if (options.signal?.aborted) throw new FleetStartError('the deployment was cancelled');
      return fleet;
    } catch (error) {
      await fleet.stop();
      throw error instanceof FleetStartError ? error : new FleetStartError(reasonOf(error));
    }
  }

  get variants(): readonly VariantPool[] {
    return this.pools;
  }

  /** An instance for a request: of the named variant, else of a variant picked by weight. */
  pick(targetVariant: string | undefined): Instance | RoutingProblem {
    let pool: VariantPool | undefined;
    if (targetVariant !== undefined) {
      pool = this.byName.get(targetVariant);
      if (!pool) return { problem: 'unknown-variant', variants: [...this.byName.keys()] };
    } else {
      const index = pickByWeight(this.cumulative, Math.random());
      if (index < 0) return { problem: 'no-weight' };
      pool = this.pools[index]!;
    }
    return pool.leastBusy() ?? { problem: 'unavailable', variant: pool.name };
  }

  /** Counts a request in; `release` must be called exactly once when it is answered or abandoned. */
  acquire(instance: Instance): void {
    instance.inflight += 1;
    this.inflight += 1;
  }

  release(instance: Instance): void {
    instance.inflight -= 1;
    this.inflight -= 1;
    if (this.inflight === 0 && this.drained) this.drained();
  }

  /**
   * Resolves true when no request is in flight (new ones must already go elsewhere); false after `timeoutMs`
   * or when `signal` aborts first.
   */
  async drain(timeoutMs: number, signal?: AbortSignal): Promise<boolean> {
    if (this.inflight === 0) return true;
    if (signal?.aborted) return false;
    return new Promise<boolean>((resolve) => {
      const finish = (drained: boolean) => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', abandon);
        this.drained = undefined;
        resolve(drained);
      };
      const abandon = () => finish(false);
      const timer = setTimeout(abandon, timeoutMs);
      signal?.addEventListener('abort', abandon, { once: true });
      this.drained = () => finish(true);
    });
  }

  /** Stops every server (SIGTERM, then SIGKILL after the grace), closes connections, removes the model copies. */
  stop(): Promise<void> {
    this.stopping ??= (async () => {
      const instances = this.pools.flatMap((pool) => pool.instances);
      for (const instance of instances) instance.alive = false;
      await Promise.all(instances.map((instance) => instance.server.stop()));
      for (const instance of instances) instance.client.close();
      await this.capture?.flush();
      await rm(this.workDir, { recursive: true, force: true });
    })();
    return this.stopping;
  }

  private async startPool(pool: VariantPool): Promise<void> {
    const modelTarGz = await this.fetchModel(pool.spec);
    const servers = await Promise.allSettled(
      Array.from({ length: pool.spec.instanceCount }, (_, index) => this.startServer(pool, index, modelTarGz, 0)),
    );
    for (const settled of servers) {
      if (settled.status === 'fulfilled') this.adopt(pool, settled.value, modelTarGz);
    }
    const failed = servers.find((settled) => settled.status === 'rejected');
    if (failed) {
      const log = pool.logFile(servers.indexOf(failed));
      const error: unknown = failed.reason;
      // The model data was refused before any server ran (an unsafe or broken archive): say that, not "ping".
      if (error instanceof ModelDataError) {
        throw new FleetStartError(
          limit(
            `Failed to extract model data archive for production variant ${pool.name} from ` +
              `${pool.spec.container.modelDataUrl ?? 'its model data'}: ${error.message}`,
          ),
        );
      }
      // The handler's own error (the last line of its traceback) first; the whole story after it.
      const last = error instanceof ModelServerError ? lastLine(error.stderr) : undefined;
      throw new FleetStartError(
        limit(
          `The primary container for production variant ${pool.name} did not pass the ping health check: ` +
            `${last ? `${last}. Log: ${log}. ${reasonOf(error)}` : `${reasonOf(error)} (log: ${log})`}`,
        ),
      );
    }
  }

  private async fetchModel(variant: VariantSpec): Promise<string | undefined> {
    const url = variant.container.modelDataUrl;
    if (url === undefined) return undefined;
    const location = parseS3Uri(url, `model ${variant.modelName} ModelDataUrl`);
    const file = join(this.workDir, `${variant.variantName}.model.tar.gz`);
    await mkdir(this.workDir, { recursive: true });
    if (!(await this.options.objects.getToFile(location.bucket, location.key, file))) {
      throw new FleetStartError(
        `Failed to download model data for production variant ${variant.variantName} (model ${variant.modelName}): ` +
          `there is no object at ${url} in the local object store.`,
      );
    }
    return file;
  }

  private async startServer(
    pool: VariantPool,
    index: number,
    modelTarGz: string | undefined,
    restart: number,
  ): Promise<ModelServer> {
    if (this.options.signal?.aborted || this.stopping) throw new FleetStartError('the deployment was cancelled');
    const workDir = join(this.workDir, `${pool.name}-${index + 1}${restart > 0 ? `-r${restart}` : ''}`);
    let modelDataDir: string | undefined;
    if (modelTarGz === undefined) {
      modelDataDir = join(workDir, 'empty-model');
      await mkdir(modelDataDir, { recursive: true });
    }
    const timeout = pool.spec.startupTimeoutSeconds;
    return startModelServer({
      ...(modelTarGz !== undefined ? { modelTarGz } : { modelDataDir: modelDataDir! }),
      image: pool.spec.container.image,
      environment: withWorkers(pool.spec.container.environment, this.options.defaultWorkers),
      runtimes: this.options.runtimes,
      store: this.options.objects,
      workDir,
      logFile: pool.logFile(index),
      startTimeoutMs: timeout !== undefined ? timeout * 1000 : this.options.startTimeoutMs,
      stopGraceMs: this.options.stopGraceMs,
      ...(this.options.hostEnv ? { hostEnv: this.options.hostEnv } : {}),
      ...(this.options.signal ? { signal: this.options.signal } : {}),
    });
  }

  /** Puts a started server into rotation and watches it: one that exits on its own is restarted. */
  private adopt(pool: VariantPool, server: ModelServer, modelTarGz: string | undefined, slot?: Instance): void {
    const instance = slot ?? new Instance(pool, server);
    instance.server = server;
    instance.alive = true;
    if (!slot) pool.instances.push(instance);
    const index = pool.instances.indexOf(instance);
    void server.exited.then(async (exit) => {
      if (this.stopping) return;
      instance.alive = false;
      const { log, endpointName } = this.options;
      log.warn(
        `endpoint ${endpointName}: the model server of variant ${pool.name} (instance ${index + 1}) exited ` +
          `(${exit.code ?? exit.signal}); restarting it. Its output: ${pool.logFile(index)}`,
      );
      for (let attempt = 1; attempt <= MAX_RESTARTS && !this.stopping; attempt += 1) {
        try {
          const replacement = await this.startServer(pool, index, modelTarGz, attempt);
          if (this.stopping) return void (await replacement.stop());
          await server.stop();
          return this.adopt(pool, replacement, modelTarGz, instance);
        } catch (error) {
          log.warn(`endpoint ${endpointName}: restart ${attempt} of variant ${pool.name} failed: ${reasonOf(error)}`);
          await new Promise((resolve) => setTimeout(resolve, 1000 * 2 ** (attempt - 1)));
        }
      }
      log.error(`endpoint ${endpointName}: variant ${pool.name} instance ${index + 1} is out of rotation`);
    });
  }
}

function lastLine(text: string): string | undefined {
  return text
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean)
    .at(-1);
}

function reasonOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * Fits a reason into FailureReason's 1024 characters, keeping its beginning (what failed) and its end (the
 * handler's error, the last line of a traceback).
 */
export function limit(reason: string): string {
  const text = reason.replace(/\s*\n\s*/g, ' | ').trim();
  if (text.length <= FAILURE_REASON_MAX) return text;
  const head = text.slice(0, 300);
  return `${head} … ${text.slice(text.length - (FAILURE_REASON_MAX - head.length - 3))}`;
}
