import { S3Client } from '@aws-sdk/client-s3';
import { SageMakerClient } from '@aws-sdk/client-sagemaker';
import {
  awsClientConfig,
  loadProjectConfig,
  parseModelPackageArn,
  stageTarget,
  type Backend,
  type LoadedProjectConfig,
  type ProjectConfig,
} from '@slipway/core';
import { loadStageConfig } from '../config/stage-config.js';
import { endpointSpec, executionRoleArnOf, type EndpointSpec } from '../endpoint-spec.js';
import { endpointName } from '../names.js';
import { cdkAppDir, cdkCommand, cdkDeployArgs, spawnCdk, type CdkRunner } from './backends/cdk.js';
import { deployWithSageMakerApi } from './backends/sagemaker-api.js';
import { readLiveDeployment, type LiveDeployment } from './live-deployment.js';
import { verifyModelData } from './model-data.js';
import { latestDeployment, recordDeployment } from './deployment-journal.js';
import { recordStageChange } from './model-lifecycle.js';
import { describeModelPackage, requireApproved } from './model-package.js';
import { waitForEndpoint, waitForEndpointDeleted } from './wait-for-endpoint.js';

export interface DeployStageOptions {
  readonly stage: string;
  /**
   * The exact version to serve. May be absent only for a rollback with no Approved version left, which
   * fails if the rejected version is live and does nothing otherwise.
   */
  readonly modelPackageArn?: string;
  /**
   * AWS: deploy the stage's EndpointStack with the CDK CLI. Local: call the SageMaker API at the backend's
   * endpoint (the local server, or moto in tests).
   */
  readonly backend: Backend;
  /** Rollback: act only if this (rejected) version is the one live in the stage. */
  readonly replaces?: string;
  /**
   * Promotion: the stage this version passed before (staging, for prod). It must serve exactly this version
   * when the deploy starts, or nothing is deployed: a run waiting at the gate may have tested a version
   * that staging no longer serves.
   */
  readonly promotedFrom?: string;
  /**
   * Replace a newer Approved version with an older one. Only a person deploying a version on purpose does
   * that (workflow_dispatch, the CLI); an event never may.
   * @default false
   */
  readonly allowDowngrade?: boolean;
  /**
   * Going back on purpose (`slipway deploy rollback`, the workflow's rollback input): recorded in the
   * deployment journal as a rollback, like a rejection's (`replaces`).
   * @default false
   */
  readonly rollback?: boolean;
  /**
   * What deploys, for the deployment journal: the GitHub run's URL, `run #N` of the local workflow, or a
   * person's command.
   * @default - not recorded
   */
  readonly deployedBy?: string;
  /** @default - loadProjectConfig() from the working directory */
  readonly project?: LoadedProjectConfig;
  /**
   * How long to wait for the endpoint to be InService.
   * @default 3600
   */
  readonly timeoutSeconds?: number;
  /** @default - no progress output */
  readonly log?: (message: string) => void;
}

/** Injectable collaborators (tests; an already configured client). */
export interface DeployStageDeps {
  readonly sagemaker?: SageMakerClient;
  /** Reads the model data to check it against the registered checksum. */
  readonly s3?: S3Client;
  readonly runCdk?: CdkRunner;
  /** @default 15 on AWS; 0.25 locally, where a DescribeEndpoint costs a millisecond */
  readonly pollSeconds?: number;
  readonly sleep?: (ms: number) => Promise<void>;
}

export interface DeployStageResult {
  readonly stage: string;
  readonly endpointName: string;
  readonly endpointArn?: string;
  /** The version live in the stage when the call returns. */
  readonly modelPackageArn?: string;
  /** False when the stage already served the version (or a rollback did not concern it). */
  readonly changed: boolean;
  readonly message: string;
}

/**
 * Makes one stage serve one model package version, idempotently: when the version is already live (same
 * package, same stage config) it returns at once with `changed: false`, so a duplicate approval event is
 * harmless. The registry must say Approved at the time of deploying, whatever the caller was told earlier.
 */
