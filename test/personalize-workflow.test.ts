import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import {
  appendFileSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { validateProjectConfig } from '@slipway/core';
import { FakeGitHub } from './support/fake-github.js';
import { REPO_ROOT } from './support/moto-server.js';
import { runWorkflowJob } from './support/run-workflow-job.js';

const WORKFLOW = join(REPO_ROOT, '.github', 'workflows', 'personalize.yml');
const TOKEN = 'ghs_personalizeworkflowtoken0001';
/** The template's config, as "Use this template" copies it. */
const TEMPLATE_CONFIG = {
  ...(JSON.parse(readFileSync(join(REPO_ROOT, 'slipway.config.json'), 'utf8')) as { projectId: string }),
  template: true,
};

function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', args, {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null' },
  }).trim();
}

/**
 * "Use this template": a new repository whose first commit is the template's files. The server is a folder
 * of bare repositories (`<server>/OWNER/REPO.git`), so the workflow's `git push "$SERVER_URL/$REPOSITORY.git"`
 * goes to it as it would to github.com.
 */
function repositoryFromTemplate(server: string, fullName: string): { workspace: string; bare: string } {
  const bare = join(server, `${fullName}.git`);
  mkdirSync(bare, { recursive: true });
  git(bare, 'init', '--quiet', '--bare', '--initial-branch=main');
  const seed = mkdtempSync(join(tmpdir(), 'slipway-template-'));
  git(seed, 'init', '--quiet', '--initial-branch=main');
  copyFileSync(join(REPO_ROOT, 'slipway.config.schema.json'), join(seed, 'slipway.config.schema.json'));
  writeFileSync(join(seed, 'slipway.config.json'), `${JSON.stringify(TEMPLATE_CONFIG, null, 2)}\n`);
  mkdirSync(join(seed, '.github', 'workflows'), { recursive: true });
  copyFileSync(WORKFLOW, join(seed, '.github', 'workflows', 'personalize.yml'));
  git(seed, 'add', '.');
  git(seed, '-c', 'user.name=t', '-c', 'user.email=t@example.com', 'commit', '--quiet', '-m', 'Initial commit');
  git(seed, 'push', '--quiet', bare, 'HEAD:refs/heads/main');
  return { workspace: checkout(bare), bare };
}

/** actions/checkout's result: a clone of the pushed commit. The CLI it would build comes from this checkout. */
function checkout(bare: string): string {
  const workspace = mkdtempSync(join(tmpdir(), 'slipway-workspace-'));
  git(workspace, 'clone', '--quiet', bare, '.');
  symlinkSync(join(REPO_ROOT, 'cli'), join(workspace, 'cli'));
  appendFileSync(join(workspace, '.git', 'info', 'exclude'), 'cli\n');
  return workspace;
}

