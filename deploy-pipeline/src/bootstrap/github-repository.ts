import { Octokit } from '@octokit/rest';
import { ValidationError, checkName, type ProjectConfig } from '@slipway/core';
import { GITHUB_OIDC_SUBJECT_CLAIM_KEYS } from '../github/oidc-subject.js';
import { githubEnvironmentName } from '../names.js';

/**
 * The GitHub half of a project's setup, as checks that can also put things right: the OIDC subject template
 * the AWS roles expect, the repository variables the workflows read, and one environment per stage, limited
 * to the default branch, with required reviewers on every stage after the first (the gate before prod).
 * `bootstrap` applies what is missing or different (and says that nothing changed on a second run); `doctor`
 * only reports. Each call is one of GitHub's documented REST operations, through Octokit.
 */

/** A reviewer as a person types it: a user's login, or `ORG/TEAM` (the team's slug). */
export type ReviewerName = string;

export interface GitHubRepositorySetupOptions {
  /** `OWNER/REPO`. */
  readonly repository: string;
  readonly stages: readonly string[];
  /** The branch the environments allow, and the AWS roles trust. */
  readonly defaultBranch: string;
  /** @default - no variables are checked */
  readonly variables?: Readonly<Record<string, string>>;
  /**
   * The required reviewers of each gated environment.
   * @default - reviewers already set are kept; a gated environment without any is reported
   */
  readonly reviewers?: readonly ReviewerName[];
}

export type GitHubSetupStatus = 'unchanged' | 'created' | 'updated' | 'missing' | 'different';

export interface GitHubSetupItem {
  /** What this is about, e.g. `variable SLIPWAY_BUILD_ROLE_ARN`, `environment "production": reviewers`. */
  readonly item: string;
  readonly ok: boolean;
  /** `missing`/`different` when only checked; `created`/`updated` once applied; `unchanged` when it was right. */
  readonly status: GitHubSetupStatus;
  /** What is wrong, or what was done. */
  readonly detail: string;
  /** How to put it right, when not ok. */
  readonly fix?: string;
}

interface Finding {
  readonly status: 'missing' | 'different';
  readonly detail: string;
  /** False when bootstrap must not put it right itself (it would invent or remove what a person chose). */
  readonly fixable?: boolean;
}

interface Check {
  readonly item: string;
  /** Undefined when right; else what is wrong (`missing` when absent). */
  readonly inspect: () => Promise<Finding | undefined>;
  readonly apply: () => Promise<void>;
  readonly fix: string;
}

/** The fine-grained token permissions `bootstrap` needs for the GitHub setup (on the one repository). */
export const GITHUB_SETUP_TOKEN_PERMISSIONS = Object.freeze([
  'Actions: read and write (the OIDC subject template)',
  'Variables: read and write',
  'Administration: read and write (environments and their branch policies)',
  'Members: read, for team reviewers (an organization permission)',
]);

export function createGitHubClient(token: string, env: NodeJS.ProcessEnv = process.env): Octokit {
  return new Octokit({
    auth: token,
    baseUrl: env.GITHUB_API_URL ?? 'https://api.github.com',
    userAgent: 'slipway',
    // Failed calls are thrown and reported by the caller; Octokit's own log would print every expected 404.
    log: { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined },
  });
}

function splitRepository(repository: string): { owner: string; repo: string } {
  const problem = checkName('githubRepository', repository);
  if (problem)
    throw new ValidationError({
      where: 'slipway.config.json',
      field: 'githubRepository',
      problem,
      fix: 'use OWNER/REPO',
    });
  const [owner, repo] = repository.split('/') as [string, string];
  return { owner, repo };
}

function isNotFound(error: unknown): boolean {
  return (error as { status?: number }).status === 404;
}

async function getOrUndefined<T>(request: () => Promise<{ data: T }>): Promise<T | undefined> {
  try {
    return (await request()).data;
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw error;
  }
}

interface Reviewer {
  readonly type: 'User' | 'Team';
  readonly id: number;
  readonly name: string;
}

async function resolveReviewers(octokit: Octokit, names: readonly ReviewerName[]): Promise<Reviewer[]> {
  const resolved: Reviewer[] = [];
  for (const name of names) {
    const team = /^([^/\s]+)\/([^/\s]+)$/.exec(name);
    const found = team
      ? await getOrUndefined(() => octokit.rest.teams.getByName({ org: team[1]!, team_slug: team[2]! }))
      : await getOrUndefined(() => octokit.rest.users.getByUsername({ username: name.replace(/^@/, '') }));
    if (!found) {
      throw new ValidationError({
        where: '--reviewers',
        field: name,
        problem: `is not a GitHub ${team ? 'team' : 'user'} the token can see`,
        fix: team ? 'use ORG/TEAM-SLUG, and give the token Members: read on the organization' : 'check the login',
      });
    }
    resolved.push({ type: team ? 'Team' : 'User', id: found.id, name });
  }
  return resolved;
}

