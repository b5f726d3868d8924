import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  CreateEndpointCommand,
  CreateEndpointConfigCommand,
  CreateModelCommand,
  CreateModelPackageCommand,
  CreateModelPackageGroupCommand,
  DeleteEndpointCommand,
  DeleteEndpointConfigCommand,
  DeleteModelCommand,
  DescribeEndpointCommand,
  DescribeEndpointConfigCommand,
  DescribeModelCommand,
  ListEndpointConfigsCommand,
  ListEndpointsCommand,
  ListModelsCommand,
  UpdateEndpointCommand,
} from '@aws-sdk/client-sagemaker';
import { GetObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { InvokeEndpointCommand, type SageMakerRuntimeClient } from '@aws-sdk/client-sagemaker-runtime';
import { writeRawTarGz } from '../archive/tar-builder.js';
import { startTestServer, type TestServer } from '../support/harness.js';
import {
  BROKEN_MODEL_ERROR,
  ROLE,
  SERVING_ENVIRONMENT,
  SKLEARN_IMAGE,
  buildModelArchives,
  continuousLoad,
  createConfig,
  createModel,
  deployEndpoint,
  invokeJson,
  isAlive,
  runtimeClient,
  uploadModel,
  variant,
  waitForEndpoint,
  type ModelArchives,
} from './endpoint-fixtures.js';

const REVIEW = 'Broke after two days and support never answered. A waste of money.';

async function rejection(promise: Promise<unknown>): Promise<Error & Record<string, unknown>> {
  try {
    await promise;
  } catch (error) {
    return error as Error & Record<string, unknown>;
  }
  throw new Error('expected the call to fail');
}

describe('local endpoints over the real SageMaker and SageMaker Runtime clients', () => {
  let archives: ModelArchives;
  let world: TestServer;
  let runtime: SageMakerRuntimeClient;
  let seedUrl: string;
  let brokenUrl: string;

  beforeAll(async () => {
    archives = await buildModelArchives();
    world = await startTestServer({ endpoints: { stopGraceMs: 2000 } });
    runtime = runtimeClient(world.server);
    seedUrl = await uploadModel(world.server, archives.seed, 'models/seed/model.tar.gz');
    brokenUrl = await uploadModel(world.server, archives.broken, 'models/broken/model.tar.gz');
    await createModel(world.sagemaker, 'seed-a', seedUrl);
    await createModel(world.sagemaker, 'seed-b', seedUrl);
    await createModel(world.sagemaker, 'broken', brokenUrl);
  }, 120_000);

  afterAll(async () => {
    runtime?.destroy();
    await world?.close();
    await archives?.dispose();
  });

  describe('models and endpoint configs', () => {
    it('creates, describes, lists and deletes models; names and missing models are checked', async () => {
      const described = await world.sagemaker.send(new DescribeModelCommand({ ModelName: 'seed-a' }));
      expect(described).toMatchObject({
        ModelName: 'seed-a',
        ModelArn: 'arn:aws:sagemaker:us-east-1:000000000000:model/seed-a',
        ExecutionRoleArn: ROLE,
        PrimaryContainer: { Image: SKLEARN_IMAGE, ModelDataUrl: seedUrl, Environment: SERVING_ENVIRONMENT },
      });
      expect(described.CreationTime).toBeInstanceOf(Date);

      const duplicate = await rejection(createModel(world.sagemaker, 'seed-a', seedUrl));
      expect(duplicate.name).toBe('ValidationException');
      expect(duplicate.message).toBe(
        'Cannot create already existing model "arn:aws:sagemaker:us-east-1:000000000000:model/seed-a".',
      );
      const missing = await rejection(world.sagemaker.send(new DescribeModelCommand({ ModelName: 'nope' })));
      expect(missing.name).toBe('ValidationException');
      expect(missing.message).toBe('Could not find model "arn:aws:sagemaker:us-east-1:000000000000:model/nope".');
      const badName = await rejection(createModel(world.sagemaker, 'bad_name', seedUrl));
      expect(badName.message).toMatch(/CreateModel: ModelName must match/);
      const noContainer = await rejection(world.sagemaker.send(new CreateModelCommand({ ModelName: 'empty' })));
      expect(noContainer.message).toMatch(/PrimaryContainer is required/);

      await createModel(world.sagemaker, 'short-lived', seedUrl);
      const listed = await world.sagemaker.send(
        new ListModelsCommand({ NameContains: 'seed', SortBy: 'Name', SortOrder: 'Ascending' }),
      );
      expect(listed.Models?.map((m) => m.ModelName)).toEqual(['seed-a', 'seed-b']);
      await world.sagemaker.send(new DeleteModelCommand({ ModelName: 'short-lived' }));
      const gone = await rejection(world.sagemaker.send(new DeleteModelCommand({ ModelName: 'short-lived' })));
      expect(gone.message).toMatch(/Could not find model/);
    });

    it('creates a model from a registered model package: image, model data and environment come from the registry', async () => {
      await world.sagemaker.send(new CreateModelPackageGroupCommand({ ModelPackageGroupName: 'reviews' }));
      const { ModelPackageArn } = await world.sagemaker.send(
        new CreateModelPackageCommand({
          ModelPackageGroupName: 'reviews',
          InferenceSpecification: {
            Containers: [{ Image: SKLEARN_IMAGE, ModelDataUrl: seedUrl, Environment: SERVING_ENVIRONMENT }],
            SupportedContentTypes: ['application/json', 'text/csv'],
            SupportedResponseMIMETypes: ['application/json', 'text/csv'],
          },
        }),
      );
      await world.sagemaker.send(
        new CreateModelCommand({
          ModelName: 'from-package',
          ExecutionRoleArn: ROLE,
          PrimaryContainer: { ModelPackageName: ModelPackageArn, Environment: { EXTRA: '1' } },
        }),
      );
      const described = await world.sagemaker.send(new DescribeModelCommand({ ModelName: 'from-package' }));
      expect(described.PrimaryContainer).toEqual({
        ModelPackageName: ModelPackageArn,
        Image: SKLEARN_IMAGE,
        ModelDataUrl: seedUrl,
        Environment: { ...SERVING_ENVIRONMENT, EXTRA: '1' },
      });
      const missing = await rejection(
        world.sagemaker.send(
          new CreateModelCommand({ ModelName: 'nowhere', PrimaryContainer: { ModelPackageName: 'reviews/99' } }),
        ),
      );
      expect(missing.name).toBe('ValidationException');
      expect(missing.message).toMatch(/ModelPackage reviews\/99 does not exist/);

      await createConfig(world.sagemaker, 'from-package-config', [variant('AllTraffic', 'from-package')]);
      const endpoint = await deployEndpoint(world.sagemaker, 'from-package', 'from-package-config');
      expect(endpoint.EndpointStatus).toBe('InService');
      expect((await invokeJson(runtime, 'from-package', REVIEW)).body.predictions[0]!.label).toBe('negative');
      await world.sagemaker.send(new DeleteEndpointCommand({ EndpointName: 'from-package' }));
    }, 60_000);

    it('keeps endpoint configs immutable and checks them: variants, models, duplicates', async () => {
      await createConfig(world.sagemaker, 'config-a', [variant('blue', 'seed-a')]);
      const described = await world.sagemaker.send(
        new DescribeEndpointConfigCommand({ EndpointConfigName: 'config-a' }),
      );
      expect(described).toMatchObject({
        EndpointConfigName: 'config-a',
        EndpointConfigArn: 'arn:aws:sagemaker:us-east-1:000000000000:endpoint-config/config-a',
        ProductionVariants: [
          {
            VariantName: 'blue',
            ModelName: 'seed-a',
            InstanceType: 'ml.m5.large',
            InitialInstanceCount: 1,
            InitialVariantWeight: 1,
          },
        ],
      });
      const duplicate = await rejection(createConfig(world.sagemaker, 'config-a', [variant('blue', 'seed-b')]));
      expect(duplicate.message).toBe(
        'Cannot create already existing endpoint configuration "arn:aws:sagemaker:us-east-1:000000000000:endpoint-config/config-a".',
      );
      const noModel = await rejection(createConfig(world.sagemaker, 'config-x', [variant('v', 'no-such-model')]));
      expect(noModel.message).toBe(
        'Could not find model "arn:aws:sagemaker:us-east-1:000000000000:model/no-such-model".',
      );
      const twice = await rejection(
        createConfig(world.sagemaker, 'config-x', [variant('v', 'seed-a'), variant('v', 'seed-b')]),
      );
      expect(twice.message).toMatch(/ProductionVariants\[1\]\.VariantName repeats v/);
      const noType = await rejection(
        createConfig(world.sagemaker, 'config-x', [{ VariantName: 'v', ModelName: 'seed-a' }]),
      );
      expect(noType.message).toMatch(/InstanceType is required unless ServerlessConfig is given/);
      const listed = await world.sagemaker.send(new ListEndpointConfigsCommand({ NameContains: 'config-' }));
      expect(listed.EndpointConfigs?.map((c) => c.EndpointConfigName)).toEqual(['config-a']);
    });
  });

  describe('lifecycle and InvokeEndpoint', () => {
    it('Creating → InService, then serves JSON and CSV with the invoked variant in the response', async () => {
      await world.sagemaker.send(
        new CreateEndpointCommand({ EndpointName: 'reviews', EndpointConfigName: 'config-a' }),
      );
      const creating = await world.sagemaker.send(new DescribeEndpointCommand({ EndpointName: 'reviews' }));
      expect(creating.EndpointStatus).toBe('Creating');
      expect(creating.PendingDeploymentSummary?.EndpointConfigName).toBe('config-a');
      const ready = await waitForEndpoint(world.sagemaker, 'reviews');
      expect(ready).toMatchObject({
        EndpointStatus: 'InService',
        EndpointConfigName: 'config-a',
        ProductionVariants: [{ VariantName: 'blue', CurrentWeight: 1, CurrentInstanceCount: 1 }],
      });
      expect(ready.PendingDeploymentSummary).toBeUndefined();

      const json = await invokeJson(runtime, 'reviews', { instances: [REVIEW] });
      expect(json.variant).toBe('blue');
      expect(json.contentType).toBe('application/json');
      expect(json.body.predictions[0]!.label).toBe('negative');
      const csv = await runtime.send(
        new InvokeEndpointCommand({
          EndpointName: 'reviews',
          ContentType: 'text/csv',
          Accept: 'text/csv',
          Body: Buffer.from('"Love it, works perfectly, great value"\n"Terrible, broke on day one"\n'),
        }),
      );
      expect(csv.ContentType).toBe('text/csv');
      expect(Buffer.from(csv.Body!).toString()).toBe('positive\nnegative\n');

      const listed = await world.sagemaker.send(new ListEndpointsCommand({ StatusEquals: 'InService' }));
      expect(listed.Endpoints?.map((e) => e.EndpointName)).toContain('reviews');
    }, 60_000);

    it('answers malformed JSON and CSV with a 424 ModelError carrying the 400 and message, and keeps serving', async () => {
      const badJson = await rejection(
        runtime.send(
          new InvokeEndpointCommand({
            EndpointName: 'reviews',
            ContentType: 'application/json',
            Body: Buffer.from('{"instances": ['),
          }),
        ),
      );
      expect(badJson.name).toBe('ModelError');
      expect((badJson.$metadata as { httpStatusCode: number }).httpStatusCode).toBe(424);
      expect(badJson['OriginalStatusCode']).toBe(400);
      expect(String(badJson['OriginalMessage'])).toMatch(/not valid JSON/);
      expect(badJson.message).toMatch(/^Received client error \(400\) from primary with message "/);
      expect(badJson['LogStreamArn']).toBe(
        'arn:aws:logs:us-east-1:000000000000:log-group:/aws/sagemaker/Endpoints/reviews',
      );

      const badCsv = await rejection(
        runtime.send(
          new InvokeEndpointCommand({
            EndpointName: 'reviews',
            ContentType: 'text/csv',
            Body: Buffer.from('"never closed\n'),
          }),
        ),
      );
      expect(badCsv.name).toBe('ModelError');
      expect(String(badCsv['OriginalMessage'])).toMatch(/not valid CSV/);

      const badType = await rejection(
        runtime.send(
          new InvokeEndpointCommand({ EndpointName: 'reviews', ContentType: 'image/png', Body: Buffer.from('x') }),
        ),
      );
      expect(badType.name).toBe('ModelError');
      expect(String(badType['OriginalMessage'])).toMatch(/unsupported Content-Type/);

      expect((await invokeJson(runtime, 'reviews', REVIEW)).body.predictions[0]!.label).toBe('negative');
    }, 30_000);

    it('refuses unknown endpoints, wrong case, unknown variants, with the runtime’s ValidationError', async () => {
      const missing = await rejection(invokeJson(runtime, 'no-such-endpoint', REVIEW));
      expect(missing.name).toBe('ValidationError');
      expect(missing.message).toBe('Endpoint no-such-endpoint of account 000000000000 not found.');
      const wrongCase = await rejection(invokeJson(runtime, 'Reviews', REVIEW));
      expect(wrongCase.name).toBe('ValidationError');
      const variantMissing = await rejection(invokeJson(runtime, 'reviews', REVIEW, 'green'));
      expect(variantMissing.name).toBe('ValidationError');
      expect(variantMissing.message).toMatch(/has no production variant green; its variants: blue/);
    });

    it('routes by weight and honours TargetVariant', async () => {
      await createConfig(world.sagemaker, 'weighted', [
        variant('light', 'seed-a', { InitialVariantWeight: 1 }),
        variant('heavy', 'seed-b', { InitialVariantWeight: 3 }),
      ]);
      await deployEndpoint(world.sagemaker, 'weighted', 'weighted');
      const counts: Record<string, number> = { light: 0, heavy: 0 };
      for (let i = 0; i < 200; i += 1) counts[(await invokeJson(runtime, 'weighted', REVIEW)).variant!]! += 1;
      // 50 expected for `light`; 25..80 holds with overwhelming probability (binomial, n=200, p=0.25).
      expect(counts['light']).toBeGreaterThan(25);
      expect(counts['light']).toBeLessThan(80);
      expect(counts['heavy']! + counts['light']!).toBe(200);
      for (let i = 0; i < 5; i += 1)
        expect((await invokeJson(runtime, 'weighted', REVIEW, 'light')).variant).toBe('light');
      await world.sagemaker.send(new DeleteEndpointCommand({ EndpointName: 'weighted' }));
    }, 60_000);
  });

  describe('blue/green updates', () => {
    it('moves traffic to the new fleet with no failed request, then stops the old servers', async () => {
      const before = world.server.endpoints.modelServers('reviews');
      expect(before.map((s) => s.variantName)).toEqual(['blue']);
      await createConfig(world.sagemaker, 'config-b', [variant('green', 'seed-b')]);
      const load = continuousLoad(4, () => invokeJson(runtime, 'reviews', REVIEW));
      await new Promise((resolve) => setTimeout(resolve, 300));
      await world.sagemaker.send(
        new UpdateEndpointCommand({ EndpointName: 'reviews', EndpointConfigName: 'config-b' }),
      );
      const updating = await world.sagemaker.send(new DescribeEndpointCommand({ EndpointName: 'reviews' }));
      expect(updating.EndpointStatus).toBe('Updating');
      expect(updating.PendingDeploymentSummary?.EndpointConfigName).toBe('config-b');
      const again = await rejection(
        world.sagemaker.send(new UpdateEndpointCommand({ EndpointName: 'reviews', EndpointConfigName: 'config-a' })),
      );
      expect(again.name).toBe('ValidationException');
      expect(again.message).toBe(
        'Cannot update in-progress endpoint "arn:aws:sagemaker:us-east-1:000000000000:endpoint/reviews".',
      );
      const done = await waitForEndpoint(world.sagemaker, 'reviews');
      await new Promise((resolve) => setTimeout(resolve, 300));
      const { ok, failures } = await load.stop();
      expect(failures).toEqual([]);
      expect(ok).toBeGreaterThan(20);
      expect(done).toMatchObject({ EndpointStatus: 'InService', EndpointConfigName: 'config-b' });
      expect(done.FailureReason).toBeUndefined();
      expect(done.ProductionVariants?.map((v) => v.VariantName)).toEqual(['green']);
      expect((await invokeJson(runtime, 'reviews', REVIEW)).variant).toBe('green');
      expect(isAlive(before[0]!.pid)).toBe(false);
    }, 90_000);

    it('keeps the old fleet serving when the new model fails to load, and reports the handler’s error', async () => {
      await createConfig(world.sagemaker, 'config-broken', [variant('broken', 'broken')]);
      const load = continuousLoad(2, () => invokeJson(runtime, 'reviews', REVIEW));
      await world.sagemaker.send(
        new UpdateEndpointCommand({ EndpointName: 'reviews', EndpointConfigName: 'config-broken' }),
      );
      const after = await waitForEndpoint(world.sagemaker, 'reviews');
      const { failures } = await load.stop();
      expect(failures).toEqual([]);
      expect(after.EndpointStatus).toBe('InService');
      expect(after.EndpointConfigName).toBe('config-b');
      expect(after.FailureReason).toContain(BROKEN_MODEL_ERROR);
      expect(after.FailureReason).toMatch(
        /^Updating to endpoint config config-broken failed; the endpoint still serves config-b\./,
      );
      expect(after.FailureReason!.length).toBeLessThanOrEqual(1024);
      expect((await invokeJson(runtime, 'reviews', REVIEW)).variant).toBe('green');
      expect(world.server.endpoints.modelServers('reviews').map((s) => s.variantName)).toEqual(['green']);
    }, 60_000);

    it('refuses an update to a config that does not exist', async () => {
      const missing = await rejection(
        world.sagemaker.send(new UpdateEndpointCommand({ EndpointName: 'reviews', EndpointConfigName: 'config-zzz' })),
      );
      expect(missing.name).toBe('ValidationException');
      expect(missing.message).toBe(
        'Could not find endpoint configuration "arn:aws:sagemaker:us-east-1:000000000000:endpoint-config/config-zzz".',
      );
      const missingEndpoint = await rejection(
        world.sagemaker.send(new UpdateEndpointCommand({ EndpointName: 'nothing', EndpointConfigName: 'config-a' })),
      );
      expect(missingEndpoint.message).toBe(
        'Could not find endpoint "arn:aws:sagemaker:us-east-1:000000000000:endpoint/nothing".',
      );
    });

    it('shifts a canary share first when the DeploymentConfig asks for CANARY', async () => {
      await createModel(world.sagemaker, 'canary-model', seedUrl);
      await createConfig(world.sagemaker, 'config-c', [variant('canary', 'canary-model')]);
      await world.sagemaker.send(
        new UpdateEndpointCommand({
          EndpointName: 'reviews',
          EndpointConfigName: 'config-c',
          DeploymentConfig: {
            BlueGreenUpdatePolicy: {
              TrafficRoutingConfiguration: {
                Type: 'CANARY',
                CanarySize: { Type: 'CAPACITY_PERCENT', Value: 50 },
                WaitIntervalInSeconds: 2,
              },
              TerminationWaitInSeconds: 0,
            },
          },
        }),
      );
      // While baking, both fleets answer.
      const seen = new Set<string>();
      const deadline = Date.now() + 20_000;
      while (Date.now() < deadline && seen.size < 2) {
        const described = await world.sagemaker.send(new DescribeEndpointCommand({ EndpointName: 'reviews' }));
        if (described.EndpointStatus !== 'Updating') break;
        seen.add((await invokeJson(runtime, 'reviews', REVIEW)).variant!);
      }
      expect([...seen].sort()).toEqual(['canary', 'green']);
      const done = await waitForEndpoint(world.sagemaker, 'reviews');
      expect(done.EndpointConfigName).toBe('config-c');
      expect(done.LastDeploymentConfig?.BlueGreenUpdatePolicy?.TrafficRoutingConfiguration?.Type).toBe('CANARY');
      expect((await invokeJson(runtime, 'reviews', REVIEW)).variant).toBe('canary');
    }, 60_000);

    it('serves from a deployment snapshot: deleting the config and model in use changes nothing', async () => {
      await world.sagemaker.send(new DeleteEndpointConfigCommand({ EndpointConfigName: 'config-c' }));
      await world.sagemaker.send(new DeleteModelCommand({ ModelName: 'canary-model' }));
      const again = await rejection(
        world.sagemaker.send(new DescribeEndpointConfigCommand({ EndpointConfigName: 'config-c' })),
      );
      expect(again.message).toMatch(/^Could not find endpoint configuration/);
      expect((await invokeJson(runtime, 'reviews', REVIEW)).variant).toBe('canary');
    });
  });

  describe('instances and variant properties', () => {
    it('restarts a model server that dies, as SageMaker replaces an unhealthy instance', async () => {
      const [before] = world.server.endpoints.modelServers('reviews');
      process.kill(before!.pid, 'SIGKILL');
      const deadline = Date.now() + 20_000;
      for (;;) {
        const [now] = world.server.endpoints.modelServers('reviews');
        if (now && now.pid !== before!.pid && now.alive) break;
        if (Date.now() > deadline) throw new Error('the model server was not restarted within 20 s');
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      expect(isAlive(before!.pid)).toBe(false);
      expect((await invokeJson(runtime, 'reviews', REVIEW)).body.predictions[0]!.label).toBe('negative');
    }, 30_000);

    it('keeps weights and instance counts with RetainAllVariantProperties, unless excluded', async () => {
      await createConfig(world.sagemaker, 'retain-1', [variant('one', 'seed-a', { InitialVariantWeight: 2 })]);
      await createConfig(world.sagemaker, 'retain-2', [variant('one', 'seed-b', { InitialVariantWeight: 5 })]);
      await createConfig(world.sagemaker, 'retain-3', [variant('one', 'seed-a', { InitialVariantWeight: 7 })]);
      await deployEndpoint(world.sagemaker, 'retained', 'retain-1');
      await world.sagemaker.send(
        new UpdateEndpointCommand({
          EndpointName: 'retained',
          EndpointConfigName: 'retain-2',
          RetainAllVariantProperties: true,
        }),
      );
      const kept = await waitForEndpoint(world.sagemaker, 'retained');
      expect(kept.ProductionVariants?.[0]).toMatchObject({ CurrentWeight: 2, CurrentInstanceCount: 1 });
      expect(kept.EndpointConfigName).toBe('retain-2');
      await world.sagemaker.send(
        new UpdateEndpointCommand({
          EndpointName: 'retained',
          EndpointConfigName: 'retain-3',
          RetainAllVariantProperties: true,
          ExcludeRetainedVariantProperties: [{ VariantPropertyType: 'DesiredWeight' }],
        }),
      );
      expect((await waitForEndpoint(world.sagemaker, 'retained')).ProductionVariants?.[0]?.CurrentWeight).toBe(7);
      await world.sagemaker.send(new DeleteEndpointCommand({ EndpointName: 'retained' }));
    }, 60_000);
  });

  describe('data capture', () => {
    it('writes sampled requests and responses in the capture format to the DestinationS3Uri', async () => {
      await world.sagemaker.send(
        new CreateEndpointConfigCommand({
          EndpointConfigName: 'captured',
          ProductionVariants: [variant('AllTraffic', 'seed-a')],
          DataCaptureConfig: {
            EnableCapture: true,
            InitialSamplingPercentage: 100,
            DestinationS3Uri: 's3://capture-bucket/datacapture',
            CaptureOptions: [{ CaptureMode: 'Input' }, { CaptureMode: 'Output' }],
            CaptureContentTypeHeader: { JsonContentTypes: ['application/json'] },
          },
        }),
      );
      const described = await deployEndpoint(world.sagemaker, 'captured', 'captured');
      expect(described.DataCaptureConfig).toEqual({
        EnableCapture: true,
        CaptureStatus: 'Started',
        CurrentSamplingPercentage: 100,
        DestinationS3Uri: 's3://capture-bucket/datacapture',
        KmsKeyId: '',
      });
      const sent = ['Great value, works well', 'Awful, returned it'];
      const answers: unknown[] = [];
      for (const review of sent) answers.push((await invokeJson(runtime, 'captured', { instances: [review] })).body);
      // Deleting stops the fleet, which writes what it captured.
      await world.sagemaker.send(new DeleteEndpointCommand({ EndpointName: 'captured' }));
      await world.server.endpoints.settled('captured');
      const listed = await world.s3.send(
        new ListObjectsV2Command({ Bucket: 'capture-bucket', Prefix: 'datacapture/captured/AllTraffic/' }),
      );
      const keys = (listed.Contents ?? []).map((object) => object.Key!);
      expect(keys.length).toBeGreaterThan(0);
      for (const key of keys)
        expect(key).toMatch(
          /^datacapture\/captured\/AllTraffic\/\d{4}\/\d{2}\/\d{2}\/\d{2}\/\d{2}-\d{2}-\d{3}-[0-9a-f-]{36}\.jsonl$/,
        );
      const records: {
        captureData: { endpointInput: { data: string }; endpointOutput: { data: string } };
        eventMetadata: { inferenceTime: string };
      }[] = [];
      for (const key of keys) {
        const object = await world.s3.send(new GetObjectCommand({ Bucket: 'capture-bucket', Key: key }));
        records.push(
          ...(await object.Body!.transformToString())
            .trim()
            .split('\n')
            .map((line) => JSON.parse(line)),
        );
      }
      expect(records).toHaveLength(2);
      records.forEach((record, index) => {
        expect(record).toMatchObject({
          captureData: {
            endpointInput: { observedContentType: 'application/json', mode: 'INPUT', encoding: 'JSON' },
            endpointOutput: { observedContentType: 'application/json', mode: 'OUTPUT', encoding: 'JSON' },
          },
          eventVersion: '0',
        });
        expect(JSON.parse(record.captureData.endpointInput.data)).toEqual({ instances: [sent[index]] });
        expect(JSON.parse(record.captureData.endpointOutput.data)).toEqual(answers[index]);
        expect(record.eventMetadata.inferenceTime).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
      });
    }, 60_000);
  });

  describe('failures and deletion', () => {
    it('reports Failed with the handler’s error when the model fails to load at create; only delete is allowed', async () => {
      await createConfig(world.sagemaker, 'only-broken', [variant('AllTraffic', 'broken')]);
      const failed = await deployEndpoint(world.sagemaker, 'broken-endpoint', 'only-broken');
      expect(failed.EndpointStatus).toBe('Failed');
      expect(failed.FailureReason).toContain(BROKEN_MODEL_ERROR);
      expect(failed.FailureReason).toMatch(/production variant AllTraffic did not pass the ping health check/);
      const invoked = await rejection(invokeJson(runtime, 'broken-endpoint', REVIEW));
      expect(invoked.name).toBe('ValidationError');
      expect(invoked.message).toMatch(/is Failed/);
      const update = await rejection(
        world.sagemaker.send(
          new UpdateEndpointCommand({ EndpointName: 'broken-endpoint', EndpointConfigName: 'config-a' }),
        ),
      );
      expect(update.message).toMatch(/^Cannot update failed endpoint/);
      expect(world.server.endpoints.modelServers('broken-endpoint')).toEqual([]);
      await world.sagemaker.send(new DeleteEndpointCommand({ EndpointName: 'broken-endpoint' }));
      await waitForEndpoint(world.sagemaker, 'broken-endpoint', ['Deleting']).catch(() => undefined);
      const gone = await rejection(
        world.sagemaker.send(new DescribeEndpointCommand({ EndpointName: 'broken-endpoint' })),
      );
      expect(gone.name).toBe('ValidationException');
    }, 60_000);

    it('reports an unsafe model.tar.gz as a refused archive, not as a failed ping', async () => {
      const evil = join(archives.dir, 'evil.tar.gz');
      await writeRawTarGz(evil, [
        { path: 'model.joblib', body: 'x' },
        { path: '..\\..\\escape.py', body: 'x' },
      ]);
      const url = await uploadModel(world.server, evil, 'models/evil/model.tar.gz');
      await createModel(world.sagemaker, 'evil', url);
      await createConfig(world.sagemaker, 'only-evil', [variant('AllTraffic', 'evil')]);
      const failed = await deployEndpoint(world.sagemaker, 'evil-endpoint', 'only-evil');
      expect(failed.EndpointStatus).toBe('Failed');
      expect(failed.FailureReason).toMatch(
        /^Failed to extract model data archive for production variant AllTraffic from s3:\/\/[^ ]+\/models\/evil\/model\.tar\.gz: .*entry "\.\.\\\\\.\.\\\\escape\.py" has a "\.\." path segment/,
      );
      expect(failed.FailureReason).not.toMatch(/ping/);
      await world.sagemaker.send(new DeleteEndpointCommand({ EndpointName: 'evil-endpoint' }));
      await world.server.endpoints.settled('evil-endpoint');
    }, 60_000);

    it('deletes an endpoint: Deleting, then gone, its model servers stopped and the name free again', async () => {
      const servers = world.server.endpoints.modelServers('reviews');
      expect(servers.length).toBe(1);
      await world.sagemaker.send(new DeleteEndpointCommand({ EndpointName: 'reviews' }));
      await world.server.endpoints.settled('reviews');
      const gone = await rejection(world.sagemaker.send(new DescribeEndpointCommand({ EndpointName: 'reviews' })));
      expect(gone.message).toBe('Could not find endpoint "arn:aws:sagemaker:us-east-1:000000000000:endpoint/reviews".');
      expect(isAlive(servers[0]!.pid)).toBe(false);
      const invoked = await rejection(invokeJson(runtime, 'reviews', REVIEW));
      expect(invoked.name).toBe('ValidationError');
      const again = await deployEndpoint(world.sagemaker, 'reviews', 'config-a');
      expect(again.EndpointStatus).toBe('InService');
    }, 60_000);
  });
});
