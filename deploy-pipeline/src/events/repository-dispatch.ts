import {
  ValidationError,
  describeValue,
  type EventPattern,
  type InputTransformer,
  type ValidationIssue,
} from '@slipway/core';
import {
  DISPATCH_EVENT_TYPES,
  ROUTED_APPROVAL_STATUSES,
  modelPackageApprovalPattern,
  type DispatchEventType,
  type RoutedApprovalStatus,
} from './event-pattern.js';

/** GitHub's limits on `POST /repos/{owner}/{repo}/dispatches`. */
export const REPOSITORY_DISPATCH_LIMITS = Object.freeze({
  eventTypeMaxLength: 100,
  clientPayloadMaxKeys: 10,
  /** The payload must be smaller than 64 KB. */
  clientPayloadMaxBytes: 64 * 1024,
});

/** Headers GitHub requires on the dispatch request (the Connection adds `Authorization` itself). */
export const GITHUB_DISPATCH_HEADERS = Object.freeze({
  Accept: 'application/vnd.github+json',
  'X-GitHub-Api-Version': '2022-11-28',
  'User-Agent': 'slipway-approval-route',
});

export function repositoryDispatchUrl(githubRepository: string): string {
  return `https://api.github.com/repos/${githubRepository}/dispatches`;
}

/** The body of a repository_dispatch request. */
export interface RepositoryDispatchBody {
  readonly event_type: string;
  readonly client_payload: Readonly<Record<string, unknown>>;
}

/** What the approval route puts into `client_payload`: every value a string, as the transformer renders it. */
export interface ApprovalDispatchPayload {
  readonly model_package_arn: string;
  readonly model_package_group: string;
  readonly model_package_version: string;
  readonly approval_status: string;
  /**
   * The EventBridge event's `id`. EventBridge delivers at least once and retries for up to a day, always
   * with the same id: the deploy workflow acts on each id once.
   */
  readonly event_id: string;
}

/** Variables of the dispatch transformer and the event fields they read. */
export const APPROVAL_INPUT_PATHS = Object.freeze({
  arn: '$.detail.ModelPackageArn',
  group: '$.detail.ModelPackageGroupName',
  version: '$.detail.ModelPackageVersion',
  status: '$.detail.ModelApprovalStatus',
  id: '$.id',
});

/**
 * The InputTransformer that turns a model package state change into a repository_dispatch body. EventBridge
 * templates substitute values verbatim, with no conditionals or case mapping, so the event type is a
 * constant of the template and each approval status gets its own rule (see `approvalRoutes`). The
 * placeholders sit inside quotes, so every payload value arrives as a string.
 */
export function dispatchTransformer(eventType: DispatchEventType): InputTransformer {
  const payload: Record<keyof ApprovalDispatchPayload, string> = {
    model_package_arn: '<arn>',
    model_package_group: '<group>',
    model_package_version: '<version>',
    approval_status: '<status>',
    event_id: '<id>',
  };
  return Object.freeze({
    InputPathsMap: APPROVAL_INPUT_PATHS,
    InputTemplate: JSON.stringify({ event_type: eventType, client_payload: payload }),
  });
}

/** One EventBridge rule of the approval route: which events it matches and the body it sends. */
export interface ApprovalRoute {
  readonly approvalStatus: RoutedApprovalStatus;
  readonly eventType: DispatchEventType;
  readonly pattern: EventPattern;
  readonly transformer: InputTransformer;
}

/** The approval route's rules for a model package group: one per routed approval status. */
export function approvalRoutes(groupName: string): readonly ApprovalRoute[] {
  return ROUTED_APPROVAL_STATUSES.map((approvalStatus) => {
    const eventType = DISPATCH_EVENT_TYPES[approvalStatus];
    return Object.freeze({
      approvalStatus,
      eventType,
      pattern: modelPackageApprovalPattern(groupName, [approvalStatus]),
      transformer: dispatchTransformer(eventType),
    });
  });
}

/** Checks a body against GitHub's documented limits; throws naming each broken rule. */
export function validateRepositoryDispatchBody(
  body: unknown,
  where = 'repository_dispatch body',
): RepositoryDispatchBody {
  const issues: ValidationIssue[] = [];
  const add = (field: string, problem: string, fix: string): void => {
    issues.push({ where, field, problem, fix });
  };
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new ValidationError({ where, field: '', problem: `must be a JSON object, got ${describeValue(body)}` });
  }
  const record = body as Record<string, unknown>;
  const eventType = record.event_type;
  if (typeof eventType !== 'string' || eventType.length === 0) {
    add('event_type', `must be a non-empty string, got ${describeValue(eventType)}`, 'name the event type');
  } else if (eventType.length > REPOSITORY_DISPATCH_LIMITS.eventTypeMaxLength) {
    add(
      'event_type',
      `must be at most ${REPOSITORY_DISPATCH_LIMITS.eventTypeMaxLength} characters, got ${eventType.length}`,
      'shorten it',
    );
  }
  const payload = record.client_payload;
  if (payload !== undefined) {
    if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) {
      add('client_payload', `must be a JSON object, got ${describeValue(payload)}`, 'send an object');
    } else {
      const keys = Object.keys(payload).length;
      if (keys > REPOSITORY_DISPATCH_LIMITS.clientPayloadMaxKeys) {
        add(
          'client_payload',
          `must have at most ${REPOSITORY_DISPATCH_LIMITS.clientPayloadMaxKeys} top-level keys, got ${keys}`,
          'nest or drop fields',
        );
      }
      const bytes = Buffer.byteLength(JSON.stringify(payload), 'utf8');
      if (bytes >= REPOSITORY_DISPATCH_LIMITS.clientPayloadMaxBytes) {
        add('client_payload', `must be smaller than 64 KB, got ${bytes} bytes`, 'send references, not data');
      }
    }
  }
  if (issues.length > 0) throw new ValidationError(issues);
  return { event_type: eventType as string, client_payload: (payload ?? {}) as Record<string, unknown> };
}
