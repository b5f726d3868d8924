/**
 * `slipway monitor gate`, build.yml's retrain limit on AWS, against moto's S3: it reads the dispatch from
 * GitHub's event file and admits it through the retrain ledger in the artifact bucket. Two endpoints drifting in
 * one period retrain twice; one endpoint drifting twice retrains once; a redelivery is a duplicate. The step
 * output tells the pipeline step which, and `monitor status --aws` lists the retrains from the same ledger.
 */
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { loadProjectConfig } from '@slipway/core';
import { DRIFT_DISPATCH_EVENT_TYPE, type DriftDispatchPayload } from '@slipway/deploy-pipeline';
import {
  REPO_ROOT,
  describeWithMoto,
  motoClientConfig,
  type MotoServer,
} from '../../deploy-pipeline/test/support/moto-server.js';
import { runCli } from './support.js';

describeWithMoto('slipway monitor gate (against moto)', (server) => {
  let moto: MotoServer;
  const dir = mkdtempSync(join(tmpdir(), 'slipway-gate-'));
  const githubOutput = join(dir, 'output');
  const project = loadProjectConfig({ cwd: REPO_ROOT });
  const saved = { ...process.env };
  let events = 0;

  /** Writes the event file GitHub gives a repository_dispatch run, and runs the gate on it. */
  const gate = (payload: Partial<DriftDispatchPayload>, argv: string[] = []) => {
    const file = join(dir, `event-${(events += 1)}.json`);
    const clientPayload: DriftDispatchPayload = {
      endpoint_name: 'sentiment-prod',
      model_package_arn: `arn:aws:sagemaker:us-east-1:000000000000:model-package/${project.modelPackageGroupName}/1`,
      check_id: 'check-1',
      window_end: '2026-12-04T11:00:00Z',
      report_s3_uri: `s3://${project.artifactBucket}/monitoring/sentiment-prod/check-1/`,
      event_id: 'evt-1',
      ...payload,
    };
    writeFileSync(file, JSON.stringify({ action: DRIFT_DISPATCH_EVENT_TYPE, client_payload: clientPayload }));
    return runCli(['monitor', 'gate', '--aws', '--github-output', '--dispatch', file, ...argv], {
      cwd: REPO_ROOT,
      env: { GITHUB_OUTPUT: githubOutput },
    });
  };

  // `--aws` uses the SDK's default credentials and endpoint resolution, which read the process environment:
  // pointed at moto here, as AWS_ENDPOINT_URL_S3 would point a real run elsewhere.
  beforeAll(async () => {
    moto = server();
    process.env.AWS_ENDPOINT_URL_S3 = moto.url;
    process.env.AWS_ENDPOINT_URL_SAGEMAKER = moto.url;
    process.env.AWS_ACCESS_KEY_ID = moto.credentials.accessKeyId;
    process.env.AWS_SECRET_ACCESS_KEY = moto.credentials.secretAccessKey;
    delete process.env.AWS_PROFILE;
    const s3 = new S3Client(motoClientConfig(moto));
    await s3.send(new CreateBucketCommand({ Bucket: project.artifactBucket }));
    s3.destroy();
  });
  afterAll(() => {
    process.env = saved;
  });

  it('retrains each endpoint once per period, holds a second drift of one endpoint and a redelivery, and says so', async () => {
    writeFileSync(githubOutput, '');
    const prod = await gate({});
    expect([prod.code, prod.stdout]).toEqual([
      0,
      'Retrain for sentiment-prod: drift check check-1 is its first retrain in the period.\n',
    ]);
    const staging = await gate({ endpoint_name: 'sentiment-staging', check_id: 'check-2', event_id: 'evt-2' });
    expect(staging.stdout).toMatch(/^Retrain for sentiment-staging:/);
    const prodAgain = await gate({ check_id: 'check-3', event_id: 'evt-3' }, ['--retrain-period', '24']);
    expect(prodAgain.code).toBe(0);
    expect(prodAgain.stdout).toMatch(
      /^No retrain for sentiment-prod: rate-limited \(sentiment-prod started a retrain at .*; one per 24 h\)\.\n$/,
    );
    const redelivered = await gate({});
    expect(redelivered.stdout).toBe('No retrain for sentiment-prod: duplicate (event evt-1 was already handled).\n');
    expect(readFileSync(githubOutput, 'utf8')).toBe('retrain=true\nretrain=true\nretrain=false\nretrain=false\n');

    const status = await runCli(['monitor', 'status', '--aws', '--json'], { cwd: REPO_ROOT, env: {} });
    expect(status.code).toBe(0);
    const shown = JSON.parse(status.stdout) as { retrains: { endpointName: string; checkId: string }[] };
    expect(shown.retrains.map((retrain) => [retrain.endpointName, retrain.checkId])).toEqual([
      ['sentiment-prod', 'check-1'],
      ['sentiment-staging', 'check-2'],
    ]);
  });

  it('names the missing GITHUB_OUTPUT, a bad period and a dispatch that is not a drift', async () => {
    const file = join(dir, 'push.json');
    writeFileSync(file, JSON.stringify({ ref: 'refs/heads/main' }));
    const noOutput = await runCli(['monitor', 'gate', '--aws', '--github-output', '--dispatch', file], {
      cwd: REPO_ROOT,
      env: {},
    });
    expect(noOutput.code).not.toBe(0);
    expect(noOutput.stderr).toMatch(/GITHUB_OUTPUT.*is not set/);
    const badPeriod = await gate({}, ['--retrain-period', '0']);
    expect(badPeriod.stderr).toMatch(/--retrain-period.*must be a positive number/);
    const notDrift = await runCli(['monitor', 'gate', '--aws', '--dispatch', file], { cwd: REPO_ROOT, env: {} });
    expect(notDrift.code).not.toBe(0);
    expect(notDrift.stderr).toMatch(/client_payload\.endpoint_name.*must be a non-empty string/);
  });
});
