import { randomBytes } from 'node:crypto';
import { readFile, readdir, rename, rm, mkdir } from 'node:fs/promises';
import { resolve, join } from 'node:path';
import {
  LOCAL_ACCESS_KEY_ID,
  LOCAL_ACCOUNT_ID,
  ValidationError,
  isProcessAlive,
  type AwsCredentials,
} from '@slipway/core';
import { AccountDirectory, type AccountResources } from './accounts/account-directory.js';
import { CrossAccountAccess } from './accounts/cross-account.js';
import { BUILT_IN_OPERATION_MODULES } from './api/index.js';
import { CallbackTokens } from './callbacks/callback-tokens.js';
import { LocalQueues } from './callbacks/local-queues.js';
import type { OperationModuleFactory, ServiceContext } from './api/service-context.js';
import { EndpointManager, type EndpointManagerOptions } from './endpoints/endpoint-manager.js';
import { createDefaultRunners } from './runners/default-runners.js';
import { JobService, type WorkDirRetention } from './jobs/job-service.js';
import { PipelineEngine } from './engine/pipeline-engine.js';
import { LocalLambdaFunctions, type LambdaFunctionsConfig } from './engine/steps/lambda-functions.js';
import { EventBus, type EventBusOptions, type RuleDefinition } from './events/event-bus.js';
import { ModelRegistry } from './registry/model-registry.js';
import type { JobKind, JobRunner } from './runners/job-runner.js';
import { S3Api } from './s3/s3-api.js';
import {
  LOCAL_HOST,
  createRequestListener,
  createServer,
  listenLocal,
  type InvocationHandler,
  type RouteHandler,
} from './server/http-server.js';
import { GracefulClose } from './server/graceful-close.js';
import { consoleLogger, type Logger } from './server/logger.js';
import { OperationRegistry } from './server/operation-registry.js';
import { OWNER_ONLY_DIR, loadServerSecret, restrictDataDir, writeOwnerOnly } from './server/server-secret.js';
import { ObjectStore } from './storage/object-store.js';
import { Store } from './store/store.js';

/** How long an idle keep-alive connection stays open (advertised in `Keep-Alive: timeout=…`). */
const KEEP_ALIVE_TIMEOUT_MS = 65_000;

export const DEFAULT_REGION = 'us-east-1';
export const DEFAULT_DATA_DIR = '.slipway';
/** The port `slipway local up` uses when none is given (the function itself defaults to any free port). */
export const DEFAULT_PORT = 7700;
export const SERVER_FILE = 'server.json';

export interface LocalServiceOptions {
  /** Where the database, objects and job sandboxes live. */
  readonly dataDir: string;
  readonly region?: string;
  readonly accountId?: string;
  /** Job runners by kind. @default the subprocess runners of `createDefaultRunners()` */
  readonly runners?: Partial<Record<JobKind, JobRunner>>;
  /** Event rules registered at start (in addition to those saved by earlier runs). */
  readonly rules?: readonly RuleDefinition[];
  /** A JSON file with rules: `[{name, eventPattern, targets: [{id, type: "command"|"http", ...}]}]`. */
  readonly rulesFile?: string;
  readonly events?: EventBusOptions;
  readonly logger?: Logger;
  /** Largest S3 object. Default 5 GiB. */
  readonly maxObjectBytes?: number;
  /** Which job sandboxes to keep after a job ends. Default "failed". */
  readonly keepJobWorkDirs?: WorkDirRetention;
  /** More operation modules, added after the built-in ones. */
  readonly operationModules?: readonly OperationModuleFactory[];
  /** Model servers behind endpoints: runtimes, start/stop/drain timeouts. */
  readonly endpoints?: EndpointManagerOptions;
  /**
   * The project's `local.lambdaFunctions` (with its root): the local handlers Lambda steps run.
   * @default none: every Lambda step is refused at CreatePipeline, naming the setting
   */
  readonly lambdaFunctions?: LambdaFunctionsConfig;
}

