import { ListModelPackagesCommand, type SageMakerClient } from '@aws-sdk/client-sagemaker';
import { DEFAULT_RETRAIN_PERIOD_MS, formatPeriod } from './retrain-gate.js';

/**
 * The retrain limit on AWS, where build.yml runs on a fresh runner with no ledger: the shared record is the
 * model package group itself. A retrain ends by registering a version, so "the group's newest version was
 * registered within the period" means a retrain (or a newer build) already produced the version that waits for
 * approval, and another run would only register its twin. Nothing extra is written, so nothing can disagree with
 * the registry; a retrain that failed before registering leaves no record, and the next drift retries. Builds are
 * serialised (build.yml's concurrency group), so a dispatch that arrives while a retrain runs is decided after it
 * has registered. The limit is per group, which every endpoint of the project serves: one retrain covers them all.
 */

export interface RegistryRetrainGateInput {
  readonly modelPackageGroupName: string;
  /** @default DEFAULT_RETRAIN_PERIOD_MS */
  readonly periodMs?: number;
  readonly now?: Date;
}

export type RegistryRetrainDecision =
  | { readonly retrain: true; readonly reason: string }
  | {
      readonly retrain: false;
      readonly reason: string;
      readonly newestModelPackageArn: string;
      readonly nextAllowedAt: string;
    };

export async function decideRetrainFromRegistry(
  sagemaker: SageMakerClient,
  input: RegistryRetrainGateInput,
): Promise<RegistryRetrainDecision> {
  const periodMs = input.periodMs ?? DEFAULT_RETRAIN_PERIOD_MS;
  const now = input.now ?? new Date();
  const page = await sagemaker.send(
    new ListModelPackagesCommand({
      ModelPackageGroupName: input.modelPackageGroupName,
      SortBy: 'CreationTime',
      SortOrder: 'Descending',
      MaxResults: 1,
    }),
  );
  const newest = page.ModelPackageSummaryList?.[0];
  if (!newest?.CreationTime || !newest.ModelPackageArn) {
    return { retrain: true, reason: `${input.modelPackageGroupName} has no version yet` };
  }
  const nextAllowed = new Date(newest.CreationTime.getTime() + periodMs);
  if (now < nextAllowed) {
    return {
      retrain: false,
      reason:
        `${newest.ModelPackageArn} was registered at ${newest.CreationTime.toISOString()}, within the last ` +
        `${formatPeriod(periodMs)}: it is the retrain waiting for approval; one retrain per ${formatPeriod(periodMs)}`,
      newestModelPackageArn: newest.ModelPackageArn,
      nextAllowedAt: nextAllowed.toISOString(),
    };
  }
  return {
    retrain: true,
    reason: `the newest version was registered at ${newest.CreationTime.toISOString()}, over ${formatPeriod(periodMs)} ago`,
  };
}