const DEFAULT_BRANCH_ONLY = { protected_branches: false, custom_branch_policies: true } as const;

function checks(
  octokit: Octokit,
  options: GitHubRepositorySetupOptions,
  reviewers: readonly Reviewer[] | undefined,
): Check[] {
  const { owner, repo } = splitRepository(options.repository);
  const list: Check[] = [];
  const claimKeys = [...GITHUB_OIDC_SUBJECT_CLAIM_KEYS];
  list.push({
    item: 'OIDC subject template',
    fix: `include the claim keys ${claimKeys.join(', ')}`,
    inspect: async () => {
      const { data } = await octokit.rest.actions.getCustomOidcSubClaimForRepo({ owner, repo });
      if (!data.use_default && JSON.stringify(data.include_claim_keys ?? []) === JSON.stringify(claimKeys))
        return undefined;
      return {
        status: 'different',
        detail: data.use_default
          ? "uses GitHub's default subject, which names no workflow file: every AWS role refuses it"
          : `has the claim keys ${(data.include_claim_keys ?? []).join(', ')}, not ${claimKeys.join(', ')}`,
      };
    },
    apply: async () => {
      await octokit.rest.actions.setCustomOidcSubClaimForRepo({
        owner,
        repo,
        use_default: false,
        include_claim_keys: claimKeys,
      });
    },
  });

  for (const [name, value] of Object.entries(options.variables ?? {})) {
    let exists = false;
    list.push({
      item: `variable ${name}`,
      fix: `set it to ${value}`,
      inspect: async () => {
        const current = await getOrUndefined(() => octokit.rest.actions.getRepoVariable({ owner, repo, name }));
        exists = current !== undefined;
        if (current?.value === value) return undefined;
        return current
          ? { status: 'different', detail: `is ${current.value}, not ${value}` }
          : { status: 'missing', detail: 'is not set' };
      },
      apply: async () => {
        if (exists) await octokit.rest.actions.updateRepoVariable({ owner, repo, name, value });
        else await octokit.rest.actions.createRepoVariable({ owner, repo, name, value });
      },
    });
  }

  options.stages.forEach((stage, index) => {
    const environment_name = githubEnvironmentName(stage);
    const gated = index > 0;
    type Environment = Awaited<ReturnType<typeof octokit.rest.repos.getEnvironment>>['data'];
    let current: Environment | undefined;
    const currentReviewers = (): { type: string; id: number }[] =>
      (current?.protection_rules ?? []).flatMap((rule) =>
        'reviewers' in rule && Array.isArray(rule.reviewers)
          ? rule.reviewers.flatMap((reviewer) =>
              reviewer.type && reviewer.reviewer && 'id' in reviewer.reviewer
                ? [{ type: reviewer.type, id: reviewer.reviewer.id }]
                : [],
            )
          : [],
      );
    const wantedReviewers = (): { type: 'User' | 'Team'; id: number }[] | undefined =>
      gated ? (reviewers ?? undefined)?.map(({ type, id }) => ({ type, id })) : undefined;
    const sameReviewers = (a: { type: string; id: number }[], b: { type: string; id: number }[]): boolean =>
      JSON.stringify(a.map((r) => `${r.type}:${r.id}`).sort()) ===
      JSON.stringify(b.map((r) => `${r.type}:${r.id}`).sort());
    list.push({
      item: `environment "${environment_name}"`,
      fix: gated
        ? `create it with required reviewers (--reviewers) and custom branch policies`
        : 'create it with custom branch policies',
      inspect: async () => {
        current = await getOrUndefined(() => octokit.rest.repos.getEnvironment({ owner, repo, environment_name }));
        if (!current) return { status: 'missing', detail: 'does not exist' };
        const problems: string[] = [];
        const policy = current.deployment_branch_policy;
        if (!policy || policy.protected_branches || !policy.custom_branch_policies)
          problems.push('does not limit deployments to chosen branches (custom branch policies)');
        const wanted = wantedReviewers();
        if (wanted && !sameReviewers(wanted, currentReviewers()))
          problems.push(`has reviewers ${JSON.stringify(currentReviewers())}, not those of --reviewers`);
        return problems.length > 0 ? { status: 'different', detail: problems.join('; ') } : undefined;
      },
      apply: async () => {
        const wanted = wantedReviewers();
        await octokit.rest.repos.createOrUpdateEnvironment({
          owner,
          repo,
          environment_name,
          deployment_branch_policy: DEFAULT_BRANCH_ONLY,
          ...(wanted ? { reviewers: wanted, prevent_self_review: true } : {}),
        });
        current = (await octokit.rest.repos.getEnvironment({ owner, repo, environment_name })).data;
      },
    });
    if (gated) {
      list.push({
        item: `environment "${environment_name}": required reviewers`,
        fix: 'pass --reviewers LOGIN[,ORG/TEAM]: they are the gate before this stage',
        inspect: async () =>
          currentReviewers().length > 0
            ? undefined
            : {
                status: 'missing',
                detail: `has no required reviewers, so nothing stops a deploy to ${stage}`,
                fixable: false,
              },
        apply: async () => undefined,
      });
    }
    list.push({
      item: `environment "${environment_name}": branch policy`,
      fix: `allow only ${options.defaultBranch}`,
      inspect: async () => {
        const policies = current
          ? ((await getOrUndefined(() =>
              octokit.rest.repos.listDeploymentBranchPolicies({ owner, repo, environment_name, per_page: 100 }),
            )) ?? { branch_policies: [] })
          : { branch_policies: [] };
        const names = policies.branch_policies.map((policy) => `${policy.type ?? 'branch'}:${policy.name}`);
        const others = names.filter((name) => name !== `branch:${options.defaultBranch}`);
        if (!names.includes(`branch:${options.defaultBranch}`))
          return { status: 'missing', detail: `does not allow ${options.defaultBranch}` };
        // Other branches a person allowed are reported, never removed behind their back.
        if (others.length > 0)
          return {
            status: 'different',
            detail: `also allows ${others.join(', ')}; only ${options.defaultBranch} should deploy (remove the others in Settings → Environments)`,
            fixable: false,
          };
        return undefined;
      },
      apply: async () => {
        await octokit.rest.repos.createDeploymentBranchPolicy({
          owner,
          repo,
          environment_name,
          name: options.defaultBranch,
          type: 'branch',
        });
      },
    });
  });
  return list;
}