export interface LocalServerOptions extends LocalServiceOptions {
  /** TCP port; 0 (the default) picks a free one. */
  readonly port?: number;
  /** Only 127.0.0.1 is accepted: the server runs jobs on request. */
  readonly host?: string;
  /** Largest SageMaker/EventBridge request body. Default 2 MiB. */
  readonly maxJsonBodyBytes?: number;
  /** Serves `POST /endpoints/{name}/invocations`. @default the endpoints' own proxy to their model servers */
  readonly invocations?: InvocationHandler;
  /** How long close() lets requests in flight finish before it cuts their connections. @default 10 000 ms */
  readonly closeGraceMs?: number;
  /**
   * More routes on the server's port (the console's), each made once the service is open and answered before
   * S3. A mounted route authenticates its own requests.
   * @default none
   */
  readonly routes?: readonly LocalRouteFactory[];
}

/** A route mounted on the local server's port, with what it must do when the server closes. */
export interface MountedRoute {
  readonly handle: RouteHandler;
  /** Called as the server starts closing, before it waits for requests in flight: end long-lived responses. */
  close?(): void | Promise<void>;
}

/** Makes a route over the opened service (before the port listens). */
export type LocalRouteFactory = (service: LocalService) => MountedRoute | Promise<MountedRoute>;

export interface LocalServer extends LocalService {
  /** `http://127.0.0.1:<port>`: the endpoint for every SDK client and for AWS_ENDPOINT_URL. */
  readonly url: string;
  readonly port: number;
  /**
   * Stops listening, lets requests in flight finish (within `closeGraceMs`), stops model servers (aborting
   * those still loading), ends running executions (Failed, with a reason) and closes the database.
   */
  close(): Promise<void>;
}

/**
 * What `<dataDir>/server.json` (mode 0600) holds while a server runs: how to reach it, which process it is,
 * and the credentials its requests must be signed with.
 */
export interface ServerFile {
  readonly url: string;
  readonly pid: number;
  readonly port: number;
  readonly dataDir: string;
  readonly startedAt: string;
  /** The region in the ARNs it issues (what clients should sign for). */
  readonly region: string;
  /** Any access key id works (it is recorded as the caller); the secret access key is the server's secret. */
  readonly credentials: AwsCredentials;
}

/** Everything the server serves, wired together but not listening: what tests drive in-process. */
export interface LocalService {
  readonly dataDir: string;
  readonly region: string;
  readonly accountId: string;
  /**
   * What clients sign requests with: the data dir's secret as the secret access key (kept across restarts in
   * `<dataDir>/secret-access-key`, mode 0600) and the access key id the project's own clients use.
   */
  readonly credentials: AwsCredentials;
  readonly events: EventBus;
  readonly registry: ModelRegistry;
  readonly engine: PipelineEngine;
  readonly store: Store;
  readonly objects: ObjectStore;
  /** SageMaker/EventBridge operations by `X-Amz-Target`; `operations.invoke(target, input, context)`. */
  readonly operations: OperationRegistry;
  readonly s3: S3Api;
  readonly log: Logger;
  /** Endpoints: lifecycle, model servers and InvokeEndpoint. */
  readonly endpoints: EndpointManager;
  /**
   * Every account the server emulates: the default one (everything above) and each account a request's
   * access key id names (`localAccessKeyId(account)`), with resources of its own.
   */
  readonly accounts: AccountDirectory;
  /** Executions found running at start (left by a crash) and marked Failed. */
  readonly recoveredExecutions: number;
  /** Ends running executions (Failed, with a reason) and closes the database. */
  close(): Promise<void>;
}

/**
 * Opens the data dir and wires the service without a port: database (migrated), crash recovery, event
 * rules, engine, registry and every operation module.
 */
