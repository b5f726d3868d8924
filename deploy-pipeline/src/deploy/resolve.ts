import { S3Client } from '@aws-sdk/client-s3';
import { SageMakerClient } from '@aws-sdk/client-sagemaker';
import {
  ValidationError,
  awsClientConfig,
  describeValue,
  parseModelPackageArn,
  type Backend,
  type ProjectConfig,
  type ValidationIssue,
} from '@slipway/core';
import { DISPATCH_EVENT_TYPES, type DispatchEventType } from '../events/event-pattern.js';
import { checkModelPackageArn } from '../model-package-arn.js';
import { handledBy, type DeliveryHistory, type EarlierDelivery } from './delivery-history.js';
import { requireDeployable } from './model-data.js';
import { describeModelPackage, newestApproved } from './model-package.js';

/**
 * Where a deploy request comes from. `event`: the approval route (repository_dispatch), delivered at least
 * once and possibly late, so it deploys only the newest Approved version, once per event id. `manual`: a
 * person naming a version (workflow_dispatch, the CLI), who may deploy an older Approved version on purpose.
 */
export type DeployTrigger = 'event' | 'manual';

/**
 * What a deploy request claims: the repository_dispatch event type and client_payload fields, or a
 * workflow_dispatch input. All of it is untrusted; every field is `unknown` until checked.
 */
export interface DeployRequest {
  /** @default 'event' */
  readonly trigger?: DeployTrigger;
  /** `model-package-approved` or `model-package-rejected`. */
  readonly eventType: unknown;
  readonly modelPackageArn: unknown;
  /** The EventBridge event's id (`event_id`); required for an event. */
  readonly eventId?: unknown;
  /** Claims of the dispatch payload, cross-checked against the ARN when present. */
  readonly modelPackageGroup?: unknown;
  readonly modelPackageVersion?: unknown;
  readonly approvalStatus?: unknown;
}

/** What the deploy workflow does next, decided from the registry's answers, not from the payload. */
export type ResolvedDeployment =
  | {
      /** Deploy this exact, currently Approved version to every stage in order. */
      readonly action: 'deploy';
      readonly modelPackageArn: string;
      readonly version: number;
      readonly message: string;
    }
  | {
      /** In every stage where `rejectedModelPackageArn` is live, deploy `modelPackageArn` instead. */
      readonly action: 'rollback';
      readonly rejectedModelPackageArn: string;
      /** The newest version still Approved; absent when none is left. */
      readonly modelPackageArn?: string;
      readonly message: string;
    }
  | {
      /** Nothing to do (e.g. a rejection that was reversed before the workflow ran). */
      readonly action: 'none';
      readonly message: string;
    };

export interface ResolveDeps {
  readonly project: Pick<ProjectConfig, 'modelPackageGroupName' | 'region' | 'artifactBucket'>;
  /** Where the registry is asked; ignored when `sagemaker` is given. */
  readonly backend?: Backend;
  /** @default - a client for `backend` (or the project region on AWS) */
  readonly sagemaker?: SageMakerClient;
  /** Reads the model data to check it against the registered checksum. @default - a client for `backend` */
  readonly s3?: S3Client;
  /**
   * The earlier runs of the deploy workflow, to act on each event id once. Required for an event: without it
   * a repeated delivery could not be told from a new one.
   */
  readonly deliveries?: DeliveryHistory;
}

/** Longest value accepted for each payload field: anything longer is refused before any AWS call. */
export const PAYLOAD_FIELD_LIMITS = Object.freeze({
  eventType: 100,
  modelPackageArn: 2048,
  eventId: 64,
  modelPackageGroup: 63,
  modelPackageVersion: 10,
  approvalStatus: 32,
});

const PAYLOAD_FIELD_NAMES: Record<keyof typeof PAYLOAD_FIELD_LIMITS, string> = {
  eventType: 'event_type',
  modelPackageArn: 'model_package_arn',
  eventId: 'event_id',
  modelPackageGroup: 'model_package_group',
  modelPackageVersion: 'model_package_version',
  approvalStatus: 'approval_status',
};

/** EventBridge event ids are UUIDs; the local bus's are too. */
const EVENT_ID = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$/;

const STATUS_OF_EVENT: Record<DispatchEventType, 'Approved' | 'Rejected'> = {
  [DISPATCH_EVENT_TYPES.Approved]: 'Approved',
  [DISPATCH_EVENT_TYPES.Rejected]: 'Rejected',
};

