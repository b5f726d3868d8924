import type { getOctokit } from '@actions/github';
import { parseModelPackageArn } from '@slipway/core';

/**
 * A stage's deploy, recorded with GitHub's Deployments API, so that the repository's Environments page shows
 * which model version each environment serves, since when, and the versions before it: one deployment per
 * deploy (task `deploy:model`, the model package in its payload), statuses in_progress → success / failure,
 * and the deployment it replaced marked inactive. GitHub is a record here, never a gate: a call that fails
 * (no `deployments: write`, GitHub unreachable) is a warning that says why, and the deploy goes on.
 */

export type GitHubClient = ReturnType<typeof getOctokit>;

/** The deployments Slipway creates; the ones GitHub creates for each job's `environment:` have task `deploy`. */
export const MODEL_DEPLOYMENT_TASK = 'deploy:model';

/** How long one call to GitHub may take before the deploy gives up recording it. */
const REQUEST_TIMEOUT_MS = 15_000;

/** Earlier deployments read back to find the one still marked live (older ones were replaced before). */
const EARLIER_DEPLOYMENTS = 30;

export interface GitHubDeploymentTarget {
  /** `OWNER/REPO`. */
  readonly repository: string;
  /** The commit the workflow runs (GITHUB_SHA): the code that deployed, not the model. */
  readonly ref: string;
  /** The stage's GitHub environment (`staging`, `production`). */
  readonly environment: string;
  readonly stage: string;
  /** The last stage of slipway.config.json: GitHub shows it as the production environment. */
  readonly production: boolean;
  /** The run that deploys, linked from each status. @default - no link */
  readonly logUrl?: string;
}

/** What the deployment's payload says about the model. */
export interface ModelDeploymentPayload {
  readonly model_package_arn: string;
  readonly model_package_group: string;
  readonly model_package_version: number;
  readonly stage: string;
  readonly endpoint_name: string;
  /** `deploy` or `rollback`. */
  readonly kind: string;
}

export type Warn = (message: string) => void;

/** Why a call failed, in the words a person fixes it with. */
function why(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const status = (error as { status?: unknown }).status;
  if (status === undefined) return message;
  // Octokit gives a request that got no answer (refused, reset, timed out) status 500 and no response.
  if ((error as { response?: unknown }).response === undefined) return `GitHub could not be reached (${message})`;
  if (status === 403 || status === 404) {
    return `GitHub answered ${String(status)} (${message}): give the job permissions: deployments: write`;
  }
  if (status === 401) return `GitHub answered 401 (${message}): the job's github-token was not accepted`;
  return `GitHub answered ${String(status)} (${message})`;
}

function splitRepository(repository: string): { owner: string; repo: string } {
  const [owner, repo, ...rest] = repository.split('/');
  if (!owner || !repo || rest.length > 0) throw new Error(`GITHUB_REPOSITORY must be OWNER/REPO, got "${repository}"`);
  return { owner, repo };
}

/** The model package a deploy is about, as the deployment's payload carries it. */
export function modelDeploymentPayload(
  modelPackageArn: string,
  details: { stage: string; endpointName: string; kind: 'deploy' | 'rollback' },
): ModelDeploymentPayload {
  const { groupNameInArn: group, version } = parseModelPackageArn(modelPackageArn);
  return {
    model_package_arn: modelPackageArn,
    model_package_group: group,
    model_package_version: version,
    stage: details.stage,
    endpoint_name: details.endpointName,
    kind: details.kind,
  };
}

/**
 * The endpoint as GitHub links it from the environment: the SageMaker console's page of the endpoint on AWS,
 * the local server's invocation URL locally.
 */
export function endpointEnvironmentUrl(
  endpointName: string,
  where: { readonly region: string; readonly localUrl?: string },
): string {
  if (where.localUrl)
    return `${where.localUrl.replace(/\/+$/, '')}/endpoints/${encodeURIComponent(endpointName)}/invocations`;
  const { region } = where;
  return `https://${region}.console.aws.amazon.com/sagemaker/home?region=${region}#/endpoints/${encodeURIComponent(endpointName)}`;
}

/** One deployment, created in_progress; `finish` gives it its last status. */
export class GitHubDeployment {
  private constructor(
    private readonly client: GitHubClient,
    private readonly target: GitHubDeploymentTarget,
    private readonly owner: string,
    private readonly repo: string,
    /** The deployment's id in GitHub. */
    readonly id: number,
    private readonly warn: Warn,
  ) {}

