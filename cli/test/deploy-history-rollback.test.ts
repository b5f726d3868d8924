import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DescribeModelPackageCommand } from '@aws-sdk/client-sagemaker';
import { REPO_ROOT } from '../../deploy-pipeline/test/support/moto-server.js';
import { startSeedServer, type SeedServer } from '../../deploy-pipeline/test/support/seed-registry.js';
import { runCli } from './support.js';

/**
 * `slipway deploy history` and `slipway deploy rollback` on a local server with the real seed model: the
 * deployment journal the deploys write, read back as served periods; a rollback through the same gates,
 * recorded as one; a version that is not Approved refused, naming why, with nothing changed.
 */
describe('slipway deploy history / rollback (local server)', () => {
  let seed: SeedServer;
  let v1: string;
  let v2: string;
  const cli = (argv: string[]) =>
    runCli([...argv, '--endpoint-url', seed.server.url], {
      cwd: REPO_ROOT,
      // Not the server of the default data dir: the environment's credentials (the server's own) sign.
      env: {
        AWS_ACCESS_KEY_ID: seed.server.credentials.accessKeyId,
        AWS_SECRET_ACCESS_KEY: seed.server.credentials.secretAccessKey,
        USER: 'riley',
      },
    });
  const json = async (argv: string[]) => {
    const result = await cli([...argv, '--json']);
    // Progress goes to stderr; the result, JSON, to stdout.
    expect([argv.join(' '), result.code, result.stderr]).toEqual([
      argv.join(' '),
      0,
      expect.not.stringMatching(/^error/m),
    ]);
    return JSON.parse(result.stdout) as Record<string, unknown>;
  };

  beforeAll(async () => {
    seed = await startSeedServer({ group: 'sentiment-models' });
    v1 = await seed.registry.register('Approved');
    v2 = await seed.registry.register('Approved');
  }, 120_000);
  afterAll(() => seed?.close());

  it('records each deploy, and rolls a stage back to the version it served before, through its tests', async () => {
    await json(['deploy', v1, '--stage', 'staging']);
    await json(['deploy', v2, '--stage', 'staging']);
    const rolledBack = await json(['deploy', 'rollback', '--stage', 'staging']);
    expect(rolledBack).toMatchObject({
      stage: 'staging',
      changed: true,
      modelPackageArn: v1,
      test: { passed: true, total: 30 },
    });
    // The lifecycle says so too: v1 serves staging again, v2 was rolled back there.
    const lifecycle = async (arn: string) =>
      (await seed.sagemaker.send(new DescribeModelPackageCommand({ ModelPackageName: arn }))).ModelLifeCycle;
    expect(await lifecycle(v1)).toMatchObject({ Stage: 'Staging', StageStatus: 'Deployed' });
    expect(await lifecycle(v2)).toMatchObject({ Stage: 'Archived', StageStatus: 'RolledBack' });
  }, 120_000);

  it('shows which version served each stage from when to when, who deployed and approved it, and rollbacks', async () => {
    const { deployments } = (await json(['deploy', 'history', '--stage', 'staging'])) as {
      deployments: Record<string, unknown>[];
    };
    expect(deployments).toEqual([
      expect.objectContaining({
        stage: 'staging',
        version: 1,
        kind: 'deploy',
        deployedBy: 'slipway deploy by riley',
        until: expect.any(String),
        approval: expect.objectContaining({ by: expect.any(String) }),
      }),
      expect.objectContaining({ version: 2, kind: 'deploy', until: expect.any(String) }),
      expect.objectContaining({
        version: 1,
        kind: 'rollback',
        replaced: v2,
        deployedBy: 'slipway deploy rollback by riley',
      }),
    ]);
    expect(deployments[2]).not.toHaveProperty('until'); // live
    expect(deployments[0]?.['until']).toBe(deployments[1]?.['at']);
    const table = await cli(['deploy', 'history']);
    expect(table.stdout).toMatch(/^staging +v1 .* live +rollback of v2 +slipway deploy rollback by riley/m);
  });

  it('refuses to roll back to a version that is not Approved, saying why, and changes nothing', async () => {
    await seed.registry.setStatus(v2, 'Rejected');
    const refused = await cli(['deploy', 'rollback', '--stage', 'staging', '--to', '2']);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toMatch(/is Rejected in the registry now, not Approved \(version 2\)/);
    const { deployments } = (await json(['deploy', 'history', '--stage', 'staging'])) as {
      deployments: unknown[];
    };
    expect(deployments).toHaveLength(3);
  });

  it('says what to do when a stage has nothing earlier to go back to', async () => {
    await json(['deploy', v1, '--stage', 'prod']);
    const nothing = await cli(['deploy', 'rollback', '--stage', 'prod']);
    expect(nothing.code).not.toBe(0);
    expect(nothing.stderr).toMatch(/finds no earlier version of prod in the deployment journal.*--to VERSION/);
  }, 120_000);
});