export async function openLocalService(options: LocalServiceOptions): Promise<LocalService> {
  const dataDir = resolve(options.dataDir);
  const log = options.logger ?? consoleLogger();
  await mkdir(dataDir, { recursive: true, mode: OWNER_ONLY_DIR });
  await restrictDataDir(dataDir, log);
  await claimDataDir(dataDir);
  let secretAccessKey: string;
  try {
    secretAccessKey = await loadServerSecret(dataDir, log);
  } catch (error) {
    openDataDirs.delete(dataDir);
    throw error;
  }
  const region = options.region ?? DEFAULT_REGION;
  const accountId = options.accountId ?? LOCAL_ACCOUNT_ID;
  let main: OpenedAccount;
  // Another account's resources live in a data dir of their own, opened on its first request.
  // The event rules (the approval route) belong to the default account, the one the project builds in.
  const { rules: _rules, rulesFile: _rulesFile, ...otherAccountOptions } = options;
  const directory: AccountDirectory = new AccountDirectory(
    async (id) =>
      (
        await openAccount(
          join(dataDir, ACCOUNTS_DIR, id),
          { region, accountId: id },
          otherAccountOptions,
          log,
          directory,
        )
      ).resources,
  );
  try {
    main = await openAccount(dataDir, { region, accountId }, options, log, directory);
  } catch (error) {
    openDataDirs.delete(dataDir);
    throw error;
  }
  directory.register(main.resources);
  try {
    for (const id of await existingAccounts(dataDir)) if (id !== accountId) await directory.account(id);
  } catch (error) {
    await directory.closeOthers();
    await main.resources.close();
    openDataDirs.delete(dataDir);
    throw error;
  }
  let closing: Promise<void> | undefined;
  const { resources } = main;
  return {
    dataDir,
    region,
    accountId,
    credentials: { accessKeyId: LOCAL_ACCESS_KEY_ID, secretAccessKey },
    events: main.bus,
    registry: resources.registry,
    engine: main.engine,
    store: resources.store,
    objects: resources.objects,
    operations: resources.operations,
    s3: resources.s3,
    log,
    endpoints: resources.endpoints,
    accounts: directory,
    recoveredExecutions: main.recoveredExecutions,
    close() {
      closing ??= (async () => {
        await directory.closeOthers();
        await resources.close();
        openDataDirs.delete(dataDir);
      })();
      return closing;
    },
  };
}

/** Where the accounts other than the default one keep their data: `<dataDir>/accounts/<account id>/`. */
export const ACCOUNTS_DIR = 'accounts';

async function existingAccounts(dataDir: string): Promise<string[]> {
  try {
    return (await readdir(join(dataDir, ACCOUNTS_DIR))).filter((name) => /^\d{12}$/.test(name));
  } catch {
    return [];
  }
}

interface OpenedAccount {
  readonly resources: AccountResources;
  readonly bus: EventBus;
  readonly engine: PipelineEngine;
  readonly recoveredExecutions: number;
}

/**
 * One account's service: database (migrated), crash recovery, event rules, engine, registry, endpoints and
 * every operation module, wired to reach the other accounts through their resource policies.
 */