/** Syntax checks that need no AWS call: sizes, event type, ARN shape, group, and the payload's own claims. */
export function checkDeployRequest(
  request: DeployRequest,
  project: ResolveDeps['project'],
): {
  trigger: DeployTrigger;
  eventType: DispatchEventType;
  modelPackageArn: string;
  version: number;
  eventId?: string;
} {
  const trigger = request.trigger ?? 'event';
  if (trigger !== 'event' && trigger !== 'manual') {
    throw new ValidationError({
      where: 'deploy request',
      field: 'trigger',
      problem: `must be "event" or "manual", got ${describeValue(trigger)}`,
      fix: 'repository_dispatch is an event, workflow_dispatch is manual',
    });
  }
  const issues: ValidationIssue[] = [];
  for (const [key, limit] of Object.entries(PAYLOAD_FIELD_LIMITS) as [keyof typeof PAYLOAD_FIELD_LIMITS, number][]) {
    const value = request[key];
    if (value === undefined || value === null || value === '') continue;
    const text = typeof value === 'string' ? value : typeof value === 'number' ? String(value) : undefined;
    if (text === undefined) {
      issues.push({
        where: 'dispatch payload',
        field: PAYLOAD_FIELD_NAMES[key],
        problem: `must be a string, got ${describeValue(value)}`,
        fix: 'send the field as EventBridge renders it',
      });
    } else if (text.length > limit) {
      issues.push({
        where: 'dispatch payload',
        field: PAYLOAD_FIELD_NAMES[key],
        problem: `must be at most ${limit} characters, got ${text.length}`,
        fix: 'send the value the approval route produced',
      });
    }
  }
  if (issues.length > 0) throw new ValidationError(issues);

  const eventType = request.eventType;
  if (!Object.values(DISPATCH_EVENT_TYPES).includes(eventType as DispatchEventType)) {
    throw new ValidationError({
      where: 'dispatch payload',
      field: 'event_type',
      problem: `must be one of ${Object.values(DISPATCH_EVENT_TYPES).join(', ')}, got ${describeValue(eventType)}`,
      fix: 'trigger the workflow through the approval route or workflow_dispatch',
    });
  }
  const eventId = request.eventId === undefined || request.eventId === '' ? undefined : request.eventId;
  if (trigger === 'event' && eventId === undefined) {
    throw new ValidationError({
      where: 'dispatch payload',
      field: 'event_id',
      problem: 'is missing, and an approval event is acted on once per event id',
      fix: 'deploy the approval route of this version of Slipway (npx slipway bootstrap), which sends it',
    });
  }
  if (eventId !== undefined && (typeof eventId !== 'string' || !EVENT_ID.test(eventId))) {
    throw new ValidationError({
      where: 'dispatch payload',
      field: 'event_id',
      problem: `must be an EventBridge event id (letters, digits, ., _, : and -), got ${describeValue(eventId)}`,
      fix: "send the event's id as the approval route renders it",
    });
  }
  if (trigger === 'manual' && eventType !== DISPATCH_EVENT_TYPES.Approved) {
    throw new ValidationError({
      where: 'deploy request',
      field: 'event_type',
      problem: `must be ${DISPATCH_EVENT_TYPES.Approved} for a manual deploy, got ${describeValue(eventType)}`,
      fix: 'reject a version in the Model Registry; its event rolls the stages back',
    });
  }
  const arn = checkModelPackageArn(request.modelPackageArn, project);
  const claims: ValidationIssue[] = [];
  const claimed = (value: unknown): string | undefined =>
    value === undefined || value === null || value === '' ? undefined : String(value);
  const group = claimed(request.modelPackageGroup);
  if (group !== undefined && group !== project.modelPackageGroupName) {
    claims.push({
      where: 'dispatch payload',
      field: 'model_package_group',
      problem: `says ${JSON.stringify(group)}, but this project's group is ${JSON.stringify(project.modelPackageGroupName)}`,
      fix: "only the project's own approvals deploy",
    });
  }
  const version = claimed(request.modelPackageVersion);
  if (version !== undefined && version !== String(arn.version)) {
    claims.push({
      where: 'dispatch payload',
      field: 'model_package_version',
      problem: `says ${JSON.stringify(version)}, but the ARN names version ${arn.version}`,
      fix: 'send the payload the approval route produced',
    });
  }
  const status = claimed(request.approvalStatus);
  const expectedStatus = STATUS_OF_EVENT[eventType as DispatchEventType];
  if (status !== undefined && status !== expectedStatus) {
    claims.push({
      where: 'dispatch payload',
      field: 'approval_status',
      problem: `says ${JSON.stringify(status)}, but the event type ${String(eventType)} means ${expectedStatus}`,
      fix: 'send the payload the approval route produced',
    });
  }
  if (claims.length > 0) throw new ValidationError(claims);
  return {
    trigger,
    eventType: eventType as DispatchEventType,
    modelPackageArn: request.modelPackageArn as string,
    version: arn.version,
    ...(eventId !== undefined ? { eventId: eventId as string } : {}),
  };
}

