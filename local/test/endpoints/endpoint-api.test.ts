import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CreateEndpointCommand,
  CreateEndpointConfigCommand,
  CreateModelCommand,
  DeleteEndpointCommand,
  DeleteEndpointConfigCommand,
  DeleteModelCommand,
  DescribeEndpointCommand,
  DescribeEndpointConfigCommand,
  DescribeModelCommand,
  ListEndpointConfigsCommand,
  ListEndpointsCommand,
  ListModelsCommand,
  SageMakerClient,
} from '@aws-sdk/client-sagemaker';
import { awsClientConfig } from '@slipway/core';
import { packTarGz } from '@slipway/local';
import { startTestServer, type TestServer } from '../support/harness.js';
import { MOTO_SERVER, motoAvailable, startMoto, type MotoServer } from '../support/moto.js';
import { BUCKET, ROLE, SERVING_ENVIRONMENT, SKLEARN_IMAGE, variant, waitForEndpoint } from './endpoint-fixtures.js';

/**
 * The endpoint API cases against the local server and against moto's server, where moto implements them
 * (it has no UpdateEndpoint and runs nothing: its endpoints are InService at once). Differences are named in
 * each case and in local/README.md ("Endpoints", moto).
 */
interface Backend {
  readonly name: 'local' | 'moto';
  readonly client: SageMakerClient;
}

const MODEL_DATA = `s3://${BUCKET}/tiny/model.tar.gz`;
const ARN = /^arn:aws:sagemaker:us-east-1:\d{12}:/;