async function openAccount(
  dataDir: string,
  scope: { region: string; accountId: string },
  options: LocalServiceOptions,
  log: Logger,
  directory: AccountDirectory,
): Promise<OpenedAccount> {
  await mkdir(dataDir, { recursive: true, mode: OWNER_ONLY_DIR });
  const store = Store.open(dataDir);
  try {
    const crossAccount = new CrossAccountAccess(directory, scope.accountId);
    const objects = new ObjectStore(dataDir, store.db);
    objects.linkOtherAccounts(crossAccount.otherAccountObjects);
    const { removedFiles, migratedObjects } = await objects.recover();
    if (removedFiles > 0) log.warn(`removed ${removedFiles} object file(s) an interrupted write left behind`);
    if (migratedObjects > 0) log.info(`moved ${migratedObjects} object(s) from the old s3/ layout into s3-data/`);
    const bus = new EventBus(store, scope, log, options.events);
    const registry = new ModelRegistry(store, bus, scope);
    const runners = options.runners ?? createDefaultRunners();
    const jobs = new JobService({
      store,
      objects,
      runners,
      log,
      scope,
      dataDir,
      keepWorkDirs: options.keepJobWorkDirs ?? 'failed',
    });
    const callbacks = new CallbackTokens();
    const queues = new LocalQueues();
    const engine = new PipelineEngine({
      store,
      objects,
      jobs,
      callbacks,
      queues,
      registry,
      bus,
      log,
      scope,
      dataDir,
      localSupport: { lambdaFunctions: new LocalLambdaFunctions(options.lambdaFunctions) },
    });
    // Rules first: the status changes that recovery publishes must be routed to them.
    bus.start();
    const rules = [...(options.rules ?? []), ...(options.rulesFile ? await readRulesFile(options.rulesFile) : [])];
    for (const rule of rules) bus.putRule(rule);
    const recoveredExecutions = await engine.recover();
    await jobs.recover();
    if (recoveredExecutions > 0) log.warn(`marked ${recoveredExecutions} interrupted execution(s) Failed`);
    const endpoints = new EndpointManager({ store, objects, scope, log, dataDir }, options.endpoints);
    await endpoints.recover();
    const context: ServiceContext = {
      store,
      engine,
      jobs,
      callbacks,
      queues,
      registry,
      bus,
      objects,
      scope,
      log,
      endpoints,
      crossAccount,
    };
    const operations = new OperationRegistry();
    for (const factory of [...BUILT_IN_OPERATION_MODULES, ...(options.operationModules ?? [])]) {
      operations.add(factory(context));
    }
    const s3 = new S3Api(objects, {
      maxObjectBytes: options.maxObjectBytes ?? 5 * 1024 ** 3,
      policies: store.policies,
      crossAccount,
    });
    let closing: Promise<void> | undefined;
    const resources: AccountResources = {
      accountId: scope.accountId,
      store,
      registry,
      objects,
      s3,
      operations,
      endpoints,
      invocations: endpoints.invoke,
      close() {
        closing ??= (async () => {
          await endpoints.close();
          await engine.close();
          await jobs.close();
          bus.close();
          store.close();
        })();
        return closing;
      },
    };
    return { resources, bus, engine, recoveredExecutions };
  } catch (error) {
    store.close();
    throw error;
  }
}

/**
 * Starts the local SageMaker on 127.0.0.1: SageMaker, EventBridge, S3 and the runtime hook on one port.
 * One server per data dir: a second start while the first runs is refused.
 */
export async function startLocalServer(options: LocalServerOptions): Promise<LocalServer> {
  if (options.host !== undefined && options.host !== LOCAL_HOST) {
    throw new ValidationError({
      where: 'startLocalServer',
      field: 'host',
      problem: `must be ${LOCAL_HOST}, got ${JSON.stringify(options.host)}`,
      fix: 'the local server runs jobs and accepts unsigned requests, so it only listens on the loopback address',
    });
  }
  const port = options.port ?? 0;
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new ValidationError({ where: 'startLocalServer', field: 'port', problem: `must be 0-65535, got ${port}` });
  }
  const service = await openLocalService(options);
  const dataDir = service.dataDir;
  let url = '';
  const health: RouteHandler = (request, response, requestUrl) => {
    if (requestUrl.pathname !== '/_slipway/health' || request.method !== 'GET') return false;
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end(JSON.stringify({ status: 'ok', pid: process.pid, url, dataDir, region: service.region }));
    return true;
  };
  let mounted: MountedRoute[];
  try {
    mounted = [];
    for (const factory of options.routes ?? []) mounted.push(await factory(service));
  } catch (error) {
    await service.close();
    throw error;
  }
  const http = createServer(
    createRequestListener({
      operations: service.operations,
      s3: service.s3,
      log: service.log,
      maxJsonBodyBytes: options.maxJsonBodyBytes ?? 2 * 1024 * 1024,
      secretAccessKey: service.credentials.secretAccessKey,
      routes: [health, ...mounted.map((route) => route.handle)],
      invocations: options.invocations ?? service.endpoints.invoke,
      accounts: async (accountId) => {
        if (accountId === undefined || accountId === service.accountId) {
          return {
            operations: service.operations,
            s3: service.s3,
            invocations: options.invocations ?? service.endpoints.invoke,
          };
        }
        return service.accounts.account(accountId);
      },
    }),
  );
  // Clients keep idle connections for reuse (the SDKs' agents, urllib3's pools); a connection the server closes
  // just as a client sends on it fails that request with ECONNRESET. Node's 5 s default made that race common
  // on a busy machine; 65 s (as load balancers keep them) makes it rare, and GracefulClose still closes idle
  // connections at once on shutdown.
  http.keepAliveTimeout = KEEP_ALIVE_TIMEOUT_MS;
  const graceful = new GracefulClose(http);
  let boundPort: number;
  try {
    boundPort = await listenLocal(http, port);
  } catch (error) {
    await service.close();
    throw listenError(error, port);
  }
  url = `http://${LOCAL_HOST}:${boundPort}`;
  const serverFile: ServerFile = {
    url,
    pid: process.pid,
    port: boundPort,
    dataDir,
    startedAt: new Date().toISOString(),
    region: service.region,
    credentials: service.credentials,
  };
  try {
    await writeServerFile(dataDir, serverFile);
  } catch (error) {
    await graceful.close(0);
    await service.close();
    throw error;
  }
  service.log.info(`serving SageMaker, EventBridge and S3 at ${url} (data dir ${dataDir})`);
  let closing: Promise<void> | undefined;
  return {
    ...service,
    url,
    port: boundPort,
    close() {
      closing ??= (async () => {
        for (const route of mounted) await route.close?.();
        await graceful.close(options.closeGraceMs ?? 10_000);
        await service.close();
        await rm(join(dataDir, SERVER_FILE), { force: true });
      })();
      return closing;
    },
  };
}

