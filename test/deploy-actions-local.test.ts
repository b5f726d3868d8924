import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { loadProjectConfig } from '@slipway/core';
import { eventRunTitle } from '@slipway/deploy-pipeline';
import type { LocalServer } from '@slipway/local';
import { startSeedServer, type SeedServer } from '../deploy-pipeline/test/support/seed-registry.js';
import { FakeGitHub } from './support/fake-github.js';
import { REPO_ROOT } from './support/moto-server.js';
import { runAction } from './support/run-action.js';

const RESOLVE_DEPLOYMENT = join(REPO_ROOT, 'actions', 'resolve-deployment', 'dist', 'index.js');
const DEPLOY_MODEL = join(REPO_ROOT, 'actions', 'deploy-model', 'dist', 'index.js');
const TEST_ENDPOINT = join(REPO_ROOT, 'actions', 'test-endpoint', 'dist', 'index.js');

/**
 * deploy.yml's steps with the committed bundles, run as the runner runs them (INPUT_*, GITHUB_OUTPUT,
 * GITHUB_STEP_SUMMARY), against the local server with the real seed model: resolve → deploy staging → test
 * it → deploy prod → smoke-test prod.
 */
describe('resolve-deployment, deploy-model and test-endpoint bundles against the local server', () => {
  const group = loadProjectConfig({ path: join(REPO_ROOT, 'slipway.config.json') }).modelPackageGroupName;
  let seed: SeedServer;
  let server: LocalServer;
  let approved: string;
  const local = () => ({ backend: 'local', 'endpoint-url': server.url });
  /** A job pointed at a local server signs with its secret, passed as the job's AWS credentials. */
  const env = () => ({
    AWS_ACCESS_KEY_ID: server.credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: server.credentials.secretAccessKey,
  });
  const deployModel = (inputs: Record<string, string>) =>
    runAction(DEPLOY_MODEL, { ...local(), ...inputs }, { cwd: REPO_ROOT, env: env() });
  const testEndpoint = (inputs: Record<string, string>) =>
    runAction(TEST_ENDPOINT, { ...local(), ...inputs }, { cwd: REPO_ROOT, env: env() });

  /** GitHub's runs API for this workflow: the runs it lists (newest first). */
  let github: Server;
  let listed: { id: number; run_number: number; display_title: string; status: string; conclusion: string }[] = [];
  const githubEnv = () => ({
    GITHUB_API_URL: `http://127.0.0.1:${(github.address() as AddressInfo).port}`,
    GITHUB_REPOSITORY: 'octo-org/sentiment-reviews',
    GITHUB_WORKFLOW_REF: 'octo-org/sentiment-reviews/.github/workflows/deploy.yml@refs/heads/main',
    GITHUB_RUN_ID: '500',
    GITHUB_RUN_NUMBER: '5',
  });

  beforeAll(async () => {
    github = createServer((_request, response) => {
      const runs = listed.map((run) => ({ ...run, created_at: new Date().toISOString() }));
      response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ workflow_runs: runs }));
    });
    await new Promise<void>((resolve) => github.listen(0, '127.0.0.1', resolve));
    seed = await startSeedServer({ group });
    server = seed.server;
    approved = await seed.registry.register('Approved');
  }, 120_000);

  afterAll(async () => {
    await new Promise<void>((resolve) => github.close(() => resolve()));
    await seed?.close();
  });

  it('resolves the dispatch payload against the local registry, once per event id', async () => {
    const event = '844e2571-85d4-695f-b930-0153b71dcb42';
    const inputs = {
      trigger: 'repository_dispatch',
      'event-type': 'model-package-approved',
      'model-package-arn': approved,
      'event-id': event,
      'model-package-group': group,
      'model-package-version': '1',
      'approval-status': 'Approved',
      'github-token': 'ghs_test',
    };
    const resolve = () =>
      runAction(
        RESOLVE_DEPLOYMENT,
        { ...local(), ...inputs },
        {
          cwd: REPO_ROOT,
          env: { ...env(), ...githubEnv() },
        },
      );
    const run = await resolve();
    expect(run.errors).toEqual([]);
    expect(run.outputs).toMatchObject({ action: 'deploy', 'model-package-arn': approved });

    // Run 4 of the workflow received the same event and succeeded: this delivery is a repeat.
    listed = [
      {
        id: 400,
        run_number: 4,
        display_title: eventRunTitle('model-package-approved', '1', event),
        status: 'completed',
        conclusion: 'success',
      },
    ];
    const repeat = await resolve();
    expect(repeat.errors).toEqual([]);
    expect(repeat.outputs).toMatchObject({ action: 'none', 'model-package-arn': '' });
    expect(repeat.outputs.message).toMatch(/was delivered before and .*runs?.400.* handled it \(success\)/);
  });

  it('deploys the seed model to staging, whose endpoint then passes its tests', async () => {
    const deployed = await deployModel({ stage: 'staging', 'model-package-arn': approved });
    expect(deployed.errors).toEqual([]);
    expect(deployed.exitCode).toBe(0);
    expect(deployed.outputs).toEqual({
      'endpoint-name': 'sentiment-staging',
      'endpoint-arn': `arn:aws:sagemaker:${server.region}:000000000000:endpoint/sentiment-staging`,
      'model-package-arn': approved,
      changed: 'true',
    });
    expect(deployed.summary).toMatch(/<h3>Deploy to staging<\/h3>/);

    const tested = await testEndpoint({ stage: 'staging' });
    expect(tested.errors).toEqual([]);
    expect(tested.exitCode).toBe(0);
    expect(tested.outputs.passed).toBe('true');
    expect(Number(tested.outputs.accuracy)).toBeGreaterThanOrEqual(0.7);
    expect(Number(tested.outputs['p95-ms'])).toBeGreaterThan(0);
    expect(tested.summary).toMatch(/Endpoint tests: staging \(sentiment-staging\) passed/);
  }, 120_000);

  it('deploys the same version to prod and smoke-tests it; a repeated staging deploy changes nothing', async () => {
    const prod = await deployModel({ stage: 'prod', 'model-package-arn': approved });
    expect(prod.errors).toEqual([]);
    expect(prod.outputs).toMatchObject({ 'endpoint-name': 'sentiment-prod', changed: 'true' });
    const smoke = await testEndpoint({ stage: 'prod' });
    expect([smoke.exitCode, smoke.outputs.passed]).toEqual([0, 'true']);

    const again = await deployModel({ stage: 'staging', 'model-package-arn': approved });
    expect(again.outputs.changed).toBe('false');
    expect(again.stdout).toContain('staging already serves');
  }, 120_000);

  it('rolls staging back by hand as deploy.yml does, recording each deploy as a GitHub deployment', async () => {
    const fake = await new FakeGitHub().start();
    const token = 'ghs_deployjobtoken0123456789';
    fake.tokens.add(token);
    fake.addRepository('octo-org/sentiment-reviews');
    const job = {
      ...env(),
      GITHUB_API_URL: fake.url,
      GITHUB_REPOSITORY: 'octo-org/sentiment-reviews',
      GITHUB_SHA: '0123456789abcdef0123456789abcdef01234567',
      GITHUB_RUN_ID: '600',
    };
    const step = (bundle: string, inputs: Record<string, string>) =>
      runAction(bundle, { ...local(), ...inputs }, { cwd: REPO_ROOT, env: job });
    try {
      const newer = await seed.registry.register('Approved');
      const deployed = await step(DEPLOY_MODEL, {
        stage: 'staging',
        'model-package-arn': newer,
        'github-token': token,
      });
      expect([deployed.errors, deployed.outputs.changed]).toEqual([[], 'true']);

      // workflow_dispatch with rollback: staging and no version: the stage's own job finds the one before.
      const resolved = await step(RESOLVE_DEPLOYMENT, {
        trigger: 'workflow_dispatch',
        'event-type': 'model-package-approved',
        'rollback-stage': 'staging',
      });
      expect(resolved.errors).toEqual([]);
      expect(resolved.outputs).toMatchObject({
        action: 'rollback',
        'model-package-arn': '',
        'rollback-stage': 'staging',
      });
      const rolledBack = await step(DEPLOY_MODEL, {
        stage: 'staging',
        rollback: 'true',
        'model-package-arn': resolved.outputs['model-package-arn'] ?? '',
        'github-token': token,
      });
      expect(rolledBack.errors).toEqual([]);
      expect(rolledBack.outputs).toMatchObject({ 'model-package-arn': approved, changed: 'true' });

      // GitHub's Environments page: staging serves the version rolled back to; the one it replaced is inactive.
      expect(fake.violations).toEqual([]);
      const staging = fake.repositories.get('octo-org/sentiment-reviews')!.deployments;
      expect(
        staging.map((deployment) => [
          deployment.environment,
          (deployment.payload as { model_package_arn: string; kind: string }).model_package_arn,
          (deployment.payload as { kind: string }).kind,
          deployment.statuses.map((status) => status.state),
        ]),
      ).toEqual([
        ['staging', newer, 'deploy', ['in_progress', 'success', 'inactive']],
        ['staging', approved, 'rollback', ['in_progress', 'success']],
      ]);
      expect(staging[1]?.statuses[1]?.environment_url).toBe(`${server.url}/endpoints/sentiment-staging/invocations`);

      // A version that is not Approved is refused before any gate, with the registry's reason.
      const rejected = await seed.registry.register('Rejected');
      const refused = await step(RESOLVE_DEPLOYMENT, {
        trigger: 'workflow_dispatch',
        'event-type': 'model-package-approved',
        'rollback-stage': 'prod',
        'rollback-to': rejected.split('/').at(-1) ?? '',
      });
      expect(refused.exitCode).toBe(1);
      expect(refused.errors.join('\n')).toMatch(/is Rejected in the registry now, not Approved/);
    } finally {
      await fake.stop();
    }
  }, 180_000);

  it('fails the test job, with an annotation and a summary, when the real endpoint is below its threshold', async () => {
    const strict = await testEndpoint({ stage: 'staging', 'min-accuracy': '1' });
    expect(strict.exitCode).toBe(1);
    expect(strict.errors).toEqual([
      expect.stringMatching(/The staging endpoint failed its tests: Accuracy .* below the minimum 100\.0%/),
    ]);
    expect(strict.outputs.passed).toBe('false');
    expect(strict.summary).toMatch(/FAILED/);
  }, 60_000);
});
