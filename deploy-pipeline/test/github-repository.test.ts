import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import {
  applyGitHubRepository,
  createGitHubClient,
  inspectGitHubRepository,
  type GitHubRepositorySetupOptions,
} from '../src/index.js';
import { FakeGitHub } from '../../test/support/fake-github.js';

const TOKEN = 'github_pat_11AAAAAAA0setuptoken0123456789';
const VARIABLES = {
  SLIPWAY_AWS_REGION: 'eu-west-1',
  SLIPWAY_BUILD_ROLE_ARN: 'arn:aws:iam::123456789012:role/slipway-reviews-github-build',
};

describe('the GitHub half of bootstrap, against a fake GitHub checked against the OpenAPI description', () => {
  const github = new FakeGitHub();
  let repositoryCount = 0;
  let repository: string;
  const octokit = () => createGitHubClient(TOKEN, { GITHUB_API_URL: github.url });
  const options = (overrides: Partial<GitHubRepositorySetupOptions> = {}): GitHubRepositorySetupOptions => ({
    repository,
    stages: ['staging', 'prod'],
    defaultBranch: 'main',
    variables: VARIABLES,
    reviewers: ['alice', 'acme/ml-leads'],
    ...overrides,
  });
  const withoutReviewers = (): GitHubRepositorySetupOptions => {
    const { reviewers: _reviewers, ...rest } = options();
    return rest;
  };

  beforeAll(async () => {
    await github.start();
    github.tokens.add(TOKEN);
    github.users.set('alice', 101);
    github.teams.set('acme/ml-leads', 7);
  });
  afterAll(() => github.stop());
  beforeEach(() => {
    repositoryCount += 1;
    repository = `acme/reviews-${repositoryCount}`;
    github.addRepository(repository);
    github.requests.length = 0;
  });

  it('sets up a new repository, then a second run changes nothing and says so', async () => {
    const first = await applyGitHubRepository(octokit(), options());
    expect(first.map((item) => [item.item, item.status, item.ok])).toEqual([
      ['OIDC subject template', 'updated', true],
      ['variable SLIPWAY_AWS_REGION', 'created', true],
      ['variable SLIPWAY_BUILD_ROLE_ARN', 'created', true],
      ['environment "staging"', 'created', true],
      ['environment "staging": branch policy', 'created', true],
      ['environment "production"', 'created', true],
      ['environment "production": required reviewers', 'unchanged', true],
      ['environment "production": branch policy', 'created', true],
    ]);
    const state = github.repositories.get(repository)!;
    expect(state.oidcSub).toEqual({ use_default: false, include_claim_keys: ['repo', 'context', 'job_workflow_ref'] });
    expect(Object.fromEntries([...state.variables].map(([name, { value }]) => [name, value]))).toEqual(VARIABLES);
    expect(state.environments.get('staging')).toMatchObject({
      reviewers: [],
      branchPolicy: { protected_branches: false, custom_branch_policies: true },
      policies: [{ name: 'main', type: 'branch' }],
    });
    expect(state.environments.get('production')).toMatchObject({
      reviewers: [
        { type: 'User', id: 101 },
        { type: 'Team', id: 7 },
      ],
      preventSelfReview: true,
      policies: [{ name: 'main', type: 'branch' }],
    });

    const writes = github.writes.length;
    const second = await applyGitHubRepository(octokit(), options());
    expect(second.every((item) => item.ok && item.status === 'unchanged')).toBe(true);
    expect(github.writes).toHaveLength(writes);
    expect(github.violations).toEqual([]);
  });

  it('reports drift without changing anything, and puts it right when applied', async () => {
    await applyGitHubRepository(octokit(), options());
    const state = github.repositories.get(repository)!;
    state.variables.set('SLIPWAY_BUILD_ROLE_ARN', { value: 'arn:aws:iam::123456789012:role/old', updatedAt: '' });
    state.oidcSub = { use_default: true };
    const writes = github.writes.length;

    const found = await inspectGitHubRepository(octokit(), options());
    expect(found.filter((item) => !item.ok).map((item) => `${item.item}: ${item.detail}: ${item.fix}`)).toEqual([
      "OIDC subject template: uses GitHub's default subject, which names no workflow file: every AWS role refuses it: include the claim keys repo, context, job_workflow_ref",
      `variable SLIPWAY_BUILD_ROLE_ARN: is arn:aws:iam::123456789012:role/old, not ${VARIABLES.SLIPWAY_BUILD_ROLE_ARN}: set it to ${VARIABLES.SLIPWAY_BUILD_ROLE_ARN}`,
    ]);
    expect(github.writes).toHaveLength(writes);

    const applied = await applyGitHubRepository(octokit(), options());
    expect(applied.filter((item) => item.status !== 'unchanged').map((item) => item.item)).toEqual([
      'OIDC subject template',
      'variable SLIPWAY_BUILD_ROLE_ARN',
    ]);
    expect(github.writes.slice(writes).map((request) => request.operationId)).toEqual([
      'actions/set-custom-oidc-sub-claim-for-repo',
      'actions/update-repo-variable',
    ]);
    expect(state.variables.get('SLIPWAY_BUILD_ROLE_ARN')?.value).toBe(VARIABLES.SLIPWAY_BUILD_ROLE_ARN);
    expect(github.violations).toEqual([]);
  });

  it('never invents reviewers nor removes branches a person allowed: it reports them', async () => {
    const result = await applyGitHubRepository(octokit(), withoutReviewers());
    expect(result.find((item) => item.item === 'environment "production": required reviewers')).toMatchObject({
      ok: false,
      status: 'missing',
      detail: expect.stringMatching(/no required reviewers/),
      fix: expect.stringMatching(/pass --reviewers/),
    });
    github.repositories
      .get(repository)!
      .environments.get('staging')!
      .policies.push({ id: 1, name: 'release/*', type: 'branch' });
    const again = await applyGitHubRepository(octokit(), options());
    expect(again.find((item) => item.item === 'environment "staging": branch policy')).toMatchObject({
      ok: false,
      detail: expect.stringMatching(/also allows branch:release\/\*; only main should deploy/),
    });
    expect(github.repositories.get(repository)!.environments.get('staging')!.policies).toHaveLength(2);
    // The reviewers given this time are set.
    expect(again.find((item) => item.item === 'environment "production"')?.status).toBe('updated');
    expect(github.violations).toEqual([]);
  });

  it('fails when a reviewer does not exist, naming it, before changing anything', async () => {
    await expect(applyGitHubRepository(octokit(), options({ reviewers: ['nobody-here'] }))).rejects.toThrow(
      /--reviewers: nobody-here is not a GitHub user the token can see: check the login/,
    );
    expect(github.writes).toEqual([]);
  });

  it('fails with the API error on a bad token', async () => {
    const client = createGitHubClient('github_pat_wrongwrongwrongwrong', { GITHUB_API_URL: github.url });
    await expect(applyGitHubRepository(client, withoutReviewers())).rejects.toMatchObject({
      status: 401,
    });
  });

  it('the fake refuses a request GitHub would refuse: an unknown path, a wrong field type', async () => {
    const client = octokit();
    await expect(
      client.request('PUT /repos/{owner}/{repo}/environment/{name}', { owner: 'acme', repo: 'x', name: 'y' }),
    ).rejects.toMatchObject({ status: 422 });
    await expect(
      client.request('PUT /repos/{owner}/{repo}/environments/{environment_name}', {
        owner: 'acme',
        repo: 'x',
        environment_name: 'production',
        reviewers: 'alice' as unknown as [], // the wrong type on purpose
      }),
    ).rejects.toMatchObject({ status: 422 });
    expect(github.violations.splice(0)).toEqual([
      "PUT /repos/acme/x/environment/y: no such operation in GitHub's OpenAPI description",
      expect.stringMatching(
        /PUT \/repos\/acme\/x\/environments\/production: the body does not match repos\/create-or-update-environment: \/reviewers must be array/,
      ),
    ]);
  });
});
