import { beforeAll, expect, it } from '@jest/globals';
import { join } from 'node:path';
import { SageMakerClient } from '@aws-sdk/client-sagemaker';
import {
  REPO_ROOT,
  describeWithMoto,
  motoClientConfig,
  type MotoServer,
} from '../../../deploy-pipeline/test/support/moto-server.js';
import { registerVersion } from '../../../deploy-pipeline/test/support/registry.js';
import { runAction } from '../../../test/support/run-action.js';

const BUNDLE = join(REPO_ROOT, 'actions', 'deploy-model', 'dist', 'index.js');

/** The committed bundle, run as the runner runs it, against moto's SageMaker. */
describeWithMoto('deploy-model dist/index.js as the runner runs it (against moto)', (server) => {
  let moto: MotoServer;
  let sagemaker: SageMakerClient;
  let approved: string;

  beforeAll(async () => {
    moto = server();
    sagemaker = new SageMakerClient(motoClientConfig(moto));
    approved = await registerVersion(sagemaker, 'sentiment-models', 'Approved');
  });

  it('deploys the version to a stage through the SageMaker API, then finds it live on the next run', async () => {
    const inputs = { stage: 'staging', 'model-package-arn': approved, backend: 'local', 'endpoint-url': moto.url };
    // A job pointed at an endpoint signs with the job's credentials, as against AWS.
    const credentials = { AWS_ACCESS_KEY_ID: 'testing', AWS_SECRET_ACCESS_KEY: 'testing' };
    const first = await runAction(BUNDLE, inputs, { cwd: REPO_ROOT, env: credentials });
    expect(first.errors).toEqual([]);
    expect(first.outputs).toEqual({
      'endpoint-name': 'sentiment-staging',
      'endpoint-arn': 'arn:aws:sagemaker:us-east-1:123456789012:endpoint/sentiment-staging',
      'model-package-arn': approved,
      changed: 'true',
    });
    expect(first.summary).toMatch(/<h3>Deploy to staging<\/h3>[\s\S]*sentiment-staging[\s\S]*yes/);
    const second = await runAction(BUNDLE, inputs, { cwd: REPO_ROOT, env: credentials });
    expect(second.exitCode).toBe(0);
    expect(second.outputs.changed).toBe('false');
    expect(second.stdout).toContain('already serves');
  });
});
