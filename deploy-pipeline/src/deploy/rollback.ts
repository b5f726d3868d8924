import { S3Client } from '@aws-sdk/client-s3';
import { SageMakerClient } from '@aws-sdk/client-sagemaker';
import {
  ValidationError,
  awsClientConfig,
  loadProjectConfig,
  modelPackageArn,
  type LoadedProjectConfig,
} from '@slipway/core';
import { endpointName } from '../names.js';
import { deployStage, type DeployStageDeps, type DeployStageOptions, type DeployStageResult } from './deploy-stage.js';
import { previousVersion, readDeployments } from './deployment-journal.js';
import { readLiveDeployment } from './live-deployment.js';
import { registryScope, requireApproved } from './model-package.js';

export interface RollbackOptions extends Omit<
  DeployStageOptions,
  'modelPackageArn' | 'replaces' | 'promotedFrom' | 'allowDowngrade' | 'rollback'
> {
  /**
   * The version to go back to: a version number of the project's group, or a model package ARN.
   * @default - the version the stage served before the one it serves now (the deployment journal)
   */
  readonly to?: string;
}

/**
 * Goes back in one stage: redeploys the previous version (from the deployment journal) or the named one,
 * through the same gates as any deploy (Approved now, model data checked against its registered SHA-256),
 * recorded as a rollback in the journal and the lifecycle. A version that is not Approved is refused with the
 * registry's reason, before anything changes. The caller runs the stage's endpoint tests afterwards, as a
 * deploy's next job does.
 */
export async function rollbackStage(options: RollbackOptions, deps: DeployStageDeps = {}): Promise<DeployStageResult> {
  const project = options.project ?? loadProjectConfig();
  const sagemaker = deps.sagemaker ?? new SageMakerClient(awsClientConfig(options.backend));
  const s3 = deps.s3 ?? new S3Client(awsClientConfig(options.backend));
  const target = await rollbackTarget({ ...options, project }, { sagemaker, s3 });
  options.log?.(`Rolling ${options.stage} back from ${target.from ?? 'nothing'} to ${target.modelPackageArn}`);
  return deployStage(
    { ...options, project, modelPackageArn: target.modelPackageArn, allowDowngrade: true, rollback: true },
    { ...deps, sagemaker, s3 },
  );
}

/** Where a rollback of one stage goes, and from where. */
export interface RollbackTarget {
  /** The Approved version the stage goes back to. */
  readonly modelPackageArn: string;
  /** The version the stage serves now. */
  readonly from?: string;
}

/**
 * The version `rollbackStage` deploys: the named one, or the one the stage served before its current one (the
 * deployment journal); refused, with the registry's reason, unless it is Approved now. Nothing changes.
 */
export async function rollbackTarget(
  options: Pick<RollbackOptions, 'stage' | 'to' | 'backend'> & { readonly project: LoadedProjectConfig },
  deps: Pick<DeployStageDeps, 'sagemaker' | 's3'> = {},
): Promise<RollbackTarget> {
  const { project } = options;
  const sagemaker = deps.sagemaker ?? new SageMakerClient(awsClientConfig(options.backend));
  const s3 = deps.s3 ?? new S3Client(awsClientConfig(options.backend));
  checkRollbackStage(project, options.stage);
  const live = await readLiveDeployment(sagemaker, endpointName(project, options.stage));
  let target: string;
  if (options.to !== undefined) {
    target = await namedVersionArn(sagemaker, project, options.to);
  } else {
    const previous = live?.modelPackageArn
      ? previousVersion(await readDeployments(s3, project, options.stage), options.stage, live.modelPackageArn)
      : undefined;
    if (!previous) {
      throw new ValidationError({
        where: 'rollback',
        field: 'to',
        problem: `finds no earlier version of ${options.stage} in the deployment journal (it serves ${live?.modelPackageArn ?? 'nothing'})`,
        fix: 'name the version to go back to with --to VERSION',
      });
    }
    target = previous;
  }
  // Refused before anything changes, with the registry's reason (deployStage checks it again).
  await requireApproved(sagemaker, project, target);
  return { modelPackageArn: target, ...(live?.modelPackageArn ? { from: live.modelPackageArn } : {}) };
}

/**
 * Checks a rollback request before any stage's gate (the deploy workflow's resolve job, which may read the
 * registry but not every stage's endpoint): the stage is one of the project's, and a named version is
 * Approved now. Resolves to the named version's ARN, or undefined when the stage's journal decides.
 */
export async function checkRollbackRequest(
  request: Pick<RollbackOptions, 'stage' | 'to' | 'backend'> & { readonly project: LoadedProjectConfig },
  deps: Pick<DeployStageDeps, 'sagemaker'> = {},
): Promise<string | undefined> {
  checkRollbackStage(request.project, request.stage);
  if (request.to === undefined) return undefined;
  const sagemaker = deps.sagemaker ?? new SageMakerClient(awsClientConfig(request.backend));
  const arn = await namedVersionArn(sagemaker, request.project, request.to);
  await requireApproved(sagemaker, request.project, arn);
  return arn;
}

function checkRollbackStage(project: LoadedProjectConfig, stage: string): void {
  if (!project.stages.includes(stage)) {
    throw new ValidationError({
      where: 'rollback',
      field: 'stage',
      problem: `must be one of ${project.stages.join(', ')}, got ${JSON.stringify(stage)}`,
      fix: 'name a stage of slipway.config.json',
    });
  }
}

/** A version number of the project's group, or a model package ARN. */
async function namedVersionArn(sagemaker: SageMakerClient, project: LoadedProjectConfig, to: string): Promise<string> {
  return /^\d+$/.test(to) ? versionArn(sagemaker, project, Number(to)) : to;
}

async function versionArn(
  sagemaker: SageMakerClient,
  project: Parameters<typeof registryScope>[1],
  version: number,
): Promise<string> {
  const scope = await registryScope(sagemaker, project);
  return modelPackageArn(project.region, scope.account, project.modelPackageGroupName, version);
}
