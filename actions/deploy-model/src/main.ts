import * as core from '@actions/core';
import { getOctokit } from '@actions/github';
import { ActionInputs, failStep, loadActionProject, type Backend, type InputReader } from '@slipway/core';
import {
  chooseBackend,
  deployStage,
  endpointName,
  githubEnvironmentName,
  rollbackTarget,
  type DeployStageResult,
} from '@slipway/deploy-pipeline';
import {
  GitHubDeployment,
  endpointEnvironmentUrl,
  modelDeploymentPayload,
  type GitHubDeploymentTarget,
} from './github-deployment.js';

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
  /** Go back on purpose (the workflow's rollback input): to model-package-arn, or to the journal's previous version. */
  readonly rollback: boolean;
  /** Records the deploy with GitHub's Deployments API; '' records nothing. */
  readonly githubToken: string;
  readonly backend: string;
  readonly endpointUrl: string;
  readonly config: string;
  readonly timeoutMinutes: number;
}

export function readInputs(read: InputReader): DeployModelInputs {
  const inputs = new ActionInputs(read);
  const stage = inputs.required('stage', 'name one of the stages of slipway.config.json, e.g. stage: staging');
  const replacesModelPackageArn = inputs.text('replaces-model-package-arn');
  const rollback = inputs.boolean('rollback', false);
  // A rejection's rollback names the version it replaces, a person's may name the version to go back to; a
  // deploy names the version to serve.
  const modelPackageArn =
    replacesModelPackageArn || rollback
      ? inputs.text('model-package-arn')
      : inputs.required('model-package-arn', 'pass ${{ needs.resolve.outputs.model-package-arn }}');
  const deploy: DeployModelInputs = {
    stage,
    modelPackageArn,
    replacesModelPackageArn,
    promotedFrom: inputs.text('promoted-from'),
    allowDowngrade: inputs.boolean('allow-downgrade', false),
    rollback,
    githubToken: inputs.text('github-token'),
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

/**
 * The action: deploy one exact version to one stage, idempotently, recorded as a GitHub deployment of the
 * stage's environment. A failed deploy fails the step; GitHub failing to record it does not.
 */
export async function run(): Promise<void> {
  try {
    const inputs = readInputs((name) => core.getInput(name));
    const project = loadActionProject(inputs.config);
    const backend = chooseBackend({ kind: inputs.backend, endpointUrl: inputs.endpointUrl, region: project.region });
    const name = endpointName(project, inputs.stage);
    // A person's rollback goes where the CLI's goes: the named version, or the journal's previous one.
    const target = inputs.rollback
      ? (
          await rollbackTarget({
            stage: inputs.stage,
            project,
            backend,
            ...(inputs.modelPackageArn ? { to: inputs.modelPackageArn } : {}),
          })
        ).modelPackageArn
      : inputs.modelPackageArn;
    // A rejection's rollback concerns only the stages serving the rejected version, which deployStage finds
    // out: it is recorded once it changed the stage, so the other stages get no empty record.
    const afterwards = inputs.replacesModelPackageArn !== '';
    const recorded =
      target && !afterwards ? await startGitHubDeployment(inputs, project.stages, target, name) : undefined;
    let result: DeployStageResult;
    try {
      result = await deployStage({
        stage: inputs.stage,
        ...(target ? { modelPackageArn: target } : {}),
        ...(inputs.replacesModelPackageArn ? { replaces: inputs.replacesModelPackageArn } : {}),
        ...(inputs.promotedFrom ? { promotedFrom: inputs.promotedFrom } : {}),
        allowDowngrade: inputs.allowDowngrade || inputs.rollback,
        rollback: inputs.rollback,
        ...githubRunUrl(process.env),
        backend,
        project,
        timeoutSeconds: inputs.timeoutMinutes * 60,
        log: (line) => core.info(line),
      });
    } catch (error) {
      await recorded?.failed(error instanceof Error ? error.message : String(error));
      throw error;
    }
    if (afterwards && target && result.changed && result.modelPackageArn === target) {
      const late = await startGitHubDeployment(inputs, project.stages, target, name);
      await late?.succeeded(environmentUrl(result.endpointName, backend), result.message);
    }
    if (recorded) {
      if (result.modelPackageArn === target) {
        await recorded.succeeded(environmentUrl(result.endpointName, backend), result.message);
      } else {
        await recorded.dropped(result.message);
      }
    }
    await report(result);
  } catch (error) {
    failStep(core, error);
  }
}

function environmentUrl(name: string, backend: Backend): string {
  return endpointEnvironmentUrl(name, {
    region: backend.region,
    ...(backend.kind === 'local' ? { localUrl: backend.endpoint } : {}),
  });
}

/**
 * The deployment in GitHub, in_progress; undefined (with the reason) when it is not recorded: no token, not in
 * a GitHub job, or GitHub did not take it.
 */
async function startGitHubDeployment(
  inputs: DeployModelInputs,
  stages: readonly string[],
  modelPackageArn: string,
  name: string,
): Promise<GitHubDeployment | undefined> {
  const { GITHUB_REPOSITORY: repository, GITHUB_SHA: ref } = process.env;
  if (!inputs.githubToken || !repository || !ref) {
    core.info('The deploy is not recorded in GitHub: it needs github-token, GITHUB_REPOSITORY and GITHUB_SHA');
    return undefined;
  }
  const target: GitHubDeploymentTarget = {
    repository,
    ref,
    environment: githubEnvironmentName(inputs.stage),
    stage: inputs.stage,
    production: stages.at(-1) === inputs.stage,
    ...githubLogUrl(process.env),
  };
  const payload = modelDeploymentPayload(modelPackageArn, {
    stage: inputs.stage,
    endpointName: name,
    kind: inputs.rollback || inputs.replacesModelPackageArn ? 'rollback' : 'deploy',
  });
  // GitHub's API where the job runs (GitHub Enterprise Server has its own; @actions/github reads it only once,
  // when loaded).
  const baseUrl = process.env.GITHUB_API_URL ?? 'https://api.github.com';
  return GitHubDeployment.start(getOctokit(inputs.githubToken, { baseUrl }), target, payload, (line) =>
    core.warning(line),
  );
}

function githubLogUrl(env: NodeJS.ProcessEnv): { logUrl?: string } {
  const url = githubRunUrl(env).deployedBy;
  return url ? { logUrl: url } : {};
}

/** The deployment journal's `deployedBy`: this job's run, as GitHub links it. */
function githubRunUrl(env: NodeJS.ProcessEnv): { deployedBy?: string } {
  const { GITHUB_SERVER_URL: server = 'https://github.com', GITHUB_REPOSITORY: repository, GITHUB_RUN_ID: runId } = env;
  return repository && runId ? { deployedBy: `${server}/${repository}/actions/runs/${runId}` } : {};
}
