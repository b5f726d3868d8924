import type { LoadedProjectConfig } from '@slipway/core';
import {
  GITHUB_SETUP_TOKEN_PERMISSIONS,
  applyGitHubRepository,
  createGitHubClient,
  githubRepositorySetupOptions,
  type GitHubSetupItem,
} from '@slipway/deploy-pipeline';
import type { CliContext } from '../context.js';

/**
 * The environment variable with the token bootstrap sets the repository up with. It is not the dispatch
 * token (SLIPWAY_GITHUB_TOKEN, which AWS keeps for repository_dispatch and needs only Contents): this one
 * administers the repository, so it is used for this run and stored nowhere.
 */
export const GITHUB_SETUP_TOKEN_ENV = 'SLIPWAY_GITHUB_SETUP_TOKEN';

export interface GitHubSetupRun {
  readonly items: readonly GitHubSetupItem[];
  readonly changed: number;
  readonly problems: number;
}

/** Sets the repository up through GitHub's API with the setup token; undefined when there is no token. */
export async function setUpGitHubRepository(
  context: CliContext,
  project: LoadedProjectConfig,
  options: { variables: Readonly<Record<string, string>>; defaultBranch: string; reviewers?: readonly string[] },
): Promise<GitHubSetupRun | undefined> {
  const token = context.env[GITHUB_SETUP_TOKEN_ENV];
  if (!token) return undefined;
  const items = await applyGitHubRepository(
    createGitHubClient(token, context.env),
    githubRepositorySetupOptions(project, {
      variables: options.variables,
      defaultBranch: options.defaultBranch,
      ...(options.reviewers ? { reviewers: options.reviewers } : {}),
    }),
  );
  return {
    items,
    changed: items.filter((item) => item.status === 'created' || item.status === 'updated').length,
    problems: items.filter((item) => !item.ok).length,
  };
}

export function printGitHubSetup(context: CliContext, repository: string, run: GitHubSetupRun): void {
  const { output } = context;
  output.line('');
  output.line(
    run.changed === 0
      ? `GitHub: ${repository} was already set up; nothing changed`
      : `GitHub: set up ${repository} (${run.changed} change${run.changed === 1 ? '' : 's'})`,
    'bold',
  );
  for (const item of run.items) {
    const mark = item.ok ? '✓' : '✗';
    output.line(
      `  ${mark} ${item.item}: ${item.ok ? item.status : `${item.detail}: ${item.fix ?? ''}`}`,
      item.ok ? 'plain' : 'bad',
    );
  }
}

export function githubSetupTokenHelp(): string {
  return `to let bootstrap make these calls itself, export ${GITHUB_SETUP_TOKEN_ENV} with a fine-grained token on the repository with ${GITHUB_SETUP_TOKEN_PERMISSIONS.join('; ')}`;
}
