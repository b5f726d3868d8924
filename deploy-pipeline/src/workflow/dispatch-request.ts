import type { DeployRequest } from '../deploy/resolve.js';
import type { ApprovalDispatchPayload, RepositoryDispatchBody } from '../events/repository-dispatch.js';

/**
 * What the deploy workflow's resolve job reads from a repository_dispatch (deploy.yml:
 * `github.event.action` and `github.event.client_payload.*`). Nothing is trusted here; `resolveDeployment`
 * checks every field.
 */
export function dispatchRequest(body: RepositoryDispatchBody): DeployRequest {
  const payload = body.client_payload as Partial<Record<keyof ApprovalDispatchPayload, unknown>>;
  return {
    trigger: 'event',
    eventId: payload.event_id,
    eventType: body.event_type,
    modelPackageArn: payload.model_package_arn,
    modelPackageGroup: payload.model_package_group,
    modelPackageVersion: payload.model_package_version,
    approvalStatus: payload.approval_status,
  };
}
