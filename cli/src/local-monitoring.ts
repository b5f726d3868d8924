import { spawn } from 'node:child_process';
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { S3Client } from '@aws-sdk/client-s3';
import { SageMakerClient } from '@aws-sdk/client-sagemaker';
import { ValidationError, awsClientConfig, type Backend, type LoadedProjectConfig } from '@slipway/core';
import {
  DRIFT_DETECTED,
  DRIFT_EVENT_SOURCE,
  localRetrainLedger,
  monitoredEndpoints,
  RetrainGate,
  approvalRuleNamePrefix,
  driftRuleName,
  driftDetectedPattern,
  driftDispatchTransformer,
  parseDriftDispatchPayload,
  runDriftCheck,
  type DriftCheckResult,
  type DriftDetectedDetail,
  type RetrainDecision,
} from '@slipway/deploy-pipeline';
import { PeriodicTask, type CommandTarget, type HandlerTarget, type RuleDefinition } from '@slipway/local';

/**
 * The local half of the drift loop: the drift check of the project's endpoints (on the local server's schedule
 * and on demand), the drift route on the local bus (the CDK rule's pattern and dispatch transformer) and its
 * target, which starts the local pipeline run, rate-limited and de-duplicated by the RetrainGate. The same
 * functions the AWS side uses (runDriftCheck, the event pattern, the dispatch body).
 */

const BIN = fileURLToPath(new URL('../bin/slipway.js', import.meta.url));

/** The scheduled check's period (and so the window each check reads), unless `local up --monitor-every` says. */
export const DEFAULT_MONITOR_EVERY_MINUTES = 60;
/** One retrain per endpoint per this long, unless `--retrain-period` says. */
export const DEFAULT_RETRAIN_PERIOD_HOURS = 24;
/** The drift route's target id and rule name suffix. */
export const RETRAIN_TARGET_ID = 'retrain-pipeline';
/** A retrain is a whole pipeline run; an attempt is given up after this long. */
const RETRAIN_TIMEOUT_MS = 60 * 60_000;

/** monitoring.py in the project's seed/ (its `check` needs only Python's standard library). */
export function monitoringScript(project: LoadedProjectConfig): string {
  return join(project.rootDir, 'seed', 'monitoring.py');
}

/** The local retrain gate, on the local ledger. */
export function retrainGate(dataDir: string, periodHours = DEFAULT_RETRAIN_PERIOD_HOURS): RetrainGate {
  return new RetrainGate(localRetrainLedger(dataDir), { periodMs: periodHours * 3_600_000 });
}

/** The project's endpoints: one per stage. */
export function projectEndpoints(project: LoadedProjectConfig): string[] {
  return monitoredEndpoints(project);
}

export interface CheckEndpointsOptions {
  readonly project: LoadedProjectConfig;
  readonly backend: Backend;
  /** Only these endpoints (each must exist); default every stage's endpoint that exists. */
  readonly endpoints?: readonly string[];
  readonly windowMinutes: number;
  /** The window's end. @default now */
  readonly now?: Date;
  /** The window's start, instead of `windowMinutes` before its end. */
  readonly windowStart?: Date;
  /** @default 'python3' */
  readonly python?: string;
}

/** Runs the drift check of each endpoint over the last `windowMinutes`, publishing drift events to the bus. */
export async function checkEndpoints(options: CheckEndpointsOptions): Promise<DriftCheckResult[]> {
  const config = awsClientConfig(options.backend);
  const sagemaker = new SageMakerClient(config);
  const s3 = new S3Client(config);
  const events = new EventBridgeClient(config);
  const end = options.now ?? new Date();
  const start = options.windowStart ?? new Date(end.getTime() - options.windowMinutes * 60_000);
  const publish = async (detail: DriftDetectedDetail): Promise<void> => {
    const result = await events.send(
      new PutEventsCommand({
        Entries: [{ Source: DRIFT_EVENT_SOURCE, DetailType: DRIFT_DETECTED, Detail: JSON.stringify(detail) }],
      }),
    );
    if (result.FailedEntryCount) {
      throw new Error(`the drift event was not published: ${result.Entries?.[0]?.ErrorMessage ?? 'unknown error'}`);
    }
  };
  try {
    const explicit = options.endpoints !== undefined && options.endpoints.length > 0;
    const names = explicit ? [...options.endpoints!] : projectEndpoints(options.project);
    const results: DriftCheckResult[] = [];
    for (const name of names) {
      try {
        results.push(
          await runDriftCheck(
            {
              endpointName: name,
              modelPackageGroupName: options.project.modelPackageGroupName,
              windowStart: start,
              windowEnd: end,
              reportBucket: options.project.artifactBucket,
              script: monitoringScript(options.project),
              ...(options.python ? { python: options.python } : {}),
            },
            { sagemaker, s3, publish },
          ),
        );
      } catch (error) {
        // A stage with no endpoint yet is not an error of the scheduled check, only of an explicit --endpoint.
        if (!explicit && error instanceof ValidationError && /does not exist/.test(error.message)) continue;
        throw error;
      }
    }
    return results;
  } finally {
    sagemaker.destroy();
    s3.destroy();
    events.destroy();
  }
}

/** The drift route's rule for the local bus, sending its dispatch body to `target`. */
export function driftRouteRule(
  project: LoadedProjectConfig,
  target: Omit<CommandTarget, 'id' | 'inputTransformer'> | Omit<HandlerTarget, 'id' | 'inputTransformer'>,
): RuleDefinition {
  return {
    name: driftRuleName(approvalRuleNamePrefix(project)),
    description: `drift of ${project.modelPackageGroupName}'s live versions → model-drift-detected → retrain`,
    eventPattern: driftDetectedPattern(project.modelPackageGroupName),
    targets: [{ ...target, id: RETRAIN_TARGET_ID, inputTransformer: driftDispatchTransformer() }],
  };
}

