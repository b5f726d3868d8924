#!/usr/bin/env node
// A blue/green UpdateEndpoint under load (issue 6: zero failed requests). Deploys the seed model, loads the
// endpoint at 500 requests/s from a second process (autocannon), and meanwhile updates it to a new endpoint
// config (a new model and variant), then to a config whose model fails to load (the old fleet must keep
// serving). Prints the failed-request count of each run.
//
// node bench/endpoint-update.mjs [--rate 500] [--connections 10]      (npm run bench -- endpoint-update builds first)
import { CreateEndpointConfigCommand, CreateModelCommand, UpdateEndpointCommand } from '@aws-sdk/client-sagemaker';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { packTarGz } from '@slipway/local';
import { IMAGE, autocannon, errorsOf, machine, report, startEndpointWorld } from './endpoint-lib/world.mjs';
import { figure } from './lib/figures.mjs';

const argument = (name, fallback) => {
  const index = process.argv.indexOf(`--${name}`);
  return index >= 0 ? Number(process.argv[index + 1]) : fallback;
};
const rate = argument('rate', 500);
const connections = argument('connections', 10);

const world = await startEndpointWorld();
const brokenDir = join(tmpdir(), `slipway-bench-broken-${process.pid}`);
try {
  await world.createModelVersion('seed-v1', 'blue', 'seed-v1');
  await world.createModelVersion('seed-v2', 'green', 'seed-v2');
  // A model whose model_fn raises: its update must fail and leave `green` serving.
  await mkdir(join(brokenDir, 'model', 'code'), { recursive: true });
  await writeFile(
    join(brokenDir, 'model', 'code', 'inference.py'),
    'def model_fn(model_dir):\n    raise ValueError("corrupt")\n',
  );
  await packTarGz(join(brokenDir, 'model'), join(brokenDir, 'model.tar.gz'));
  await world.server.objects.putFile('bench', 'broken/model.tar.gz', join(brokenDir, 'model.tar.gz'));
  await world.sagemaker.send(
    new CreateModelCommand({
      ModelName: 'broken',
      PrimaryContainer: { Image: IMAGE, ModelDataUrl: 's3://bench/broken/model.tar.gz' },
    }),
  );
  await world.sagemaker.send(
    new CreateEndpointConfigCommand({
      EndpointConfigName: 'broken',
      ProductionVariants: [
        { VariantName: 'broken', ModelName: 'broken', InstanceType: 'ml.m5.large', InitialInstanceCount: 1 },
      ],
    }),
  );
  await world.deploy('reviews', 'seed-v1');
  const invocation = world.signedInvocation('reviews');
  await autocannon({ ...invocation, connections, duration: 2 }); // warm-up

  const underLoad = async (configName) => {
    const load = autocannon({ ...invocation, connections, duration: 8, rate });
    await new Promise((resolve) => setTimeout(resolve, 2000));
    const started = Date.now();
    await world.sagemaker.send(new UpdateEndpointCommand({ EndpointName: 'reviews', EndpointConfigName: configName }));
    const described = await world.waitUntilSettled('reviews');
    const took = Date.now() - started;
    return { result: await load, described, took };
  };
  const good = await underLoad('seed-v2');
  const bad = await underLoad('broken');
  process.stdout.write(
    [
      `UpdateEndpoint under load: ${rate} requests/s of single-review JSON for 8 s, update after 2 s, ${connections} connections, ${machine()}`,
      `good update seed-v1 → seed-v2: ${good.described.EndpointStatus} on ${good.described.EndpointConfigName} after ${good.took} ms`,
      report('  load during it:', good.result),
      `  failed requests: ${errorsOf(good.result)}`,
      `failing update seed-v2 → broken: ${bad.described.EndpointStatus} on ${bad.described.EndpointConfigName} after ${bad.took} ms; FailureReason: ${bad.described.FailureReason?.slice(0, 140)}…`,
      report('  load during it:', bad.result),
      `  failed requests: ${errorsOf(bad.result)}`,
      `target (no failed request during an update): ${errorsOf(good.result) + errorsOf(bad.result) === 0 ? 'met' : 'NOT met'}`,
      '',
    ].join('\n'),
  );
  figure({
    name: `failed requests during a good and a failing UpdateEndpoint at ${rate} req/s`,
    value: errorsOf(good.result) + errorsOf(bad.result),
    unit: 'requests',
    target: '0',
    met: errorsOf(good.result) + errorsOf(bad.result) === 0,
    detail: `good update InService after ${good.took} ms, p99 ${good.result.latency.p99} ms during it`,
  });
} finally {
  await world.close();
  await rm(brokenDir, { recursive: true, force: true });
}
