import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { existsSync, rmSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  CreateEndpointCommand,
  DescribeEndpointCommand,
  SageMakerClient,
  UpdateEndpointCommand,
} from '@aws-sdk/client-sagemaker';
import { INTERRUPTED_CREATE, ObjectStore, packTarGz } from '@slipway/local';
import { localClientConfig, startTestServer, tempDir } from '../support/harness.js';
import {
  BUCKET,
  buildModelArchives,
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
import { modelServerProcesses, spawnEndpointServer } from './endpoint-server-process.js';

const REVIEW = 'Arrived broken and the seller ignored me.';

async function until(check: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('endpoints across restarts of the local server', () => {
  let archives: ModelArchives;
  let slow: string;

  beforeAll(async () => {
    archives = await buildModelArchives();
    // A model that takes a minute to load: its servers are still starting when the server is killed.
    const dir = join(archives.dir, 'slow');
    await mkdir(join(dir, 'code'), { recursive: true });
    await writeFile(join(dir, 'code', 'inference.py'), 'import time\n\ndef model_fn(model_dir):\n    time.sleep(60)\n');
    slow = join(archives.dir, 'slow-model.tar.gz');
    await packTarGz(dir, slow);
  }, 120_000);

  afterAll(async () => {
    await archives?.dispose();
  });

  it('brings InService endpoints back after a graceful restart; invocations wait for the model servers', async () => {
    const dataDir = tempDir();
    const first = await startTestServer({ dataDir, endpoints: { stopGraceMs: 1000 } });
    await createModel(first.sagemaker, 'seed', await uploadModel(first.server, archives.seed, 'seed.tar.gz'));
    await createConfig(first.sagemaker, 'seed-config', [variant('AllTraffic', 'seed')]);
    await deployEndpoint(first.sagemaker, 'steady', 'seed-config');
    // An endpoint whose model data disappears while the server is down cannot come back.
    await createModel(first.sagemaker, 'doomed', await uploadModel(first.server, archives.seed, 'doomed.tar.gz'));
    await createConfig(first.sagemaker, 'doomed-config', [variant('AllTraffic', 'doomed')]);
    await deployEndpoint(first.sagemaker, 'doomed', 'doomed-config');
    const before = first.server.endpoints.modelServers('steady').map((server) => server.pid);
    await first.close();
    expect(before.filter(isAlive)).toEqual([]);
    await new ObjectStore(dataDir).delete(BUCKET, 'doomed.tar.gz');

    const second = await startTestServer({ dataDir, endpoints: { stopGraceMs: 1000 } });
    const runtime = runtimeClient(second.server);
    try {
      // Sent at once: the endpoint is InService and the request waits for its fleet to answer /ping.
      expect((await invokeJson(runtime, 'steady', REVIEW)).body.predictions[0]!.label).toBe('negative');
      const described = await second.sagemaker.send(new DescribeEndpointCommand({ EndpointName: 'steady' }));
      expect(described).toMatchObject({ EndpointStatus: 'InService', EndpointConfigName: 'seed-config' });
      expect(described.FailureReason).toBeUndefined();
      expect(second.server.endpoints.modelServers('steady').map((server) => server.pid)).not.toEqual(before);

      const doomed = await invokeJson(runtime, 'doomed', REVIEW).catch((error: Error) => error);
      expect(doomed).toMatchObject({
        name: 'ValidationError',
        message: 'Endpoint doomed is Failed: it takes requests once it is InService.',
      });
      const failed = await second.sagemaker.send(new DescribeEndpointCommand({ EndpointName: 'doomed' }));
      expect(failed.EndpointStatus).toBe('Failed');
      expect(failed.FailureReason).toMatch(
        /^The endpoint could not be started again after the local server restarted: Failed to download model data/,
      );
    } finally {
      runtime.destroy();
      await second.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, 90_000);

  it('after kill -9: no model server is left; on restart InService endpoints serve again, an interrupted create is Failed, an interrupted update keeps the old config', async () => {
    const dataDir = tempDir();
    const child = await spawnEndpointServer(dataDir);
    const config = localClientConfig(child);
    const sagemaker = new SageMakerClient(config);
    try {
      // The child's object store is the same folder: upload through it without a second server.
      const objects = new ObjectStore(dataDir);
      await objects.createBucket(BUCKET);
      await objects.putFile(BUCKET, 'seed.tar.gz', archives.seed);
      await objects.putFile(BUCKET, 'slow.tar.gz', slow);
      await createModel(sagemaker, 'seed', `s3://${BUCKET}/seed.tar.gz`);
      await createModel(sagemaker, 'slow', `s3://${BUCKET}/slow.tar.gz`);
      await createConfig(sagemaker, 'seed-config', [variant('AllTraffic', 'seed')]);
      await createConfig(sagemaker, 'slow-config', [variant('AllTraffic', 'slow')]);
      await deployEndpoint(sagemaker, 'steady', 'seed-config');
      await deployEndpoint(sagemaker, 'updating', 'seed-config');
      await sagemaker.send(new UpdateEndpointCommand({ EndpointName: 'updating', EndpointConfigName: 'slow-config' }));
      await sagemaker.send(new CreateEndpointCommand({ EndpointName: 'creating', EndpointConfigName: 'slow-config' }));
      // steady, updating (old and new fleet), creating: four model servers, two of them still loading.
      await until(() => modelServerProcesses(dataDir).length === 4, 20_000, 'four model servers');

      child.child.kill('SIGKILL');
      await child.exited;
      await until(
        () => modelServerProcesses(dataDir, { workers: true }).length === 0,
        10_000,
        'the model servers and their workers to exit',
      );
    } finally {
      sagemaker.destroy();
      if (child.child.exitCode === null) child.child.kill('SIGKILL');
    }

    const restarted = await startTestServer({ dataDir, endpoints: { stopGraceMs: 1000 } });
    const runtime = runtimeClient(restarted.server);
    try {
      expect(existsSync(join(dataDir, 'endpoints', 'creating', 'work'))).toBe(false);
      const describe = (name: string) => restarted.sagemaker.send(new DescribeEndpointCommand({ EndpointName: name }));
      expect((await invokeJson(runtime, 'steady', REVIEW)).variant).toBe('AllTraffic');
      expect(await describe('steady')).toMatchObject({
        EndpointStatus: 'InService',
        EndpointConfigName: 'seed-config',
      });

      const updating = await describe('updating');
      expect(updating).toMatchObject({ EndpointStatus: 'InService', EndpointConfigName: 'seed-config' });
      expect(updating.FailureReason).toMatch(/stopped while this endpoint was being updated to slow-config/);
      expect(updating.PendingDeploymentSummary).toBeUndefined();
      expect((await invokeJson(runtime, 'updating', REVIEW)).body.predictions).toHaveLength(1);

      const creating = await waitForEndpoint(restarted.sagemaker, 'creating');
      expect(creating).toMatchObject({ EndpointStatus: 'Failed', FailureReason: INTERRUPTED_CREATE });
      // Two fleets run again (steady, updating); nothing for the failed one.
      expect(modelServerProcesses(dataDir)).toHaveLength(2);
    } finally {
      runtime.destroy();
      await restarted.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, 120_000);
});