/** A port that cannot be bound is the user's to fix: one line saying which and how, not a stack trace. */
function listenError(error: unknown, port: number): unknown {
  const code = (error as NodeJS.ErrnoException).code;
  if (code !== 'EADDRINUSE' && code !== 'EACCES') return error;
  return new ValidationError({
    where: `port ${port}`,
    field: '',
    problem:
      code === 'EADDRINUSE'
        ? `on ${LOCAL_HOST} is in use by another program`
        : `on ${LOCAL_HOST} may not be bound by this user`,
    fix: 'pick another with --port N (or --port 0 for any free port)',
  });
}

/** server.json repeats the secret: written owner-only (0600), whole or not at all. */
async function writeServerFile(dataDir: string, file: ServerFile): Promise<void> {
  const path = join(dataDir, SERVER_FILE);
  const temporary = `${path}.${randomBytes(6).toString('hex')}.tmp`;
  try {
    await writeOwnerOnly(temporary, `${JSON.stringify(file, null, 2)}\n`);
    await rename(temporary, path);
  } finally {
    await rm(temporary, { force: true });
  }
}

/** Reads `<dataDir>/server.json` if a server wrote one. */
export async function readServerFile(dataDir: string): Promise<ServerFile | undefined> {
  try {
    return JSON.parse(await readFile(join(resolve(dataDir), SERVER_FILE), 'utf8')) as ServerFile;
  } catch {
    return undefined;
  }
}

/** Data dirs opened by this process; another process's server is found through its server.json. */
const openDataDirs = new Set<string>();

async function claimDataDir(dataDir: string): Promise<void> {
  const existing = await readServerFile(dataDir);
  const other = existing && existing.pid !== process.pid && isProcessAlive(existing.pid);
  if (openDataDirs.has(dataDir) || other) {
    throw new ValidationError({
      where: dataDir,
      field: '',
      problem: `is in use by another local server${other ? ` (pid ${existing.pid}, ${existing.url})` : ' in this process'}`,
      fix: 'stop it with `slipway local down`, or use another --data-dir',
    });
  }
  openDataDirs.add(dataDir);
}

async function readRulesFile(path: string): Promise<RuleDefinition[]> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(await readFile(path, 'utf8'));
  } catch (error) {
    throw new ValidationError({
      where: path,
      field: '',
      problem: `could not be read as JSON (${error instanceof Error ? error.message : String(error)})`,
      fix: 'give a JSON file with a list of rules: [{"name", "eventPattern", "targets": [...]}]',
    });
  }
  const rules = Array.isArray(parsed) ? parsed : (parsed as { rules?: unknown } | null)?.rules;
  if (!Array.isArray(rules)) {
    throw new ValidationError({ where: path, field: 'rules', problem: 'must be a list of rules' });
  }
  return rules as RuleDefinition[];
}
