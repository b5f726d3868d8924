import type { ProjectConfig } from '@slipway/core';
import { GITHUB_OIDC_SUBJECT_CLAIM_KEYS } from '../github/oidc-subject.js';
import { githubEnvironmentName } from '../names.js';

/** One GitHub REST call of the repository's setup, as data: printed by bootstrap, sendable as it is. */
export interface GitHubSetupRequest {
  readonly method: 'PUT' | 'POST';
  /** Relative to https://api.github.com, without the leading slash. */
  readonly path: string;
  readonly body: Readonly<Record<string, unknown>>;
}

/** A value the request needs that bootstrap cannot know, and how to find it. */
export interface GitHubSetupPlaceholder {
  readonly name: string;
  readonly how: string;
}

export interface GitHubSetupStep {
  readonly title: string;
  /** Why the step matters: what goes wrong without it. */
  readonly why: string;
  readonly request: GitHubSetupRequest;
  readonly placeholders?: readonly GitHubSetupPlaceholder[];
}

/** Stands for a reviewer's numeric user id in the production environment's request. */
export const REVIEWER_ID_PLACEHOLDER = 'REVIEWER_USER_ID';

/**
 * What the repository needs besides its variables, in order: the OIDC subject template the roles' trust
 * policies expect, then each stage's environment, limited to the default branch, with required reviewers on
 * every stage after the first (the production gate).
 */
export function githubSetupSteps(
  project: Pick<ProjectConfig, 'stages' | 'githubRepository'>,
  options: { readonly defaultBranch?: string } = {},
): GitHubSetupStep[] {
  const repo = project.githubRepository ?? 'OWNER/REPO';
  const branch = options.defaultBranch ?? 'main';
  const steps: GitHubSetupStep[] = [
    {
      title: 'Put the workflow file into the OIDC subject',
      why: `the AWS roles trust only a "sub" that names ${repo}, the job's environment (or branch) and the workflow file on ${branch}; until this is set, GitHub's default "sub" matches none of them and every role is refused`,
      request: {
        method: 'PUT',
        path: `repos/${repo}/actions/oidc/customization/sub`,
        body: { use_default: false, include_claim_keys: [...GITHUB_OIDC_SUBJECT_CLAIM_KEYS] },
      },
    },
  ];
  project.stages.forEach((stage, index) => {
    const environment = githubEnvironmentName(stage);
    const gated = index > 0;
    steps.push({
      title: gated
        ? `Create the "${environment}" environment: ${branch} only, with required reviewers`
        : `Create the "${environment}" environment: ${branch} only`,
      why: gated
        ? `the ${stage} role trusts jobs of this environment; its reviewers are the gate before ${stage}, and the branch policy keeps other branches out`
        : `the ${stage} role trusts jobs of this environment; the branch policy keeps other branches out`,
      request: {
        method: 'PUT',
        path: `repos/${repo}/environments/${environment}`,
        body: {
          deployment_branch_policy: { protected_branches: false, custom_branch_policies: true },
          ...(gated ? { reviewers: [{ type: 'User', id: REVIEWER_ID_PLACEHOLDER }], prevent_self_review: true } : {}),
        },
      },
      ...(gated
        ? {
            placeholders: [
              {
                name: REVIEWER_ID_PLACEHOLDER,
                how: 'the reviewer\'s numeric id: gh api users/LOGIN --jq .id (add more {"type": "User"|"Team", "id": N} entries for more reviewers)',
              },
            ],
          }
        : {}),
    });
    steps.push({
      title: `Allow only ${branch} to deploy to "${environment}"`,
      why: 'a custom branch policy with no branch would allow none; this names the default branch',
      request: {
        method: 'POST',
        path: `repos/${repo}/environments/${environment}/deployment-branch-policies`,
        body: { name: branch, type: 'branch' },
      },
    });
  });
  return steps;
}

/** A step as a `gh api` command line a person can paste (the body on stdin). */
export function ghApiCommand(request: GitHubSetupRequest): string {
  return `gh api --method ${request.method} ${request.path} --input - <<'JSON'\n${JSON.stringify(request.body)}\nJSON`;
}

/** A repository variable as a `gh` command line. */
export function ghVariableCommand(repository: string, name: string, value: string): string {
  return `gh variable set ${name} --repo ${repository} --body '${value}'`;
}