export async function deployStage(options: DeployStageOptions, deps: DeployStageDeps = {}): Promise<DeployStageResult> {
  const project = options.project ?? loadProjectConfig();
  const log = options.log ?? ((): void => undefined);
  const stageConfig = loadStageConfig(project, options.stage);
  const name = endpointName(project, options.stage);
  const sagemaker = deps.sagemaker ?? new SageMakerClient(awsClientConfig(options.backend));
  const wait = {
    timeoutSeconds: options.timeoutSeconds ?? 3600,
    pollSeconds: deps.pollSeconds ?? (options.backend.kind === 'aws' ? 15 : 0.25),
    log,
    ...(deps.sleep ? { sleep: deps.sleep } : {}),
  };

  let live = await readLiveDeployment(sagemaker, name);
  if (live && live.status !== 'InService' && live.status !== 'Failed') {
    log(`Endpoint ${name} is ${live.status}; waiting for it to settle first`);
    live = await waitForEndpoint(sagemaker, name, wait);
  }
  const result = (changed: boolean, message: string, state: LiveDeployment | undefined): DeployStageResult => ({
    stage: options.stage,
    endpointName: name,
    ...(state?.endpointArn ? { endpointArn: state.endpointArn } : {}),
    ...(state?.modelPackageArn ? { modelPackageArn: state.modelPackageArn } : {}),
    changed,
    message,
  });

  if (options.replaces !== undefined) {
    if (live?.modelPackageArn !== options.replaces) {
      return result(
        false,
        `The rejected version ${options.replaces} is not live in ${options.stage}; nothing to roll back`,
        live,
      );
    }
    if (!options.modelPackageArn) {
      throw new Error(
        `The rejected version ${options.replaces} is live in ${options.stage} and no Approved version is left to roll back to; approve a version or delete the endpoint ${name}`,
      );
    }
  }
  if (!options.modelPackageArn) throw new Error('deployStage needs a model package ARN');
  const s3 = deps.s3 ?? new S3Client(awsClientConfig(options.backend));
  const crossAccountPromotion =
    options.promotedFrom !== undefined && !sameAccount(project, options.promotedFrom, options.stage);
  if (options.promotedFrom !== undefined && !crossAccountPromotion) {
    await requireServedBy(sagemaker, project, options.promotedFrom, options.modelPackageArn, options.stage);
  }
  // Approved now, whatever the caller was told earlier.
  const target = await requireApproved(sagemaker, project, options.modelPackageArn);
  if (options.promotedFrom !== undefined && crossAccountPromotion) {
    await requireRecordedServing(s3, project, options.promotedFrom, options.modelPackageArn, options.stage);
  }
  if (!options.allowDowngrade && options.replaces === undefined && live?.modelPackageArn) {
    await refuseDowngrade(sagemaker, project, options.stage, live.modelPackageArn, target.version);
  }
  const spec = endpointSpec(project, stageConfig, options.modelPackageArn);
  const kind = options.replaces !== undefined || options.rollback ? 'rollback' : 'deploy';
  if (isLive(live, spec)) {
    // A deploy killed after the endpoint changed and before its lifecycle and journal were written finishes
    // them here.
    await recordStageChange(sagemaker, project, {
      stage: options.stage,
      endpointName: name,
      serving: spec.modelPackageArn,
    });
    const latest = await latestDeployment(s3, project, options.stage);
    if (latest?.modelPackageArn !== spec.modelPackageArn) {
      await recordDeployment(s3, project, {
        stage: options.stage,
        endpointName: name,
        modelPackageArn: spec.modelPackageArn,
        ...(latest ? { replaced: latest.modelPackageArn } : {}),
        kind,
        ...(options.deployedBy ? { deployedBy: options.deployedBy } : {}),
        at: new Date().toISOString(),
      });
    }
    return result(
      false,
      `${options.stage} already serves ${spec.modelPackageArn} (${spec.endpointConfigName}); nothing to change`,
      live,
    );
  }

  // About to change the stage: its model data must be the one registered with the version.
  await verifyModelData(s3, project, target);
  if (options.backend.kind === 'aws') {
    const runCdk = deps.runCdk ?? spawnCdk(cdkCommand(project).cliPath);
    log(`Deploying ${spec.modelPackageArn} to ${options.stage} with the CDK`);
    await runCdk(cdkDeployArgs(project, spec), { cwd: cdkAppDir(project), log });
  } else {
    await deployWithSageMakerApi(sagemaker, spec, live, {
      project,
      executionRoleArn: executionRoleArnOf(project, spec),
      log,
      waitUntilGone: () => waitForEndpointDeleted(sagemaker, name, wait),
    });
  }
  const after = await waitForEndpoint(sagemaker, name, wait);
  if (after.modelPackageArn !== spec.modelPackageArn) {
    throw new Error(
      `The update of ${name} did not take: it serves ${after.modelPackageArn ?? 'no model package'} (the blue/green update may have rolled back on an alarm)`,
    );
  }
  const lifecycle = await recordStageChange(sagemaker, project, {
    stage: options.stage,
    endpointName: name,
    serving: spec.modelPackageArn,
    ...(live?.modelPackageArn ? { replaced: live.modelPackageArn } : {}),
    rollback: kind === 'rollback',
  });
  for (const { modelPackageArn, lifecycle: stage } of lifecycle) {
    log(`Lifecycle of ${modelPackageArn}: ${stage.Stage} / ${stage.StageStatus}`);
  }
  await recordDeployment(s3, project, {
    stage: options.stage,
    endpointName: name,
    modelPackageArn: spec.modelPackageArn,
    ...(live?.modelPackageArn ? { replaced: live.modelPackageArn } : {}),
    kind,
    ...(options.deployedBy ? { deployedBy: options.deployedBy } : {}),
    at: new Date().toISOString(),
  });
  return result(true, `${options.stage} now serves ${spec.modelPackageArn} (${spec.endpointConfigName})`, after);
}

