import * as core from '@actions/core';
import { ValidationError, loadProjectConfig, type LoadedProjectConfig } from '@slipway/core';
import {
  chooseBackend,
  deployStage,
  githubDeliveries,
  githubRunContext,
  resolveDeployment,
  type DeployStageResult,
  type DeployTrigger,
  type ResolvedDeployment,
} from '@slipway/deploy-pipeline';

/** Every input of action.yml, read once. `required` in action.yml is not enforced by the runner; this is. */
export interface DeployModelInputs {
  readonly mode: 'resolve' | 'deploy';
  /** resolve: an approval event (repository_dispatch) or a person (workflow_dispatch). */
  readonly trigger: DeployTrigger;
  /** resolve: the repository_dispatch type (or model-package-approved for a manual run). */
  readonly eventType: string;
  /** resolve: the payload's event id. */
  readonly eventId: string;
  /** resolve: reads the earlier runs of the workflow. */
  readonly githubToken: string;
  readonly modelPackageArn: string;
  /** resolve: the payload's claims, cross-checked against the ARN and the registry. */
  readonly modelPackageGroup: string;
  readonly modelPackageVersion: string;
  readonly approvalStatus: string;
  /** deploy: the stage to deploy to. */
  readonly stage: string;
  /** deploy: the rejected version; the stage changes only if it serves that one. */
  readonly replacesModelPackageArn: string;
  /** deploy: the stage that must serve the version first. */
  readonly promotedFrom: string;
  readonly allowDowngrade: boolean;
  readonly backend: string;
  readonly endpointUrl: string;
  readonly config: string;
  readonly timeoutMinutes: number;
}

export function readInputs(): DeployModelInputs {
  const input = (name: string): string => core.getInput(name);
  const mode = input('mode') || 'deploy';
  if (mode !== 'resolve' && mode !== 'deploy') {
    throw new ValidationError({
      where: 'input mode',
      field: '',
      problem: `must be "resolve" or "deploy", got ${JSON.stringify(mode)}`,
      fix: 'set mode: resolve in the resolve job',
    });
  }
  const triggers: Record<string, DeployTrigger> = { repository_dispatch: 'event', workflow_dispatch: 'manual' };
  const trigger = triggers[input('trigger') || 'repository_dispatch'];
  if (!trigger) {
    throw new ValidationError({
      where: 'input trigger',
      field: '',
      problem: `must be "repository_dispatch" or "workflow_dispatch", got ${JSON.stringify(input('trigger'))}`,
      fix: 'pass trigger: ${{ github.event_name }}',
    });
  }
  const allowDowngrade = input('allow-downgrade') || 'false';
  if (allowDowngrade !== 'true' && allowDowngrade !== 'false') {
    throw new ValidationError({
      where: 'input allow-downgrade',
      field: '',
      problem: `must be "true" or "false", got ${JSON.stringify(allowDowngrade)}`,
      fix: "pass ${{ github.event_name == 'workflow_dispatch' }}",
    });
  }
  const timeout = input('timeout-minutes') || '60';
  const timeoutMinutes = Number(timeout);
  if (!Number.isInteger(timeoutMinutes) || timeoutMinutes < 1 || timeoutMinutes > 360) {
    throw new ValidationError({
      where: 'input timeout-minutes',
      field: '',
      problem: `must be a whole number of minutes from 1 to 360, got ${JSON.stringify(timeout)}`,
      fix: 'e.g. 60',
    });
  }
  const inputs: DeployModelInputs = {
    mode,
    trigger,
    eventType: input('event-type'),
    eventId: input('event-id'),
    githubToken: input('github-token'),
    modelPackageArn: input('model-package-arn'),
    modelPackageGroup: input('model-package-group'),
    modelPackageVersion: input('model-package-version'),
    approvalStatus: input('approval-status'),
    stage: input('stage'),
    replacesModelPackageArn: input('replaces-model-package-arn'),
    promotedFrom: input('promoted-from'),
    allowDowngrade: allowDowngrade === 'true',
    backend: input('backend'),
    endpointUrl: input('endpoint-url'),
    config: input('config'),
    timeoutMinutes,
  };
  const required: (keyof DeployModelInputs)[] =
    mode === 'resolve' ? ['eventType'] : inputs.replacesModelPackageArn ? ['stage'] : ['stage', 'modelPackageArn'];
  for (const key of required) {
    if (!inputs[key]) {
      const name = key.replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`);
      throw new ValidationError({
        where: `input ${name}`,
        field: '',
        problem: `is required when mode is ${mode}`,
        fix: `set ${name} in the step's with:`,
      });
    }
  }
  return inputs;
}

