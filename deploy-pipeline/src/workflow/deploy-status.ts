import { SageMakerClient } from '@aws-sdk/client-sagemaker';
import { awsClientConfig, parseModelPackageArn, type Backend, type ProjectConfig } from '@slipway/core';
import { readLiveDeployment } from '../deploy/live-deployment.js';
import { endpointName } from '../names.js';
import type { DeployRun } from './deploy-run.js';
import type { DeployRunStore } from './deploy-run-store.js';

/** What one stage's endpoint serves now. */
export interface StageStatus {
  readonly stage: string;
  readonly endpointName: string;
  /** The endpoint's status; absent when the stage has no endpoint. */
  readonly endpointStatus?: string;
  readonly modelPackageArn?: string;
  readonly version?: number;
  readonly failureReason?: string;
}

export interface DeployStatus {
  readonly stages: readonly StageStatus[];
  /** The run waiting at the production gate, if any (local runs only). */
  readonly waiting?: DeployRun;
  /** The newest runs, newest first (local runs only). */
  readonly runs: readonly DeployRun[];
}

export interface DeployStatusDeps {
  readonly project: Pick<ProjectConfig, 'projectName' | 'stages' | 'region'>;
  readonly backend: Backend;
  readonly sagemaker?: SageMakerClient;
  /** The local deploy workflow's runs; absent on AWS, where GitHub keeps the runs. */
  readonly runs?: DeployRunStore;
  /** @default 5 */
  readonly recentRuns?: number;
}

/** Every stage's live version, read from SageMaker itself, plus the local workflow's runs. */
export async function deployStatus(deps: DeployStatusDeps): Promise<DeployStatus> {
  const sagemaker = deps.sagemaker ?? new SageMakerClient(awsClientConfig(deps.backend));
  try {
    const stages = await Promise.all(
      deps.project.stages.map(async (stage): Promise<StageStatus> => {
        const name = endpointName(deps.project, stage);
        const live = await readLiveDeployment(sagemaker, name);
        return {
          stage,
          endpointName: name,
          ...(live ? { endpointStatus: live.status } : {}),
          ...(live?.modelPackageArn
            ? { modelPackageArn: live.modelPackageArn, version: parseModelPackageArn(live.modelPackageArn).version }
            : {}),
          ...(live?.failureReason ? { failureReason: live.failureReason } : {}),
        };
      }),
    );
    const runs = deps.runs ? (await deps.runs.list()).reverse() : [];
    const waiting = runs.find((run) => run.status === 'waiting');
    return { stages, ...(waiting ? { waiting } : {}), runs: runs.slice(0, deps.recentRuns ?? 5) };
  } finally {
    if (!deps.sagemaker) sagemaker.destroy();
  }
}