/**
 * The newest earlier event of a version that was acted on (a run that failed does not count: its event may
 * be acted on again). An approval after it was acted on is a new decision only if a rejection came between.
 */
function decidedBefore(events: readonly EarlierDelivery[]): EarlierDelivery | undefined {
  return events.find((event) => handledBy([event]) !== undefined);
}

/**
 * Turns an untrusted deploy request into a decision. The ARN must parse and name a version of the project's
 * group; the registry (DescribeModelPackage) must say Approved now for an approval. A rejection rolls back to
 * the newest version still Approved, in the stages where the rejected version is live. Anything else throws a
 * ValidationError that names the field, and nothing is deployed.
 *
 * An event is acted on once per event id (`deliveries` says whether an earlier run received it), and once
 * per decision: an approval event of a version whose approval a run already acted on (with no rejection
 * since) is a lifecycle or metadata change and decides `none`, as does a second rejection event. An
 * approval event deploys only the newest Approved version of the group: a late or replayed approval of an
 * older version decides `none`, so it can never downgrade a stage. A manual request may deploy any Approved
 * version.
 */
export async function resolveDeployment(request: DeployRequest, deps: ResolveDeps): Promise<ResolvedDeployment> {
  const { trigger, eventType, modelPackageArn, version, eventId } = checkDeployRequest(request, deps.project);
  if (eventId !== undefined && trigger === 'event') {
    if (!deps.deliveries) throw new Error('resolving an approval event needs the earlier runs, to act on it once');
    const earlier = handledBy(await deps.deliveries.earlierDeliveries(eventId));
    if (earlier) {
      return {
        action: 'none',
        message: `Event ${eventId} was delivered before and ${earlier.run} handled it (${earlier.conclusion ?? earlier.status}); nothing to do for a repeated delivery`,
      };
    }
  }
  // SageMaker sends the same event for a lifecycle or metadata change of a version as for its approval.
  const repeatedDecision = async (): Promise<ResolvedDeployment | undefined> => {
    if (trigger !== 'event' || !deps.deliveries) return undefined;
    const decided = decidedBefore(await deps.deliveries.earlierEventsOfVersion(version));
    if (decided?.eventType !== eventType) return undefined;
    const approval = eventType === DISPATCH_EVENT_TYPES.Approved;
    return {
      action: 'none',
      message: `Version ${version}'s ${approval ? 'approval' : 'rejection'} was received before by ${decided.run} (${decided.conclusion ?? decided.status}); this event is another change of the version (its lifecycle stage or metadata), which deploys nothing${approval ? `. To deploy it again on purpose, run the deploy workflow by hand with ${modelPackageArn}` : ''}`,
    };
  };
  const backend = deps.backend ?? { kind: 'aws', region: deps.project.region };
  const sagemaker = deps.sagemaker ?? new SageMakerClient(awsClientConfig(backend));
  const s3 = deps.s3 ?? new S3Client(awsClientConfig(backend));
  if (eventType === DISPATCH_EVENT_TYPES.Approved) {
    await requireDeployable(sagemaker, s3, deps.project, modelPackageArn);
    if (trigger === 'event') {
      const newest = await newestApproved(sagemaker, deps.project);
      const newestVersion = newest ? parseModelPackageArn(newest).version : undefined;
      if (newest && newestVersion !== undefined && newestVersion > version) {
        return {
          action: 'none',
          message: `Version ${version} is Approved, but version ${newestVersion} is the newest Approved version: an approval event deploys only the newest, so this late or repeated one deploys nothing. To deploy version ${version} on purpose, run the deploy workflow by hand with ${modelPackageArn}`,
        };
      }
      const repeated = await repeatedDecision();
      if (repeated) return repeated;
    }
    return {
      action: 'deploy',
      modelPackageArn,
      version,
      message: `Version ${version} is Approved${trigger === 'event' ? ' and the newest Approved version' : ' (deployed by hand)'}: deploying ${modelPackageArn}`,
    };
  }
  const repeated = await repeatedDecision();
  if (repeated) return repeated;
  const state = await describeModelPackage(sagemaker, deps.project, modelPackageArn);
  if (state.approvalStatus !== 'Rejected') {
    return {
      action: 'none',
      message: `Version ${version} is ${state.approvalStatus} again in the registry; nothing to roll back`,
    };
  }
  const replacement = await newestApproved(sagemaker, deps.project);
  if (replacement) await requireDeployable(sagemaker, s3, deps.project, replacement);
  return {
    action: 'rollback',
    rejectedModelPackageArn: modelPackageArn,
    ...(replacement ? { modelPackageArn: replacement } : {}),
    message: replacement
      ? `Version ${version} was rejected: stages serving it roll back to ${replacement}`
      : `Version ${version} was rejected and no Approved version is left to roll back to`,
  };
}
