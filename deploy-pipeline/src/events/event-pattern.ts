import { MODEL_PACKAGE_STATE_CHANGE, SAGEMAKER_SOURCE, type EventPattern } from '@slipway/core';
import { DEPLOY_WRITTEN_STAGE_STATUSES } from '../deploy/model-lifecycle.js';

/**
 * The EventBridge rule pattern for model package approvals: the one definition the CDK rule, the local event
 * bus and the tests share.
 */

/** The approval statuses that trigger a deployment workflow, and the repository_dispatch type each becomes. */
export const DISPATCH_EVENT_TYPES = Object.freeze({
  Approved: 'model-package-approved',
  Rejected: 'model-package-rejected',
} as const);

export type RoutedApprovalStatus = keyof typeof DISPATCH_EVENT_TYPES;
export type DispatchEventType = (typeof DISPATCH_EVENT_TYPES)[RoutedApprovalStatus];

export const ROUTED_APPROVAL_STATUSES: readonly RoutedApprovalStatus[] = Object.freeze(
  Object.keys(DISPATCH_EVENT_TYPES) as RoutedApprovalStatus[],
);

/**
 * Matches state changes of `groupName`'s packages whose approval status is one of `statuses`. It matches on
 * `detail.ModelPackageGroupName`, never on the ARN string, because SageMaker lowercases names inside ARNs.
 *
 * SageMaker emits the same event when only a version's lifecycle stage changes, and the deploy writes
 * lifecycle stages itself: the pattern leaves out the StageStatus values the deploy writes on versions of
 * these statuses (model-lifecycle.ts), so a deploy does not start runs for its own writes. (With several
 * statuses, only what every status leaves out is left out: none today.) Other lifecycle edits reach the
 * resolve job, which deploys nothing for them.
 */
export function modelPackageApprovalPattern(
  groupName: string,
  statuses: readonly RoutedApprovalStatus[] = ROUTED_APPROVAL_STATUSES,
): EventPattern {
  const [first, ...rest] = statuses.map((status): readonly string[] => DEPLOY_WRITTEN_STAGE_STATUSES[status]);
  const leftOut = (first ?? []).filter((status) => rest.every((other) => other.includes(status)));
  return {
    source: [SAGEMAKER_SOURCE],
    'detail-type': [MODEL_PACKAGE_STATE_CHANGE],
    detail: {
      ModelPackageGroupName: [groupName],
      ModelApprovalStatus: [...statuses],
      ...(leftOut.length > 0
        ? { ModelLifeCycle: { StageStatus: [{ exists: false }, { 'anything-but': [...leftOut] }] } }
        : {}),
    },
  };
}
