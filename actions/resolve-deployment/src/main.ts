import * as core from '@actions/core';
import { ActionInputs, failStep, loadActionProject, type InputReader } from '@slipway/core';
import {
  checkRollbackRequest,
  chooseBackend,
  githubDeliveries,
  githubRunContext,
  resolveDeployment,
  type DeployRequest,
  type DeployTrigger,
  type ResolvedDeployment,
} from '@slipway/deploy-pipeline';

/** Every input of action.yml, read once and checked. */
export interface ResolveInputs {
  readonly request: DeployRequest;
  /** A person's rollback (workflow_dispatch): the stage, and optionally the version to go back to. */
  readonly rollback?: { readonly stage: string; readonly to?: string };
  /** Reads the earlier runs of the workflow. */
  readonly githubToken: string;
  readonly backend: string;
  readonly endpointUrl: string;
  readonly config: string;
}

const TRIGGERS: Readonly<Record<string, DeployTrigger>> = { repository_dispatch: 'event', workflow_dispatch: 'manual' };

export function readInputs(read: InputReader): ResolveInputs {
  const inputs = new ActionInputs(read);
  const trigger = inputs.choice('trigger', TRIGGERS, 'repository_dispatch', 'pass trigger: ${{ github.event_name }}');
  const eventType = inputs.required(
    'event-type',
    "pass ${{ github.event_name == 'workflow_dispatch' && 'model-package-approved' || github.event.action }}",
  );
  const rollbackStage = inputs.text('rollback-stage');
  const rollbackTo = inputs.text('rollback-to');
  const resolved: ResolveInputs = {
    ...(rollbackStage ? { rollback: { stage: rollbackStage, ...(rollbackTo ? { to: rollbackTo } : {}) } } : {}),
    request: {
      trigger,
      eventType,
      modelPackageArn: inputs.text('model-package-arn'),
      eventId: inputs.text('event-id'),
      modelPackageGroup: inputs.text('model-package-group'),
      modelPackageVersion: inputs.text('model-package-version'),
      approvalStatus: inputs.text('approval-status'),
    },
    githubToken: inputs.text('github-token'),
    backend: inputs.text('backend'),
    endpointUrl: inputs.text('endpoint-url'),
    config: inputs.text('config'),
  };
  inputs.finish();
  return resolved;
}

function report(resolved: ResolvedDeployment): void {
  core.info(resolved.message);
  core.setOutput('action', resolved.action);
  core.setOutput('model-package-arn', resolved.action === 'none' ? '' : (resolved.modelPackageArn ?? ''));
  core.setOutput('replaces-model-package-arn', resolved.action === 'rollback' ? resolved.rejectedModelPackageArn : '');
  core.setOutput('rollback-stage', '');
  core.setOutput('message', resolved.message);
}

/**
 * A person's rollback of one stage: checked here (the stage is the project's; a named version is Approved now,
 * or the run stops with the registry's reason before any gate); the stage's own job finds the version before
 * when none is named, and deploys it (actions/deploy-model with rollback: true).
 */
async function resolveRollback(
  rollback: NonNullable<ResolveInputs['rollback']>,
  target: string | undefined,
): Promise<void> {
  const message = `Roll ${rollback.stage} back to ${target ?? 'the version it served before its current one'}`;
  core.info(message);
  core.setOutput('action', 'rollback');
  core.setOutput('model-package-arn', target ?? '');
  core.setOutput('replaces-model-package-arn', '');
  core.setOutput('rollback-stage', rollback.stage);
  core.setOutput('message', message);
}

/** The action: resolve an untrusted deploy request into what to deploy. Any failure fails the step. */
export async function run(): Promise<void> {
  try {
    const inputs = readInputs((name) => core.getInput(name));
    const project = loadActionProject(inputs.config);
    const backend = chooseBackend({ kind: inputs.backend, endpointUrl: inputs.endpointUrl, region: project.region });
    if (inputs.rollback) {
      if (inputs.request.trigger !== 'manual') {
        throw new Error("A rollback is a person's request: rollback-stage is read from workflow_dispatch runs only");
      }
      const target = await checkRollbackRequest({ ...inputs.rollback, project, backend });
      await resolveRollback(inputs.rollback, target);
      return;
    }
    const resolved = await resolveDeployment(inputs.request, {
      project,
      backend,
      // An event is acted on once: the earlier runs of this workflow say whether it came before.
      ...(inputs.request.trigger === 'event'
        ? { deliveries: githubDeliveries(githubRunContext(process.env, inputs.githubToken)) }
        : {}),
    });
    report(resolved);
  } catch (error) {
    failStep(core, error);
  }
}
