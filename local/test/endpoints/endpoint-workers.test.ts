// How many worker processes serve an endpoint: one per CPU unless the model's container Environment says
// otherwise (SAGEMAKER_MODEL_SERVER_WORKERS, as SageMaker's framework containers read it), and every one of them
// answers InvokeEndpoint.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { readdirSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateModelCommand } from '@aws-sdk/client-sagemaker';
import { InvokeEndpointCommand, type SageMakerRuntimeClient } from '@aws-sdk/client-sagemaker-runtime';
import { packTarGz } from '@slipway/local';
import { startTestServer, type TestServer } from '../support/harness.js';
import {
  ROLE,
  SERVING_ENVIRONMENT,
  SKLEARN_IMAGE,
  createConfig,
  deployEndpoint,
  runtimeClient,
  uploadModel,
  variant,
} from './endpoint-fixtures.js';

/** Processes descended from `pid` whose command line says they are extra model server workers. */
function workerProcesses(pid: number): number[] {
  const parents = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      parents.set(Number(entry), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
    } catch {
      // gone meanwhile
    }
  }
  const descends = (child: number): boolean => {
    for (let at = parents.get(child); at !== undefined && at > 1; at = parents.get(at)) if (at === pid) return true;
    return false;
  };
  return [...parents.keys()].filter((child) => {
    if (!descends(child)) return false;
    try {
      return readFileSync(`/proc/${child}/cmdline`, 'utf8').split('\0').includes('--worker');
    } catch {
      return false;
    }
  });
}

describe('model server workers', () => {
  let dir: string;
  let modelUrl: string;
  let defaults: TestServer;
  let three: TestServer;
  let runtimes: SageMakerRuntimeClient[] = [];

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'slipway-workers-'));
    await mkdir(join(dir, 'model', 'code'), { recursive: true });
    await writeFile(
      join(dir, 'model', 'code', 'inference.py'),
      'import os\ndef model_fn(model_dir):\n    return None\n' +
        'def transform_fn(model, body, content_type, accept):\n    return str(os.getpid()), "text/plain"\n',
    );
    await packTarGz(join(dir, 'model'), join(dir, 'model.tar.gz'));
    defaults = await startTestServer();
    three = await startTestServer({ endpoints: { modelServerWorkers: 3 } });
    for (const test of [defaults, three])
      modelUrl = await uploadModel(test.server, join(dir, 'model.tar.gz'), 'pid.tar.gz');
    runtimes = [runtimeClient(defaults.server), runtimeClient(three.server)];
  });

  afterAll(async () => {
    for (const runtime of runtimes) runtime.destroy();
    await defaults?.close();
    await three?.close();
    await rm(dir, { recursive: true, force: true });
  });

  async function deploy(test: TestServer, name: string, environment: Record<string, string>): Promise<number> {
    await test.sagemaker.send(
      new CreateModelCommand({
        ModelName: name,
        ExecutionRoleArn: ROLE,
        PrimaryContainer: { Image: SKLEARN_IMAGE, ModelDataUrl: modelUrl, Environment: environment },
      }),
    );
    await createConfig(test.sagemaker, name, [variant('AllTraffic', name)]);
    const described = await deployEndpoint(test.sagemaker, name, name);
    expect(described.EndpointStatus).toBe('InService');
    const [server] = test.server.endpoints.modelServers(name);
    return server!.pid;
  }

  it('starts one worker per CPU by default', async () => {
    const pid = await deploy(defaults, 'per-cpu', SERVING_ENVIRONMENT);
    expect(workerProcesses(pid)).toHaveLength(availableParallelism() - 1);
  });

  it("takes the server's default, and the container's own SAGEMAKER_MODEL_SERVER_WORKERS over it", async () => {
    const pid = await deploy(three, 'three', SERVING_ENVIRONMENT);
    expect(workerProcesses(pid)).toHaveLength(2);
    const single = await deploy(three, 'single', { ...SERVING_ENVIRONMENT, SAGEMAKER_MODEL_SERVER_WORKERS: '1' });
    expect(workerProcesses(single)).toHaveLength(0);
  });

  it('answers from every worker through InvokeEndpoint', async () => {
    const runtime = runtimes[1]!;
    const pids = new Set<string>();
    // Concurrent requests open several kept-alive connections, which the kernel spreads over the workers;
    // workers join the port once their model is loaded, shortly after the endpoint is InService.
    const deadline = Date.now() + 30_000;
    while (pids.size < 3 && Date.now() < deadline) {
      const answers = await Promise.all(
        Array.from({ length: 12 }, () =>
          runtime.send(
            new InvokeEndpointCommand({ EndpointName: 'three', ContentType: 'text/plain', Body: Buffer.from('x') }),
          ),
        ),
      );
      for (const answer of answers) pids.add(Buffer.from(answer.Body!).toString('utf8'));
      if (pids.size < 3) await new Promise((resolve) => setTimeout(resolve, 200));
    }
    expect(pids.size).toBe(3);
  });
});
