import * as core from '@actions/core';
import { ActionInputs, failStep, loadActionProject, type InputReader } from '@slipway/core';
import { chooseBackend, deployStage, type DeployStageResult } from '@slipway/deploy-pipeline';

/** Every input of action.yml, read once and checked. */
export interface DeployModelInputs {
  /** The stage to deploy to. */
  readonly stage: string;
  readonly modelPackageArn: string;
  /** The rejected version; the stage changes only if it serves that one. */
  readonly replacesModelPackageArn: string;
  /** The stage that must serve the version first. */
  readonly promotedFrom: string;
  readonly allowDowngrade: boolean;
  readonly backend: string;
  readonly endpointUrl: string;
  readonly config: string;
  readonly timeoutMinutes: number;
}

export function readInputs(read: InputReader): DeployModelInputs {
  const inputs = new ActionInputs(read);
  const stage = inputs.required('stage', 'name one of the stages of slipway.config.json, e.g. stage: staging');
  const replacesModelPackageArn = inputs.text('replaces-model-package-arn');
  // A rollback names the version it replaces; a deploy, the version to serve.
  const modelPackageArn = replacesModelPackageArn
    ? inputs.text('model-package-arn')
    : inputs.required('model-package-arn', 'pass ${{ needs.resolve.outputs.model-package-arn }}');
  const deploy: DeployModelInputs = {
    stage,
    modelPackageArn,
    replacesModelPackageArn,
    promotedFrom: inputs.text('promoted-from'),
    allowDowngrade: inputs.boolean('allow-downgrade', false),
    backend: inputs.text('backend'),
    endpointUrl: inputs.text('endpoint-url'),
    config: inputs.text('config'),
    timeoutMinutes: inputs.number('timeout-minutes', { min: 1, max: 360, integer: true }, 60, 'e.g. 60'),
  };
  inputs.finish();
  return deploy;
}

async function report(result: DeployStageResult): Promise<void> {
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

/** The action: deploy one exact version to one stage, idempotently. Any failure fails the step. */
export async function run(): Promise<void> {
  try {
    const inputs = readInputs((name) => core.getInput(name));
    const project = loadActionProject(inputs.config);
    const backend = chooseBackend({ kind: inputs.backend, endpointUrl: inputs.endpointUrl, region: project.region });
    await report(
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
    failStep(core, error);
  }
}

/** The deployment journal's `deployedBy`: this job's run, as GitHub links it. */
function githubRunUrl(env: NodeJS.ProcessEnv): { deployedBy?: string } {
  const { GITHUB_SERVER_URL: server = 'https://github.com', GITHUB_REPOSITORY: repository, GITHUB_RUN_ID: runId } = env;
  return repository && runId ? { deployedBy: `${server}/${repository}/actions/runs/${runId}` } : {};
}