/** The target of an in-process server (the demo's): the same retrain, called directly. */
export function retrainHandlerTarget(options: {
  readonly dataDir: string;
  readonly cwd: string;
  readonly periodHours: number;
  readonly log: (line: string) => void;
}): Omit<HandlerTarget, 'id' | 'inputTransformer'> {
  return {
    type: 'handler',
    handler: async (_event, input) => {
      const outcome = await retrainFromDispatch(JSON.parse(input) as unknown, options);
      if (outcome.exitCode !== undefined && outcome.exitCode !== 0) {
        options.log(`the retrain's pipeline run failed (exit ${outcome.exitCode}); see ${outcome.logFile}`);
      }
    },
    timeoutMs: RETRAIN_TIMEOUT_MS,
  };
}

/** The target a local server runs: `slipway monitor retrain` with the dispatch body on stdin. */
export function retrainCommandTarget(options: {
  readonly dataDir: string;
  readonly cwd: string;
  readonly periodHours: number;
}): Omit<CommandTarget, 'id' | 'inputTransformer'> {
  return {
    type: 'command',
    command: [
      process.execPath,
      BIN,
      'monitor',
      'retrain',
      '--data-dir',
      options.dataDir,
      '--retrain-period',
      String(options.periodHours),
    ],
    cwd: options.cwd,
    timeoutMs: RETRAIN_TIMEOUT_MS,
  };
}

export interface RetrainOutcome {
  readonly decision: RetrainDecision;
  readonly endpointName: string;
  readonly checkId: string;
  /** The pipeline run's exit code, when one was started. */
  readonly exitCode?: number;
  /** Where the pipeline run's output went, when one was started. */
  readonly logFile?: string;
}

/**
 * Handles one `model-drift-detected` dispatch: the gate decides, and a `start` runs `slipway pipeline run
 * --local` (the same run a person starts, registering a PendingManualApproval version) in the project.
 */
export async function retrainFromDispatch(
  body: unknown,
  options: {
    readonly dataDir: string;
    readonly cwd: string;
    readonly periodHours: number;
    readonly log: (line: string) => void;
  },
): Promise<RetrainOutcome> {
  const payload = parseDriftDispatchPayload(body);
  const gate = retrainGate(options.dataDir, options.periodHours);
  const decision = await gate.admit(payload);
  const base = { decision, endpointName: payload.endpoint_name, checkId: payload.check_id };
  if (decision.action !== 'start') {
    options.log(`retrain for ${payload.endpoint_name} not started: ${decision.action} (${decision.reason})`);
    return base;
  }
  const logFile = join(options.dataDir, 'monitoring', `retrain-${payload.check_id}.log`);
  options.log(
    `drift on ${payload.endpoint_name} (check ${payload.check_id}): retraining with \`slipway pipeline run --local\` (log: ${logFile})`,
  );
  const log = await open(logFile, 'a');
  const exitCode = await new Promise<number>((resolve) => {
    const child = spawn(process.execPath, [BIN, 'pipeline', 'run', '--local', '--data-dir', options.dataDir], {
      cwd: options.cwd,
      stdio: ['ignore', log.fd, log.fd],
    });
    child.on('error', () => resolve(127));
    child.on('close', (code) => resolve(code ?? 1));
  }).finally(() => log.close());
  await gate.finish(
    payload.check_id,
    exitCode === 0 ? 'pipeline run succeeded' : `pipeline run failed (exit ${exitCode})`,
  );
  return { ...base, exitCode, logFile };
}

/** The drift loop of a local server: its route's rule, and the schedule to start once the server listens. */
export interface LocalDriftMonitoring {
  readonly rule: RuleDefinition;
  readonly description: string;
  /** Starts the scheduled check against the server (none when the period is 0). */
  start(server: {
    readonly url: string;
    readonly region?: string;
    readonly credentials: { readonly accessKeyId: string; readonly secretAccessKey: string };
  }): PeriodicTask | undefined;
}

export function localDriftMonitoring(options: {
  readonly project: LoadedProjectConfig;
  readonly dataDir: string;
  readonly everyMinutes: number;
  readonly retrainPeriodHours: number;
  readonly log: (line: string) => void;
}): LocalDriftMonitoring {
  const { project, everyMinutes } = options;
  const rule = driftRouteRule(
    project,
    retrainCommandTarget({ dataDir: options.dataDir, cwd: project.rootDir, periodHours: options.retrainPeriodHours }),
  );
  return {
    rule,
    description:
      (everyMinutes > 0
        ? `drift check of ${projectEndpoints(project).join(', ')} every ${everyMinutes} min`
        : 'no scheduled drift check (--monitor-every 0); `npx slipway monitor run` checks on demand') +
      `; a drift retrains (at most once per endpoint per ${options.retrainPeriodHours} h)`,
    start(server) {
      if (everyMinutes <= 0) return undefined;
      const backend: Backend = {
        kind: 'local',
        region: server.region ?? project.region,
        endpoint: server.url,
        credentials: server.credentials,
      };
      return new PeriodicTask({
        everyMs: everyMinutes * 60_000,
        task: async () => {
          const results = await checkEndpoints({ project, backend, windowMinutes: everyMinutes });
          for (const result of results) {
            options.log(
              `drift check ${result.endpointName}: ${result.status}` +
                (result.drifted.length > 0 ? ` (${result.drifted.map((d) => d.feature).join(', ')})` : ''),
            );
          }
        },
        onError: (error) =>
          options.log(`drift check failed: ${error instanceof Error ? error.message : String(error)}`),
      }).start();
    },
  };
}
