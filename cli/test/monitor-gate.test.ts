/**
 * `slipway monitor gate`, build.yml's retrain limit on AWS, against moto's model registry: the first drift
 * dispatch retrains; while the version it registered is younger than the period, the next is held; the step
 * output tells the pipeline step which.
 */
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SageMakerClient } from '@aws-sdk/client-sagemaker';
import {
  REPO_ROOT,
  describeWithMoto,
  motoClientConfig,
  type MotoServer,
} from '../../deploy-pipeline/test/support/moto-server.js';
import { registerVersion } from '../../deploy-pipeline/test/support/registry.js';
import { runCli } from './support.js';

describeWithMoto('slipway monitor gate (against moto)', (server) => {
  let moto: MotoServer;
  const githubOutput = join(mkdtempSync(join(tmpdir(), 'slipway-gate-')), 'output');
  const gate = (argv: string[] = [], env: Record<string, string> = { GITHUB_OUTPUT: githubOutput }) =>
    runCli(['monitor', 'gate', '--aws', '--github-output', ...argv], { cwd: REPO_ROOT, env });
  const saved = { ...process.env };

  // `--aws` uses the SDK's default credentials and endpoint resolution, which read the process environment:
  // pointed at moto here, as AWS_ENDPOINT_URL_SAGEMAKER would point a real run elsewhere.
  beforeAll(() => {
    moto = server();
    process.env.AWS_ENDPOINT_URL_SAGEMAKER = moto.url;
    process.env.AWS_ACCESS_KEY_ID = moto.credentials.accessKeyId;
    process.env.AWS_SECRET_ACCESS_KEY = moto.credentials.secretAccessKey;
    delete process.env.AWS_PROFILE;
  });
  afterAll(() => {
    process.env = saved;
  });

  it('retrains when the group has no version, holds the next within the period, and writes the step output', async () => {
    writeFileSync(githubOutput, '');
    const first = await gate();
    expect([first.code, first.stdout]).toEqual([0, 'Retrain: sentiment-models has no version yet.\n']);
    // The retrain registers a version; a drift dispatch an hour later is held.
    await registerVersion(new SageMakerClient(motoClientConfig(moto)), 'sentiment-models', 'PendingManualApproval');
    const second = await gate(['--retrain-period', '24']);
    expect(second.code).toBe(0);
    expect(second.stdout).toMatch(/^No retrain: .*sentiment-models\/1 was registered at .*one retrain per 24 h\.\n$/);
    expect(readFileSync(githubOutput, 'utf8')).toBe('retrain=true\nretrain=false\n');
  });

  it('names the missing GITHUB_OUTPUT and a bad period', async () => {
    const noOutput = await runCli(['monitor', 'gate', '--aws', '--github-output'], {
      cwd: REPO_ROOT,
      env: {
        SLIPWAY_ENDPOINT_URL: moto.url,
        AWS_ACCESS_KEY_ID: moto.credentials.accessKeyId,
        AWS_SECRET_ACCESS_KEY: moto.credentials.secretAccessKey,
      },
    });
    expect(noOutput.code).not.toBe(0);
    expect(noOutput.stderr).toMatch(/GITHUB_OUTPUT.*is not set/);
    const badPeriod = await gate(['--retrain-period', '0']);
    expect(badPeriod.stderr).toMatch(/--retrain-period.*must be a positive number/);
  });
});
