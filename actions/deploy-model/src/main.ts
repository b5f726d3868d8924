import * as core from '@actions/core';
import { ValidationError, loadProjectConfig, type LoadedProjectConfig } from '@slipway/core';
import {
  chooseBackend,
  deployStage,
  resolveDeployment,
  type DeployStageResult,
  type ResolvedDeployment,
} from '@slipway/deploy-pipeline';

/** Every input of action.yml, read once. `required` in action.yml is not enforced by the runner; this is. */
export interface DeployModelInputs {
  readonly mode: 'resolve' | 'deploy';
  /** resolve: the repository_dispatch type (or model-package-approved for a manual run). */
  readonly eventType: string;
  readonly modelPackageArn: string;
  /** resolve: the payload's claims, cross-checked against the ARN and the registry. */
  readonly modelPackageGroup: string;
  readonly modelPackageVersion: string;
  readonly approvalStatus: string;
  /** deploy: the stage to deploy to. */
  readonly stage: string;
  /** deploy: the rejected version; the stage changes only if it serves that one. */
  readonly replacesModelPackageArn: string;
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
    eventType: input('event-type'),
    modelPackageArn: input('model-package-arn'),
    modelPackageGroup: input('model-package-group'),
    modelPackageVersion: input('model-package-version'),
    approvalStatus: input('approval-status'),
    stage: input('stage'),
    replacesModelPackageArn: input('replaces-model-package-arn'),
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
            eventType: inputs.eventType,
            modelPackageArn: inputs.modelPackageArn,
            modelPackageGroup: inputs.modelPackageGroup,
            modelPackageVersion: inputs.modelPackageVersion,
            approvalStatus: inputs.approvalStatus,
          },
          { project, backend },
        ),
      );
      return;
    }
    await reportDeployment(
      await deployStage({
        stage: inputs.stage,
        ...(inputs.modelPackageArn ? { modelPackageArn: inputs.modelPackageArn } : {}),
        ...(inputs.replacesModelPackageArn ? { replaces: inputs.replacesModelPackageArn } : {}),
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