function loadProject(inputs: DeployModelInputs): LoadedProjectConfig {
  return loadProjectConfig({
    ...(inputs.config ? { path: inputs.config } : {}),
    cwd: process.env.GITHUB_WORKSPACE ?? process.cwd(),
  });
}

function reportResolution(resolved: ResolvedDeployment): void {
  core.info(resolved.message);
  core.setOutput('action', resolved.action);
  core.setOutput('model-package-arn', resolved.action === 'none' ? '' : (resolved.modelPackageArn ?? ''));
  core.setOutput('replaces-model-package-arn', resolved.action === 'rollback' ? resolved.rejectedModelPackageArn : '');
  core.setOutput('message', resolved.message);
}

async function reportDeployment(result: DeployStageResult): Promise<void> {
  core.info(result.message);
  core.setOutput('endpoint-name', result.endpointName);
  core.setOutput('endpoint-arn', result.endpointArn ?? '');
  core.setOutput('model-package-arn', result.modelPackageArn ?? '');
  core.setOutput('changed', String(result.changed));
  await core.summary
    .addHeading(`Deploy to ${result.stage}`, 3)
    .addTable([
      [
        { data: 'Endpoint', header: true },
        { data: 'Model package', header: true },
        { data: 'Changed', header: true },
      ],
      [result.endpointName, result.modelPackageArn ?? '(none)', result.changed ? 'yes' : 'no (already live)'],
    ])
    .addRaw(result.message, true)
    .write();
}

/** The action: resolve an untrusted deploy request, or deploy one stage. Any failure fails the step. */
export async function run(): Promise<void> {
  try {
    const inputs = readInputs();
    const project = loadProject(inputs);
    const backend = chooseBackend({ kind: inputs.backend, endpointUrl: inputs.endpointUrl, region: project.region });
    if (inputs.mode === 'resolve') {
      reportResolution(
        await resolveDeployment(
          {
            trigger: inputs.trigger,
            eventType: inputs.eventType,
            modelPackageArn: inputs.modelPackageArn,
            eventId: inputs.eventId,
            modelPackageGroup: inputs.modelPackageGroup,
            modelPackageVersion: inputs.modelPackageVersion,
            approvalStatus: inputs.approvalStatus,
          },
          {
            project,
            backend,
            // An event is acted on once: the earlier runs of this workflow say whether it came before.
            ...(inputs.trigger === 'event'
              ? { deliveries: githubDeliveries(githubRunContext(process.env, inputs.githubToken)) }
              : {}),
          },
        ),
      );
      return;
    }
    await reportDeployment(
      await deployStage({
        stage: inputs.stage,
        ...(inputs.modelPackageArn ? { modelPackageArn: inputs.modelPackageArn } : {}),
        ...(inputs.replacesModelPackageArn ? { replaces: inputs.replacesModelPackageArn } : {}),
        ...(inputs.promotedFrom ? { promotedFrom: inputs.promotedFrom } : {}),
        allowDowngrade: inputs.allowDowngrade,
        ...githubRunUrl(process.env),
        backend,
        project,
        timeoutSeconds: inputs.timeoutMinutes * 60,
        log: (line) => core.info(line),
      }),
    );
  } catch (error) {
    core.setFailed(error instanceof Error ? error.message : String(error));
  }
}

/** The deployment journal's `deployedBy`: this job's run, as GitHub links it. */
function githubRunUrl(env: NodeJS.ProcessEnv): { deployedBy?: string } {
  const { GITHUB_SERVER_URL: server = 'https://github.com', GITHUB_REPOSITORY: repository, GITHUB_RUN_ID: runId } = env;
  return repository && runId ? { deployedBy: `${server}/${repository}/actions/runs/${runId}` } : {};
}