/** Whether two stages' endpoints are in the same account (so one's deploy role may read the other's). */
function sameAccount(project: LoadedProjectConfig, a: string, b: string): boolean {
  return (
    (stageTarget(project, a).account ?? project.buildAccount) ===
    (stageTarget(project, b).account ?? project.buildAccount)
  );
}

/**
 * A promotion from a stage in another account, whose endpoint this account cannot describe: the deployment
 * journal in the build account's bucket (the newest record of `stage`, written once its endpoint served the
 * version) must name exactly `modelPackageArn`.
 */
async function requireRecordedServing(
  s3: S3Client,
  project: LoadedProjectConfig,
  stage: string,
  modelPackageArn: string,
  to: string,
): Promise<void> {
  const latest = await latestDeployment(s3, project, stage);
  if (latest?.modelPackageArn === modelPackageArn) return;
  const served = latest ? `version ${latest.version} (${latest.modelPackageArn})` : 'no version';
  throw new Error(
    `${stage} serves ${served} according to its deployment journal, not version ${parseModelPackageArn(modelPackageArn).version} that is to be promoted to ${to}: a promotion deploys only what ${stage} serves and tested; nothing was deployed to ${to}`,
  );
}

/**
 * Throws unless `stage` serves exactly `modelPackageArn` now: what a promotion to `to` must see first.
 */
export async function requireServedBy(
  sagemaker: SageMakerClient,
  project: Pick<ProjectConfig, 'projectName'>,
  stage: string,
  modelPackageArn: string,
  to: string,
): Promise<void> {
  const live = await readLiveDeployment(sagemaker, endpointName(project, stage));
  if (live?.status === 'InService' && live.modelPackageArn === modelPackageArn) return;
  const served = live?.modelPackageArn
    ? `version ${parseModelPackageArn(live.modelPackageArn).version} (${live.modelPackageArn}, ${live.status})`
    : `no model package (${live?.status ?? 'no endpoint'})`;
  throw new Error(
    `${stage} serves ${served}, not version ${parseModelPackageArn(modelPackageArn).version} that is to be promoted to ${to}: a promotion deploys only what ${stage} serves and tested; nothing was deployed to ${to}`,
  );
}

/**
 * Throws when the stage serves a newer version of the group that is still Approved: replacing it with an
 * older one is a downgrade, which only a rollback or a person (allowDowngrade) may do.
 */
async function refuseDowngrade(
  sagemaker: SageMakerClient,
  project: LoadedProjectConfig,
  stage: string,
  liveArn: string,
  version: number,
): Promise<void> {
  const liveVersion = parseModelPackageArn(liveArn).version;
  if (liveVersion <= version) return;
  const live = await describeModelPackage(sagemaker, project, liveArn).catch(() => undefined);
  if (live?.approvalStatus !== 'Approved') return;
  throw new Error(
    `${stage} serves version ${liveVersion}, which is newer and still Approved; deploying version ${version} would downgrade it. An approval event deploys only the newest Approved version; to deploy version ${version} on purpose, deploy it by hand (workflow_dispatch with its ARN, or slipway deploy)`,
  );
}

/**
 * Whether `deployStage` with these options would change the stage now, read the same way it reads it: a
 * rollback changes only a stage serving the rejected version; a deploy changes a stage that does not already
 * serve the version with the current stage config. (The deploy workflow's promotion gate waits only for a
 * change.)
 */
export async function stageWouldChange(
  options: Pick<DeployStageOptions, 'stage' | 'modelPackageArn' | 'replaces'> & { project: LoadedProjectConfig },
  sagemaker: SageMakerClient,
): Promise<boolean> {
  const live = await readLiveDeployment(sagemaker, endpointName(options.project, options.stage));
  if (options.replaces !== undefined && live?.modelPackageArn !== options.replaces) return false;
  if (!options.modelPackageArn) return true;
  const stageConfig = loadStageConfig(options.project, options.stage);
  return !isLive(live, endpointSpec(options.project, stageConfig, options.modelPackageArn));
}

function isLive(live: LiveDeployment | undefined, spec: EndpointSpec): boolean {
  return (
    live?.status === 'InService' &&
    live.modelPackageArn === spec.modelPackageArn &&
    live.endpointConfigName === spec.endpointConfigName
  );
}
