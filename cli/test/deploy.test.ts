import { beforeAll, expect, it } from '@jest/globals';
import { SageMakerClient } from '@aws-sdk/client-sagemaker';
import {
  REPO_ROOT,
  describeWithMoto,
  motoClientConfig,
  type MotoServer,
} from '../../deploy-pipeline/test/support/moto-server.js';
import { registerVersion } from '../../deploy-pipeline/test/support/registry.js';
import { answersFor, queueEndpointAnswers } from '../../deploy-pipeline/test/support/moto-runtime.js';
import { loadLabelledSamples, DEFAULT_SAMPLES_PATH } from '@slipway/deploy-pipeline';
import { join } from 'node:path';
import { runCli } from './support.js';
import { EXIT_CODES } from '../src/failure.js';

describeWithMoto('slipway deploy (local backend on moto)', (server) => {
  let moto: MotoServer;
  let version: string;
  let pending: string;
  const cli = (argv: string[], env: Record<string, string> = {}) =>
    runCli(argv, {
      cwd: REPO_ROOT,
      // The endpoint is not a local server of this data dir: the environment's credentials sign the calls.
      env: {
        SLIPWAY_ENDPOINT_URL: moto.url,
        AWS_ACCESS_KEY_ID: moto.credentials.accessKeyId,
        AWS_SECRET_ACCESS_KEY: moto.credentials.secretAccessKey,
        ...env,
      },
    });

  beforeAll(async () => {
    moto = server();
    const sagemaker = new SageMakerClient(motoClientConfig(moto));
    version = await registerVersion(sagemaker, 'sentiment-models', 'Approved');
    pending = await registerVersion(sagemaker, 'sentiment-models', 'PendingManualApproval');
  });

  it('deploys a version to a stage, then reports the same version as already live', async () => {
    const first = await cli(['deploy', version, '--stage', 'staging', '--json']);
    expect(first.stderr).not.toMatch(/error/);
    expect(first.code).toBe(0);
    expect(JSON.parse(first.stdout)).toMatchObject({
      stage: 'staging',
      endpointName: 'sentiment-staging',
      changed: true,
      modelPackageArn: version,
    });
    const second = await cli(['deploy', version, '--stage', 'staging', '--local']);
    expect(second.code).toBe(0);
    expect(second.stdout).toMatch(/staging already serves .*sentiment-models\/1/);
  });

  it('promotes to prod exactly what staging serves', async () => {
    const result = await cli(['deploy', 'promote', '--json']);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({
      stage: 'prod',
      endpointName: 'sentiment-prod',
      modelPackageArn: version,
      changed: true,
    });
  });

  it('tests a stage endpoint against its thresholds', async () => {
    const samples = loadLabelledSamples(join(REPO_ROOT, DEFAULT_SAMPLES_PATH));
    await queueEndpointAnswers(moto, answersFor(samples));
    const passed = await cli(['deploy', 'test', '--stage', 'staging']);
    expect([passed.code, passed.stderr]).toEqual([0, '']);
    expect(passed.stdout).toMatch(/Accuracy {2}100\.0% \(30\/30\) {2}≥ 70\.0% {2}pass/);
  });

  it.each([
    [
      ['deploy', 'version-unknown', '--stage', 'staging'],
      EXIT_CODES.failure,
      /model_package_arn must be a SageMaker ARN/,
    ],
    [['deploy', 'PENDING', '--stage', 'staging'], EXIT_CODES.failure, /PendingManualApproval in the registry now/],
    [['deploy', 'VERSION', '--stage', 'qa'], EXIT_CODES.failure, /stage must be one of the project's stages/],
    [
      ['deploy', 'VERSION', '--stage', 'staging', '--local', '--aws'],
      EXIT_CODES.usage,
      /option '--local' cannot be used with option '--aws'/,
    ],
    [['deploy', 'promote', '--from', 'prod'], EXIT_CODES.failure, /promote: to needs two different stages/],
  ])('refuses %j with a clear message', async (argv, code, message) => {
    const args = argv.map((arg) => (arg === 'PENDING' ? pending : arg === 'VERSION' ? version : arg));
    const result = await cli(args);
    expect(result.code).toBe(code);
    expect(result.stderr).toMatch(message);
  });

  it('refuses an --endpoint-url that is not an http(s) URL', async () => {
    const result = await runCli(['deploy', version, '--stage', 'staging', '--endpoint-url', 'localhost:4566'], {
      cwd: REPO_ROOT,
      env: {},
    });
    expect(result.code).toBe(EXIT_CODES.failure);
    expect(result.stderr).toMatch(/--endpoint-url \(or SLIPWAY_ENDPOINT_URL\) must be the http\(s\) URL/);
  });
});
