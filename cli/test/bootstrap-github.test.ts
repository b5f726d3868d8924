import { afterAll, beforeAll, beforeEach, describe, expect, it, jest } from '@jest/globals';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BootstrapOptions, BootstrapResult } from '@slipway/deploy-pipeline';
import { FakeGitHub } from '../../test/support/fake-github.js';

const DISPATCH_TOKEN = 'github_pat_11AAAAAAA0dispatchdispatchdispatch01';
const SETUP_TOKEN = 'github_pat_11AAAAAAA0setupsetupsetupsetupsetup01';
const VARIABLES = {
  SLIPWAY_AWS_REGION: 'us-east-1',
  SLIPWAY_BUILD_ROLE_ARN: 'arn:aws:iam::123456789012:role/slipway-reviews-github-build',
  SLIPWAY_STAGING_DEPLOY_ROLE_ARN: 'arn:aws:iam::123456789012:role/slipway-reviews-github-deploy-staging',
  SLIPWAY_PROD_DEPLOY_ROLE_ARN: 'arn:aws:iam::123456789012:role/slipway-reviews-github-deploy-prod',
};
const bootstrapProject = jest.fn<(options: BootstrapOptions) => Promise<BootstrapResult>>();
const actual = await import('@slipway/deploy-pipeline');
jest.unstable_mockModule('@slipway/deploy-pipeline', () => ({ ...actual, bootstrapProject }));
const { runCli } = await import('./support.js');

/** A repository's own config (not the template's). */
function projectDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'slipway-bootstrap-'));
  writeFileSync(
    join(dir, 'slipway.config.json'),
    JSON.stringify({
      projectName: 'reviews',
      projectId: 'p-abcdefabcdef',
      region: 'us-east-1',
      pipelineName: 'reviews-pipeline',
      modelPackageGroupName: 'reviews-models',
      artifactBucket: 'slipway-reviews-p-abcdefabcdef',
      githubRepository: 'acme/reviews',
      stages: ['staging', 'prod'],
    }),
  );
  return dir;
}

describe('slipway bootstrap sets up GitHub with SLIPWAY_GITHUB_SETUP_TOKEN', () => {
  const github = new FakeGitHub();
  const env = () => ({
    SLIPWAY_GITHUB_TOKEN: DISPATCH_TOKEN,
    SLIPWAY_GITHUB_SETUP_TOKEN: SETUP_TOKEN,
    GITHUB_API_URL: github.url,
  });

  beforeAll(async () => {
    await github.start();
    github.tokens.add(SETUP_TOKEN);
    github.users.set('alice', 101);
  });
  afterAll(() => github.stop());
  beforeEach(() => {
    bootstrapProject.mockReset();
    bootstrapProject.mockResolvedValue({
      stackName: 'slipway-reviews-project',
      secretName: 'slipway/reviews/github-dispatch-token',
      outputs: {},
      repositoryVariables: VARIABLES,
      githubSetup: actual.githubSetupSteps({ stages: ['staging', 'prod'], githubRepository: 'acme/reviews' }),
    });
  });

  it('sets the variables, environments, reviewers and branch policies; a second run changes nothing', async () => {
    github.addRepository('acme/reviews');
    const cwd = projectDir();
    const first = await runCli(['bootstrap', '--reviewers', 'alice'], { cwd, env: env() });
    expect([first.code, first.stderr]).toEqual([0, '']);
    expect(first.stdout).toMatch(/GitHub: set up acme\/reviews \(9 changes\)/);
    expect(first.stdout).toMatch(/✓ environment "production": created/);
    expect(first.stdout).not.toMatch(/gh api/);
    const state = github.repositories.get('acme/reviews')!;
    expect(state.environments.get('production')?.reviewers).toEqual([{ type: 'User', id: 101 }]);
    expect(state.variables.get('SLIPWAY_PROD_DEPLOY_ROLE_ARN')?.value).toBe(VARIABLES.SLIPWAY_PROD_DEPLOY_ROLE_ARN);
    // The setup token administers the repository: it is used, never handed to AWS.
    expect(bootstrapProject.mock.calls[0]?.[0].githubToken).toBe(DISPATCH_TOKEN);
    expect(github.requests.every((request) => request.authorization === `token ${SETUP_TOKEN}`)).toBe(true);

    const writes = github.writes.length;
    const second = await runCli(['bootstrap', '--reviewers', 'alice', '--json'], { cwd, env: env() });
    expect(second.code).toBe(0);
    expect(github.writes).toHaveLength(writes);
    const { github: items } = JSON.parse(second.stdout) as { github: { status: string }[] };
    expect(new Set(items.map((item) => item.status))).toEqual(new Set(['unchanged']));
    const human = await runCli(['bootstrap'], { cwd, env: env() });
    expect(human.stdout).toMatch(/GitHub: acme\/reviews was already set up; nothing changed/);
    expect(github.violations).toEqual([]);
  });

  it('exits non-zero and says what to fix when production would have no reviewers', async () => {
    github.addRepository('acme/reviews');
    github.repositories.get('acme/reviews')!.environments.clear();
    const result = await runCli(['bootstrap'], { cwd: projectDir(), env: env() });
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(
      /✗ environment "production": required reviewers: has no required reviewers, so nothing stops a deploy to prod: pass --reviewers/,
    );
  });

  it('without a setup token prints the exact calls and how to let bootstrap make them', async () => {
    const result = await runCli(['bootstrap', '--reviewers', 'alice'], {
      cwd: projectDir(),
      env: { SLIPWAY_GITHUB_TOKEN: DISPATCH_TOKEN },
    });
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/gh variable set SLIPWAY_BUILD_ROLE_ARN --repo acme\/reviews/);
    expect(result.stdout).toMatch(/gh api --method PUT repos\/acme\/reviews\/environments\/production/);
    expect(result.stdout).toMatch(/the reviewers you named: alice/);
    expect(result.stdout).toMatch(
      /export SLIPWAY_GITHUB_SETUP_TOKEN with a fine-grained token .*Administration: read and write/,
    );
  });
});
