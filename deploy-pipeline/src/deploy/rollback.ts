import { S3Client } from '@aws-sdk/client-s3';
import { SageMakerClient } from '@aws-sdk/client-sagemaker';
import { ValidationError, awsClientConfig, loadProjectConfig, modelPackageArn } from '@slipway/core';
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
  if (!project.stages.includes(options.stage)) {
    throw new ValidationError({
      where: 'rollback',
      field: 'stage',
      problem: `must be one of ${project.stages.join(', ')}, got ${JSON.stringify(options.stage)}`,
      fix: 'name a stage of slipway.config.json',
    });
  }
  const sagemaker = deps.sagemaker ?? new SageMakerClient(awsClientConfig(options.backend));
  const s3 = deps.s3 ?? new S3Client(awsClientConfig(options.backend));
  const live = await readLiveDeployment(sagemaker, endpointName(project, options.stage));
  let target: string;
  if (options.to !== undefined) {
    target = /^\d+$/.test(options.to) ? await versionArn(sagemaker, project, Number(options.to)) : options.to;
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
  options.log?.(`Rolling ${options.stage} back from ${live?.modelPackageArn ?? 'nothing'} to ${target}`);
  return deployStage(
    { ...options, project, modelPackageArn: target, allowDowngrade: true, rollback: true },
    { ...deps, sagemaker, s3 },
  );
}

async function versionArn(
  sagemaker: SageMakerClient,
  project: Parameters<typeof registryScope>[1],
  version: number,
): Promise<string> {
  const scope = await registryScope(sagemaker, project);
  return modelPackageArn(project.region, scope.account, project.modelPackageGroupName, version);
}