describe('personalize.yml: the first push of a repository made from the template', () => {
  const github = new FakeGitHub();
  const server = mkdtempSync(join(tmpdir(), 'slipway-git-server-'));
  const context = (overrides: Record<string, unknown> = {}) => ({
    repository: 'acme/reviews',
    ref: 'refs/heads/main',
    token: TOKEN,
    server_url: `file://${server}`,
    api_url: github.url,
    event: { repository: { is_template: false, default_branch: 'main' } },
    ...overrides,
  });
  // The install step's effect (node_modules and a built CLI) is this checkout's: `cli` links to it.
  const replace = { 'Install and build the CLI': 'test -f cli/dist/main.js' };

  beforeAll(async () => {
    await github.start();
    github.tokens.add(TOKEN);
    github.addRepository('acme/reviews');
    github.addRepository('slipway/template');
  });
  afterAll(() => github.stop());

  it('gives the repository its own project, commits it, disables itself, and does nothing the next time', async () => {
    expect(existsSync(join(REPO_ROOT, 'cli', 'dist', 'main.js'))).toBe(true);
    const { workspace, bare } = repositoryFromTemplate(server, 'acme/reviews');
    const run = await runWorkflowJob(WORKFLOW, 'personalize', { github: context(), workspace, replace });
    expect([run.result, run.steps.map((step) => `${step.name}: ${step.outcome}`)]).toEqual([
      'success',
      [
        'Check out: provided',
        "Check whether the config is still the template's: success",
        'Set up Node.js: provided',
        'Install and build the CLI: success',
        'Personalize the config (slipway init): success',
        'Commit and push the personalized config: success',
        'Open a pull request with the personalized config: skipped',
        'Disable this workflow: success',
      ],
    ]);

    // The default branch now holds the personalized config, committed by the workflow.
    expect(git(bare, 'log', '-1', '--format=%an %s', 'main')).toBe(
      'github-actions[bot] Personalize the project for acme/reviews (slipway init)',
    );
    expect(git(bare, 'diff', '--name-only', 'main~1', 'main')).toBe('slipway.config.json');
    const config = validateProjectConfig(JSON.parse(git(bare, 'show', 'main:slipway.config.json')));
    expect(config).toMatchObject({ projectName: 'reviews', githubRepository: 'acme/reviews' });
    expect(config.template).toBeUndefined();
    expect(config.projectId).not.toBe(TEMPLATE_CONFIG.projectId);
    expect(config.artifactBucket).toBe(`slipway-reviews-${config.projectId}`);

    expect(github.writes.map((request) => [request.method, request.path, request.authorization])).toEqual([
      ['PUT', '/repos/acme/reviews/actions/workflows/personalize.yml/disable', `Bearer ${TOKEN}`],
    ]);
    expect(github.repositories.get('acme/reviews')?.disabledWorkflows).toEqual(new Set(['personalize.yml']));
    expect(github.violations).toEqual([]);

    // Were it to run again (re-enabled by hand), the config is the repository's own: nothing changes.
    const head = git(bare, 'rev-parse', 'main');
    const again = await runWorkflowJob(WORKFLOW, 'personalize', {
      github: context(),
      workspace: checkout(bare),
      replace,
    });
    expect(again.result).toBe('success');
    expect(again.steps.filter((step) => step.outcome === 'success').map((step) => step.name)).toEqual([
      "Check whether the config is still the template's",
    ]);
    expect(again.steps[1]?.output).toMatch(/nothing to do/);
    expect(git(bare, 'rev-parse', 'main')).toBe(head);
    expect(github.writes).toHaveLength(1);
  });

  it('does not run in the template repository itself, nor on another branch', async () => {
    const { workspace, bare } = repositoryFromTemplate(server, 'slipway/template');
    const head = git(bare, 'rev-parse', 'main');
    const inTemplate = await runWorkflowJob(WORKFLOW, 'personalize', {
      github: context({
        repository: 'slipway/template',
        event: { repository: { is_template: true, default_branch: 'main' } },
      }),
      workspace,
      replace,
    });
    expect(inTemplate.result).toBe('skipped');
    const onBranch = await runWorkflowJob(WORKFLOW, 'personalize', {
      github: context({ ref: 'refs/heads/feature' }),
      workspace,
      replace,
    });
    expect(onBranch.result).toBe('skipped');
    expect(git(bare, 'rev-parse', 'main')).toBe(head);
  });

  /** A default branch that refuses the bot's push (a protected branch); with `everything`, every branch does. */
  function protect(bare: string, everything = false): void {
    const refuse = everything
      ? 'exit 1'
      : 'while read old new ref; do [ "$ref" = refs/heads/main ] && exit 1; done; exit 0';
    writeFileSync(join(bare, 'hooks', 'pre-receive'), `#!/bin/sh\n${refuse}\n`, { mode: 0o755 });
  }

  it('proposes the config in a pull request when the default branch refuses the push, then disables itself', async () => {
    const { workspace, bare } = repositoryFromTemplate(server, 'acme/protected');
    const repository = github.addRepository('acme/protected');
    const head = git(bare, 'rev-parse', 'main');
    protect(bare);
    const run = await runWorkflowJob(WORKFLOW, 'personalize', {
      github: context({ repository: 'acme/protected' }),
      workspace,
      replace,
    });
    expect([run.result, run.steps.map((step) => `${step.name}: ${step.outcome}`).slice(-3)]).toEqual([
      'success',
      [
        'Commit and push the personalized config: success',
        'Open a pull request with the personalized config: success',
        'Disable this workflow: success',
      ],
    ]);
    expect(run.steps.at(-3)?.output).toMatch(/refused the push .*pull request instead/);
    expect(run.steps.at(-2)?.output).toMatch(
      /Opened pull request #\d+: https:\/\/github\.com\/acme\/protected\/pull\//,
    );

    // main is untouched; the branch holds the personalization commit, on top of it.
    expect(git(bare, 'rev-parse', 'main')).toBe(head);
    expect(git(bare, 'rev-parse', 'slipway/personalize~1')).toBe(head);
    expect(git(bare, 'diff', '--name-only', 'main', 'slipway/personalize')).toBe('slipway.config.json');
    const config = validateProjectConfig(JSON.parse(git(bare, 'show', 'slipway/personalize:slipway.config.json')));
    expect(config).toMatchObject({ projectName: 'protected', githubRepository: 'acme/protected' });
    expect(config.projectId).not.toBe(TEMPLATE_CONFIG.projectId);

    expect(repository.pullRequests).toEqual([
      expect.objectContaining({
        head: 'slipway/personalize',
        base: 'main',
        title: 'Personalize the project for acme/protected (slipway init)',
        state: 'open',
      }),
    ]);
    expect(
      github.writes
        .filter((request) => request.path.startsWith('/repos/acme/protected/'))
        .map((request) => [request.method, request.path, request.authorization]),
    ).toEqual([
      ['POST', '/repos/acme/protected/pulls', `Bearer ${TOKEN}`],
      ['PUT', '/repos/acme/protected/actions/workflows/personalize.yml/disable', `Bearer ${TOKEN}`],
    ]);
    expect(repository.disabledWorkflows).toEqual(new Set(['personalize.yml']));
    expect(github.violations).toEqual([]);

    // Run again by hand before the pull request is merged: the same branch, and no second pull request.
    repository.disabledWorkflows.clear();
    const again = await runWorkflowJob(WORKFLOW, 'personalize', {
      github: context({ repository: 'acme/protected' }),
      workspace: checkout(bare),
      replace,
    });
    expect(again.result).toBe('success');
    expect(again.steps.at(-2)?.output).toMatch(/Pull request #\d+ already proposes/);
    expect(repository.pullRequests).toHaveLength(1);
    expect(git(bare, 'rev-parse', 'main')).toBe(head);
  });

  it('fails, leaving every branch as it was and itself enabled, when no push is allowed at all', async () => {
    const { workspace, bare } = repositoryFromTemplate(server, 'acme/locked');
    const repository = github.addRepository('acme/locked');
    const head = git(bare, 'rev-parse', 'main');
    protect(bare, true);
    const run = await runWorkflowJob(WORKFLOW, 'personalize', {
      github: context({ repository: 'acme/locked' }),
      workspace,
      replace,
    });
    expect(run.result).toBe('failure');
    expect(run.steps.map((step) => step.outcome).slice(-3)).toEqual(['failure', 'skipped', 'skipped']);
    expect(git(bare, 'rev-parse', 'main')).toBe(head);
    expect(git(bare, 'branch', '--list', 'slipway/personalize')).toBe('');
    expect(repository.pullRequests).toEqual([]);
    expect(repository.disabledWorkflows.size).toBe(0);
  });
});
