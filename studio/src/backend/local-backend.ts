import { mkdirSync, watch, type FSWatcher } from 'node:fs';
import { dirname } from 'node:path';
import { S3Client } from '@aws-sdk/client-s3';
import { SageMakerClient } from '@aws-sdk/client-sagemaker';
import { awsClientConfig, type LoadedProjectConfig } from '@slipway/core';
import { localRetrainLedger, monitoredEndpoints } from '@slipway/deploy-pipeline';
import type { LocalService, StoreChange } from '@slipway/local';
import type { LiveTopic } from '../views.js';
import { IN_PROCESS_ENDPOINT, inProcessRequestHandler } from './in-process-transport.js';
import { projectView } from './project-view.js';
import type { DeployWorkflowAccess, StudioBackend } from './studio-backend.js';

export interface LocalBackendOptions {
  /** Who acts from the console: recorded as CreatedBy/LastModifiedBy and in the approval history. */
  readonly actor: string;
  /** The project the server runs for (its stages, group and pipeline). */
  readonly project?: LoadedProjectConfig;
  /** The local deploy workflow: its runs and the production gate. */
  readonly deploy?: DeployWorkflowAccess;
}

/**
 * The console over a running local server, in its own process: SDK clients whose requests the server's
 * handlers answer in-process, plus what only the local server keeps (the approval history, job logs, deploy
 * runs, invocation latencies) and a live feed of every change its store records.
 */
export function localStudioBackend(service: LocalService, options: LocalBackendOptions): StudioBackend {
  // The in-process transport never crosses HTTP, but the SDK signs every request: give it the server's own keys
  // rather than let it search the environment for some.
  const clientBackend = {
    kind: 'local',
    region: service.region,
    endpoint: IN_PROCESS_ENDPOINT,
    credentials: service.credentials,
  } as const;
  const config = {
    ...awsClientConfig(clientBackend),
    maxAttempts: 1,
    requestHandler: inProcessRequestHandler(service, options.actor),
  };
  const sagemaker = new SageMakerClient(config);
  const s3 = new S3Client(config);
  const project = options.project;
  return {
    mode: 'local',
    region: service.region,
    permissions: { execute: true, approve: true, promote: options.deploy !== undefined, invoke: true },
    ...(project ? { project: projectView(project) } : {}),
    ...(project
      ? {
          monitoring: {
            bucket: project.artifactBucket,
            endpoints: monitoredEndpoints(project),
            ledger: localRetrainLedger(service.dataDir),
          },
        }
      : {}),
    sagemaker,
    s3,
    clientBackend,
    invoke: (name, request, response) =>
      service.endpoints.invoke(name, { headers: request.headers, body: request }, response),
    async approvalHistory(arn) {
      return service.registry.history(arn).map((change) => ({
        ...(change.previousStatus !== undefined ? { previousStatus: change.previousStatus } : {}),
        newStatus: change.newStatus,
        actor: change.actor,
        ...(change.description !== undefined ? { description: change.description } : {}),
        time: change.at.toISOString(),
      }));
    },
    jobLogFile: (name) => service.store.jobs.get(name)?.logFile,
    jobRunning: (name) => service.store.jobs.get(name)?.status === 'InProgress',
    recentInvocations: (name) =>
      service.endpoints.invocations.recent(name).map((record) => ({
        at: record.at.toISOString(),
        ms: Math.round(record.latencyMs * 10) / 10,
        status: record.status,
        ...(record.variant ? { variant: record.variant } : {}),
      })),
    ...(options.deploy ? { deploy: options.deploy } : {}),
    subscribe(listener) {
      const stopStore = service.store.changes.subscribe((changes) => listener(changes.flatMap(topicsOf)));
      const stopInvocations = service.endpoints.invocations.onRecord((name) => listener([{ topic: 'endpoint', name }]));
      const watcher = options.deploy
        ? watchRuns(options.deploy.runsDir, () => listener([{ topic: 'deployments' }]))
        : undefined;
      // The drift route's target (`slipway monitor retrain`) writes the ledger from another process.
      const ledger = project
        ? watchDir(
            dirname(localRetrainLedger(service.dataDir).location),
            (name) => name === 'retrains.json',
            () => listener([{ topic: 'monitoring' }]),
          )
        : undefined;
      return () => {
        stopStore();
        stopInvocations();
        watcher?.close();
        ledger?.close();
      };
    },
    close() {
      sagemaker.destroy();
      s3.destroy();
    },
  };
}

/** Which views a store change makes stale. */
export function topicsOf(change: StoreChange): LiveTopic[] {
  switch (change.kind) {
    case 'pipeline':
      return [{ topic: 'pipelines' }, { topic: 'pipeline', name: change.name }];
    case 'execution': {
      const pipeline = change.pipelineName ?? pipelineOfExecution(change.arn);
      return [
        { topic: 'execution', arn: change.arn },
        { topic: 'pipelines' },
        ...(pipeline ? [{ topic: 'pipeline', name: pipeline } as const] : []),
      ];
    }
    case 'step':
      return [{ topic: 'execution', arn: change.executionArn }];
    case 'job':
      return [];
    case 'model-package':
      return [{ topic: 'registry' }];
    case 'endpoint':
      return [{ topic: 'endpoints' }, { topic: 'endpoint', name: change.name }, { topic: 'deployments' }];
  }
}

/** `arn:aws:sagemaker:…:pipeline/<name>/execution/<id>` → `<name>`. */
function pipelineOfExecution(arn: string): string | undefined {
  return /:pipeline\/([^/]+)\/execution\//.exec(arn)?.[1];
}

/** The deploy workflow writes its runs from another process: the directory is watched, not polled. */
function watchRuns(dir: string, changed: () => void): FSWatcher | undefined {
  return watchDir(dir, (name) => /^\d+\.json$/.test(name), changed);
}

/** Calls `changed` when a file of `dir` that `wanted` names changes (or one unnamed: some platforms give none). */
function watchDir(dir: string, wanted: (name: string) => boolean, changed: () => void): FSWatcher | undefined {
  try {
    mkdirSync(dir, { recursive: true });
    const watcher = watch(dir, { persistent: false }, (_event, name) => {
      if (name === null || wanted(name)) changed();
    });
    watcher.on('error', () => undefined);
    return watcher;
  } catch {
    return undefined;
  }
}