function endpointApiCases(backend: () => Backend): void {
  const sm = () => backend().client;
  const isLocal = () => backend().name === 'local';
  const name = (base: string) => `${base}-${backend().name}`;
  const createModel = (model: string) =>
    sm().send(
      new CreateModelCommand({
        ModelName: model,
        ExecutionRoleArn: ROLE,
        PrimaryContainer: { Image: SKLEARN_IMAGE, ModelDataUrl: MODEL_DATA, Environment: SERVING_ENVIRONMENT },
      }),
    );

  it('CreateModel returns the ARN; DescribeModel and ListModels show it; DeleteModel removes it', async () => {
    const created = await createModel(name('model'));
    expect(created.ModelArn).toMatch(new RegExp(`${ARN.source}model/${name('model')}$`));
    const described = await sm().send(new DescribeModelCommand({ ModelName: name('model') }));
    expect(described).toMatchObject({
      ModelName: name('model'),
      ModelArn: created.ModelArn,
      ExecutionRoleArn: ROLE,
      PrimaryContainer: { Image: SKLEARN_IMAGE, ModelDataUrl: MODEL_DATA, Environment: SERVING_ENVIRONMENT },
    });
    expect(described.CreationTime).toBeInstanceOf(Date);
    const listed = await sm().send(new ListModelsCommand({}));
    expect(listed.Models?.map((m) => m.ModelName)).toContain(name('model'));
    await sm().send(new DeleteModelCommand({ ModelName: name('model') }));
    await expect(sm().send(new DescribeModelCommand({ ModelName: name('model') }))).rejects.toMatchObject({
      name: 'ValidationException',
      message: expect.stringContaining('Could not find model'),
    });
  });

  it('a missing model is a ValidationException for Describe and Delete', async () => {
    for (const call of [
      () => sm().send(new DescribeModelCommand({ ModelName: name('ghost') })),
      () => sm().send(new DeleteModelCommand({ ModelName: name('ghost') })),
    ]) {
      await expect(call()).rejects.toMatchObject({
        name: 'ValidationException',
        message: expect.stringContaining('Could not find model'),
      });
    }
  });

  it('creating a model twice: ValidationException (moto differs: it replaces the model)', async () => {
    await createModel(name('twice'));
    const second = createModel(name('twice'));
    if (isLocal()) await expect(second).rejects.toMatchObject({ name: 'ValidationException' });
    else await expect(second).resolves.toBeDefined();
  });

  it('CreateEndpointConfig needs existing models; Describe returns the variants; Delete removes it', async () => {
    await expect(
      sm().send(
        new CreateEndpointConfigCommand({
          EndpointConfigName: name('orphan'),
          ProductionVariants: [variant('AllTraffic', name('no-model'))],
        }),
      ),
    ).rejects.toMatchObject({ name: 'ValidationException', message: expect.stringContaining('Could not find model') });
    await createModel(name('config-model'));
    const created = await sm().send(
      new CreateEndpointConfigCommand({
        EndpointConfigName: name('config'),
        ProductionVariants: [variant('AllTraffic', name('config-model'), { InitialVariantWeight: 1 })],
      }),
    );
    expect(created.EndpointConfigArn).toMatch(new RegExp(`${ARN.source}endpoint-config/${name('config')}$`));
    const described = await sm().send(new DescribeEndpointConfigCommand({ EndpointConfigName: name('config') }));
    expect(described).toMatchObject({
      EndpointConfigName: name('config'),
      EndpointConfigArn: created.EndpointConfigArn,
      ProductionVariants: [
        {
          VariantName: 'AllTraffic',
          ModelName: name('config-model'),
          InstanceType: 'ml.m5.large',
          InitialInstanceCount: 1,
          InitialVariantWeight: 1,
        },
      ],
    });
    expect(described.CreationTime).toBeInstanceOf(Date);
    const listed = await sm().send(new ListEndpointConfigsCommand({}));
    expect(listed.EndpointConfigs?.map((c) => c.EndpointConfigName)).toContain(name('config'));
    await sm().send(new DeleteEndpointConfigCommand({ EndpointConfigName: name('config') }));
    for (const call of [
      () => sm().send(new DescribeEndpointConfigCommand({ EndpointConfigName: name('config') })),
      () => sm().send(new DeleteEndpointConfigCommand({ EndpointConfigName: name('config') })),
    ]) {
      await expect(call()).rejects.toMatchObject({
        name: 'ValidationException',
        message: expect.stringContaining('Could not find endpoint configuration'),
      });
    }
  });

  it('CreateEndpoint → InService (moto: at once; local: Creating first); ListEndpoints; DeleteEndpoint', async () => {
    await createModel(name('endpoint-model'));
    await sm().send(
      new CreateEndpointConfigCommand({
        EndpointConfigName: name('endpoint-config'),
        ProductionVariants: [variant('AllTraffic', name('endpoint-model'))],
      }),
    );
    const created = await sm().send(
      new CreateEndpointCommand({ EndpointName: name('endpoint'), EndpointConfigName: name('endpoint-config') }),
    );
    expect(created.EndpointArn).toMatch(new RegExp(`${ARN.source}endpoint/${name('endpoint')}$`));
    const first = await sm().send(new DescribeEndpointCommand({ EndpointName: name('endpoint') }));
    expect(first.EndpointStatus).toBe(isLocal() ? 'Creating' : 'InService');
    const ready = await waitForEndpoint(sm(), name('endpoint'));
    expect(ready).toMatchObject({
      EndpointName: name('endpoint'),
      EndpointArn: created.EndpointArn,
      EndpointConfigName: name('endpoint-config'),
      EndpointStatus: 'InService',
      ProductionVariants: [{ VariantName: 'AllTraffic' }],
    });
    expect(ready.CreationTime).toBeInstanceOf(Date);
    expect(ready.LastModifiedTime).toBeInstanceOf(Date);
    const listed = await sm().send(new ListEndpointsCommand({}));
    expect(listed.Endpoints?.find((e) => e.EndpointName === name('endpoint'))).toMatchObject({
      EndpointArn: created.EndpointArn,
      EndpointStatus: 'InService',
    });
    await sm().send(new DeleteEndpointCommand({ EndpointName: name('endpoint') }));
    const deadline = Date.now() + 15_000;
    for (;;) {
      const state = await sm()
        .send(new DescribeEndpointCommand({ EndpointName: name('endpoint') }))
        .then(
          (d) => d.EndpointStatus,
          (error: Error) => error.name,
        );
      if (state === 'ValidationException') break;
      expect(state).toBe('Deleting');
      if (Date.now() > deadline) throw new Error('the endpoint was not deleted within 15 s');
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }, 60_000);

  it('a missing endpoint or endpoint config is a ValidationException', async () => {
    await expect(sm().send(new DescribeEndpointCommand({ EndpointName: name('ghost') }))).rejects.toMatchObject({
      name: 'ValidationException',
      message: expect.stringContaining('Could not find endpoint'),
    });
    await expect(sm().send(new DeleteEndpointCommand({ EndpointName: name('ghost') }))).rejects.toMatchObject({
      name: 'ValidationException',
      message: expect.stringContaining('Could not find endpoint'),
    });
    await expect(
      sm().send(new CreateEndpointCommand({ EndpointName: name('ghost'), EndpointConfigName: name('no-config') })),
    ).rejects.toMatchObject({
      name: 'ValidationException',
      message: expect.stringContaining('Could not find endpoint configuration'),
    });
  });
}

describe('endpoint API on the local server', () => {
  let t: TestServer;
  let modelDir: string;
  beforeAll(async () => {
    // A model that loads at once: these cases test the API, the lifecycle tests serve the real seed model.
    modelDir = await mkdtemp(join(tmpdir(), 'slipway-tiny-model-'));
    await mkdir(join(modelDir, 'model', 'code'), { recursive: true });
    await writeFile(
      join(modelDir, 'model', 'code', 'inference.py'),
      'def model_fn(model_dir):\n    return None\n\n\ndef transform_fn(model, body, content_type, accept):\n    return "ok", "text/plain"\n',
    );
    await packTarGz(join(modelDir, 'model'), join(modelDir, 'model.tar.gz'));
    t = await startTestServer({ endpoints: { stopGraceMs: 1000 } });
    await t.server.objects.createBucket(BUCKET);
    await t.server.objects.putFile(BUCKET, 'tiny/model.tar.gz', join(modelDir, 'model.tar.gz'));
  }, 60_000);
  afterAll(async () => {
    await t?.close();
    await rm(modelDir, { recursive: true, force: true });
  });
  endpointApiCases(() => ({ name: 'local', client: t.sagemaker }));
});

describe('the same endpoint API cases on moto', () => {
  if (!motoAvailable) {
    it.skip(`skipped: ${MOTO_SERVER} is absent (run npm run setup to install moto[server])`, () => {});
    return;
  }
  let moto: MotoServer;
  let client: SageMakerClient;
  beforeAll(async () => {
    moto = await startMoto();
    client = new SageMakerClient({
      ...awsClientConfig({ kind: 'local', region: 'us-east-1', endpoint: moto.url, credentials: moto.credentials }),
      maxAttempts: 1,
    });
  }, 30_000);
  afterAll(async () => {
    client?.destroy();
    await moto?.stop();
  });
  endpointApiCases(() => ({ name: 'moto', client }));
});
