import { SageMakerClient } from '@aws-sdk/client-sagemaker';
import { ValidationError, awsClientConfig, loadProjectConfig } from '@slipway/core';
import { endpointName } from '../names.js';
import { deployStage, type DeployStageDeps, type DeployStageOptions, type DeployStageResult } from './deploy-stage.js';
import { readLiveDeployment } from './live-deployment.js';

export interface PromoteOptions extends Omit<
  DeployStageOptions,
  'stage' | 'modelPackageArn' | 'replaces' | 'promotedFrom' | 'allowDowngrade'
> {
  /** @default the project's first stage */
  readonly from?: string;
  /** @default the stage after `from` */
  readonly to?: string;
}

/**
 * Deploys to the next stage exactly the version the previous stage serves (prod after staging), so what
 * reaches prod is what passed the staging tests, never "the latest approved". A person asks for it, so it may
 * replace a newer version in the next stage (a downgrade on purpose).
 */
export async function promote(options: PromoteOptions, deps: DeployStageDeps = {}): Promise<DeployStageResult> {
  const project = options.project ?? loadProjectConfig();
  const from = options.from ?? project.stages[0];
  const to = options.to ?? project.stages[project.stages.indexOf(from ?? '') + 1];
  if (!from || !to || !project.stages.includes(from) || !project.stages.includes(to) || from === to) {
    throw new ValidationError({
      where: 'promote',
      field: from && project.stages.includes(from) ? 'to' : 'from',
      problem: `needs two different stages of ${project.stages.join(', ')}, got from=${String(from)} to=${String(to)}`,
      fix: 'name the stages with --from and --to',
    });
  }
  const sagemaker = deps.sagemaker ?? new SageMakerClient(awsClientConfig(options.backend));
  const live = await readLiveDeployment(sagemaker, endpointName(project, from));
  if (live?.status !== 'InService' || !live.modelPackageArn) {
    throw new Error(
      `The ${from} endpoint ${endpointName(project, from)} is not serving a model package (${live?.status ?? 'absent'}); deploy ${from} first`,
    );
  }
  options.log?.(`Promoting ${live.modelPackageArn} from ${from} to ${to}`);
  return deployStage(
    { ...options, project, stage: to, modelPackageArn: live.modelPackageArn, promotedFrom: from, allowDowngrade: true },
    { ...deps, sagemaker },
  );
}