  /**
   * Creates the deployment and its in_progress status. Resolves to undefined (after a warning) when GitHub
   * did not take it: the deploy goes on unrecorded.
   */
  static async start(
    client: GitHubClient,
    target: GitHubDeploymentTarget,
    payload: ModelDeploymentPayload,
    warn: Warn,
  ): Promise<GitHubDeployment | undefined> {
    let owner: string;
    let repo: string;
    let id: number;
    try {
      ({ owner, repo } = splitRepository(target.repository));
      const created = await client.rest.repos.createDeployment({
        owner,
        repo,
        ref: target.ref,
        task: MODEL_DEPLOYMENT_TASK,
        environment: target.environment,
        // The model is the artifact; the commit's checks gate the build workflow, not this deploy.
        auto_merge: false,
        required_contexts: [],
        payload: { ...payload },
        description:
          `${payload.kind === 'rollback' ? 'Roll back' : 'Deploy'} ${payload.model_package_group} version ${payload.model_package_version} to ${payload.stage}`.slice(
            0,
            140,
          ),
        transient_environment: false,
        production_environment: target.production,
        request: { signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) },
      });
      if (created.status !== 201 || !('id' in created.data)) {
        throw new Error(`GitHub created no deployment: ${JSON.stringify(created.data)}`);
      }
      id = created.data.id;
    } catch (error) {
      warn(`The deploy to ${target.stage} is not recorded in GitHub's deployments: ${why(error)}. The deploy goes on.`);
      return undefined;
    }
    const deployment = new GitHubDeployment(client, target, owner, repo, id, warn);
    await deployment.status('in_progress', `Deploying version ${payload.model_package_version}`);
    return deployment;
  }

  /** The stage serves the version: success, and every earlier deployment still marked live becomes inactive. */
  async succeeded(environmentUrl: string, description: string): Promise<void> {
    if (!(await this.status('success', description, environmentUrl))) return;
    try {
      const earlier = await this.client.rest.repos.listDeployments({
        owner: this.owner,
        repo: this.repo,
        environment: this.target.environment,
        task: MODEL_DEPLOYMENT_TASK,
        per_page: EARLIER_DEPLOYMENTS,
        request: { signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) },
      });
      for (const deployment of earlier.data) {
        if (deployment.id === this.id) continue;
        const statuses = await this.client.rest.repos.listDeploymentStatuses({
          owner: this.owner,
          repo: this.repo,
          deployment_id: deployment.id,
          per_page: 1,
          request: { signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) },
        });
        if (statuses.data[0]?.state !== 'success') continue;
        await this.client.rest.repos.createDeploymentStatus({
          owner: this.owner,
          repo: this.repo,
          deployment_id: deployment.id,
          state: 'inactive',
          description: `Replaced by deployment ${this.id}`,
          ...(this.target.logUrl ? { log_url: this.target.logUrl } : {}),
          request: { signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) },
        });
      }
    } catch (error) {
      this.warn(
        `The deployments ${this.target.environment} served before are not marked inactive in GitHub: ${why(error)}`,
      );
    }
  }

  async failed(description: string): Promise<void> {
    await this.status('failure', description);
  }

  /** Nothing changed and the stage does not serve the version (a rollback of a version that was not live). */
  async dropped(description: string): Promise<void> {
    await this.status('inactive', description);
  }

  private async status(
    state: 'in_progress' | 'success' | 'failure' | 'inactive',
    description: string,
    environmentUrl?: string,
  ): Promise<boolean> {
    try {
      await this.client.rest.repos.createDeploymentStatus({
        owner: this.owner,
        repo: this.repo,
        deployment_id: this.id,
        state,
        // GitHub keeps at most 140 characters.
        description: description.slice(0, 140),
        ...(environmentUrl ? { environment_url: environmentUrl } : {}),
        ...(this.target.logUrl ? { log_url: this.target.logUrl } : {}),
        auto_inactive: false,
        request: { signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) },
      });
      return true;
    } catch (error) {
      this.warn(`GitHub's deployment ${this.id} of ${this.target.stage} was not marked ${state}: ${why(error)}`);
      return false;
    }
  }
}
