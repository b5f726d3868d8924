import * as core from '@actions/core';
import { ActionInputs, failStep, loadActionProject, type InputReader } from '@slipway/core';
import {
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
  const resolved: ResolveInputs = {
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
  core.setOutput('message', resolved.message);
}

/** The action: resolve an untrusted deploy request into what to deploy. Any failure fails the step. */
export async function run(): Promise<void> {
  try {
    const inputs = readInputs((name) => core.getInput(name));
    const project = loadActionProject(inputs.config);
    const backend = chooseBackend({ kind: inputs.backend, endpointUrl: inputs.endpointUrl, region: project.region });
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
