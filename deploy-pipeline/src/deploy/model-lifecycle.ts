import {
  DescribeModelPackageCommand,
  UpdateModelPackageCommand,
  type ModelLifeCycle,
  type SageMakerClient,
} from '@aws-sdk/client-sagemaker';
import { parseModelPackageArn, type ProjectConfig } from '@slipway/core';
import { githubEnvironmentName } from '../names.js';

/**
 * SageMaker's model lifecycle stages (ModelLifeCycle: Stage, StageStatus, StageDescription), as the deploy
 * writes them: a version a stage serves is `<Stage>` / `Deployed` (Staging, Production: the stage's GitHub
 * environment, capitalised), and a version no stage serves any more is `Archived` / `Superseded` (a newer
 * version replaced it) or `Archived` / `RolledBack` (its rejection rolled it back). A version keeps the
 * furthest stage that serves it: prod's `Production` is not turned back into `Staging` when staging moves on.
 *
 * Every lifecycle change emits the same Model Package State Change event as an approval. The approval
 * route's rules leave out the statuses the deploy itself writes (`DEPLOY_WRITTEN_STAGE_STATUSES`), and the
 * resolve job decides `none` for any other change of a version whose approval a run already handled: a
 * lifecycle edit never starts a deploy.
 */
export const LIFECYCLE_STATUS = Object.freeze({
  deployed: 'Deployed',
  superseded: 'Superseded',
  rolledBack: 'RolledBack',
} as const);

/** The Stage of a version no stage serves. */
export const ARCHIVED_STAGE = 'Archived';

/**
 * The StageStatus values the deploy writes, per approval status of the versions it writes them on, which
 * each approval rule therefore leaves out: `Deployed` and `Superseded` on Approved versions, `RolledBack` on
 * a Rejected one (a Rejected version that a stage still serves keeps `Deployed`, and its rejection must
 * reach the rollback).
 */
export const DEPLOY_WRITTEN_STAGE_STATUSES = Object.freeze({
  Approved: Object.freeze([LIFECYCLE_STATUS.deployed, LIFECYCLE_STATUS.superseded]),
  Rejected: Object.freeze([LIFECYCLE_STATUS.rolledBack]),
});

/** The lifecycle Stage of a deploy stage: `staging` → `Staging`, `prod` → `Production`. */
export function lifecycleStageName(stage: string): string {
  const environment = githubEnvironmentName(stage);
  return environment.charAt(0).toUpperCase() + environment.slice(1);
}

type Project = Pick<ProjectConfig, 'stages'>;

/** What one stage change means for the lifecycle of the versions involved. */
export interface StageChange {
  readonly stage: string;
  readonly endpointName: string;
  /** The version the stage serves now. */
  readonly serving: string;
  /** The version it served before, when that was another one. */
  readonly replaced?: string;
  /** The replaced version was rolled back (rejected), not superseded. */
  readonly rollback?: boolean;
  /** @default new Date() */
  readonly at?: Date;
}

/**
 * Writes the lifecycle a stage change implies, idempotently (a version already showing it is not updated,
 * so a repeated deploy emits no event): the served version is `<Stage>/Deployed` unless a later stage
 * already serves it; the replaced version is archived if this stage was the furthest one serving it.
 * Resolves with what it wrote.
 */
export async function recordStageChange(
  sagemaker: SageMakerClient,
  project: Project,
  change: StageChange,
): Promise<{ readonly modelPackageArn: string; readonly lifecycle: ModelLifeCycle }[]> {
  const at = (change.at ?? new Date()).toISOString();
  const stageName = lifecycleStageName(change.stage);
  const rank = (lifecycle: ModelLifeCycle | undefined): number =>
    project.stages.findIndex((stage) => lifecycleStageName(stage) === lifecycle?.Stage);
  const written: { modelPackageArn: string; lifecycle: ModelLifeCycle }[] = [];
  const write = async (modelPackageArn: string, lifecycle: ModelLifeCycle): Promise<void> => {
    await sagemaker.send(
      new UpdateModelPackageCommand({ ModelPackageArn: modelPackageArn, ModelLifeCycle: lifecycle }),
    );
    written.push({ modelPackageArn, lifecycle });
  };

  const serving = await currentLifecycle(sagemaker, change.serving);
  const servingLater =
    serving?.StageStatus === LIFECYCLE_STATUS.deployed && rank(serving) > project.stages.indexOf(change.stage);
  if (!servingLater && !(serving?.Stage === stageName && serving.StageStatus === LIFECYCLE_STATUS.deployed)) {
    await write(change.serving, {
      Stage: stageName,
      StageStatus: LIFECYCLE_STATUS.deployed,
      StageDescription: `Served by ${change.endpointName} since ${at}`,
    });
  }
  if (change.replaced !== undefined && change.replaced !== change.serving) {
    const replaced = await currentLifecycle(sagemaker, change.replaced);
    if (replaced?.Stage === stageName) {
      const version = parseModelPackageArn(change.serving).version;
      await write(change.replaced, {
        Stage: ARCHIVED_STAGE,
        StageStatus: change.rollback ? LIFECYCLE_STATUS.rolledBack : LIFECYCLE_STATUS.superseded,
        StageDescription: `${change.rollback ? 'Rolled back' : 'Replaced'} in ${change.stage} by version ${version} at ${at}`,
      });
    }
  }
  return written;
}

async function currentLifecycle(
  sagemaker: SageMakerClient,
  modelPackageArn: string,
): Promise<ModelLifeCycle | undefined> {
  const described = await sagemaker.send(new DescribeModelPackageCommand({ ModelPackageName: modelPackageArn }));
  return described.ModelLifeCycle;
}
