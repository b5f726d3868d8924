import { beforeAll, expect, it } from '@jest/globals';
import { join } from 'node:path';
import { ListEndpointsCommand, SageMakerClient } from '@aws-sdk/client-sagemaker';
import { REPO_ROOT, describeWithMoto, motoClientConfig } from '../../../deploy-pipeline/test/support/moto-server.js';
import { registerVersion } from '../../../deploy-pipeline/test/support/registry.js';
import { runAction } from '../../../test/support/run-action.js';

const BUNDLE = join(REPO_ROOT, 'actions', 'resolve-deployment', 'dist', 'index.js');

/** The committed bundle, run as the runner runs it, against moto's SageMaker. */
describeWithMoto('resolve-deployment dist/index.js as the runner runs it (against moto)', (server) => {
  let sagemaker: SageMakerClient;
  let approved: string;
  let pending: string;
  /** What configure-aws-credentials leaves for the next steps, pointed at moto. */
  let awsEnv: Record<string, string>;

  beforeAll(async () => {
    const moto = server();
    sagemaker = new SageMakerClient(motoClientConfig(moto));
    approved = await registerVersion(sagemaker, 'sentiment-models', 'Approved');
    pending = await registerVersion(sagemaker, 'sentiment-models', 'PendingManualApproval');
    awsEnv = {
      AWS_ENDPOINT_URL: moto.url,
      AWS_ACCESS_KEY_ID: 'testing',
      AWS_SECRET_ACCESS_KEY: 'testing',
      AWS_REGION: moto.region,
    };
  });

  // A version named by hand (workflow_dispatch): the event path, which also reads GitHub's runs, is run
  // against a fake GitHub API in test/deploy-actions-local.test.ts.
  const resolve = (inputs: Record<string, string>) =>
    runAction(BUNDLE, { backend: 'aws', trigger: 'workflow_dispatch', ...inputs }, { cwd: REPO_ROOT, env: awsEnv });

  it('resolves an approval payload to that exact version', async () => {
    const run = await resolve({
      'event-type': 'model-package-approved',
      'model-package-arn': approved,
      'model-package-group': 'sentiment-models',
      'model-package-version': '1',
      'approval-status': 'Approved',
    });
    expect(run.errors).toEqual([]);
    expect(run.exitCode).toBe(0);
    expect(run.outputs).toEqual({
      action: 'deploy',
      'model-package-arn': approved,
      'replaces-model-package-arn': '',
      'rollback-stage': '',
      message: expect.stringContaining('Version 1 is Approved'),
    });
  });

  it.each([
    [
      'a garbled ARN',
      { 'event-type': 'model-package-approved', 'model-package-arn': 'arn:aws:s3:::bucket' },
      /model_package_arn must be a SageMaker ARN/,
    ],
    [
      'a foreign group',
      {
        'event-type': 'model-package-approved',
        'model-package-arn': 'arn:aws:sagemaker:us-east-1:123456789012:model-package/other-models/1',
      },
      /not of this project's group/,
    ],
    [
      'an oversized field',
      {
        'event-type': 'model-package-approved',
        'model-package-arn': `arn:aws:sagemaker:us-east-1:123456789012:model-package/sentiment-models/1${'9'.repeat(3000)}`,
      },
      /at most 2048 characters/,
    ],
    [
      'a missing ARN',
      { 'event-type': 'model-package-approved', 'model-package-arn': '' },
      /must be a SageMaker ARN.*got ""/,
    ],
  ])('stops on %s with an error annotation, no outputs and nothing deployed', async (_name, inputs, message) => {
    const run = await resolve(inputs);
    expect(run.exitCode).toBe(1);
    expect(run.errors).toEqual([expect.stringMatching(message)]);
    expect(run.outputs).toEqual({});
    expect((await sagemaker.send(new ListEndpointsCommand({}))).Endpoints ?? []).toEqual([]);
  });

  it('refuses a version the registry says is pending', async () => {
    const run = await resolve({ 'event-type': 'model-package-approved', 'model-package-arn': pending });
    expect(run.exitCode).toBe(1);
    expect(run.errors).toEqual([expect.stringMatching(/PendingManualApproval in the registry now, not Approved/)]);
  });
});