/** Reports each part of the repository's setup without changing anything. */
export function inspectGitHubRepository(
  octokit: Octokit,
  options: GitHubRepositorySetupOptions,
): Promise<GitHubSetupItem[]> {
  return runChecks(octokit, options, false);
}

/**
 * Puts the repository's setup right: each part that is missing or different is created or updated, the rest
 * left alone, so a second run sends no writes. A gated environment with no reviewers and none given is
 * reported (`ok: false`) rather than invented; other allowed branches are reported, not removed.
 */
export function applyGitHubRepository(
  octokit: Octokit,
  options: GitHubRepositorySetupOptions,
): Promise<GitHubSetupItem[]> {
  return runChecks(octokit, options, true);
}

async function runChecks(
  octokit: Octokit,
  options: GitHubRepositorySetupOptions,
  apply: boolean,
): Promise<GitHubSetupItem[]> {
  // Reviewers are resolved first, so an unknown one fails the run before anything changes.
  const reviewers = options.reviewers ? await resolveReviewers(octokit, options.reviewers) : undefined;
  const items: GitHubSetupItem[] = [];
  for (const check of checks(octokit, options, reviewers)) {
    const found = await check.inspect();
    if (!found) {
      items.push({ item: check.item, ok: true, status: 'unchanged', detail: 'as expected' });
    } else if (!apply || found.fixable === false) {
      items.push({ item: check.item, ok: false, status: found.status, detail: found.detail, fix: check.fix });
    } else {
      await check.apply();
      const status = found.status === 'missing' ? 'created' : 'updated';
      items.push({ item: check.item, ok: true, status, detail: found.detail });
    }
  }
  return items;
}

export type { Octokit };

/** The repository's setup options from the project config and what bootstrap knows. */
export function githubRepositorySetupOptions(
  project: Pick<ProjectConfig, 'githubRepository' | 'stages'>,
  options: Omit<GitHubRepositorySetupOptions, 'repository' | 'stages'>,
): GitHubRepositorySetupOptions {
  if (!project.githubRepository) {
    throw new ValidationError({
      where: 'slipway.config.json',
      field: 'githubRepository',
      problem: 'is not set, so there is no repository to set up',
      fix: 'run `npx slipway init --github OWNER/REPO`',
    });
  }
  return { repository: project.githubRepository, stages: project.stages, ...options };
}
