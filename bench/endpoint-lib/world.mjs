// Shared by bench/endpoint-*.mjs: a local server (in this process) with the seed model trained and deployed
// behind an endpoint, and autocannon run as a second process.
import { execFile, spawn } from 'node:child_process';
import { cp, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import {
  CreateEndpointCommand,
  CreateEndpointConfigCommand,
  CreateModelCommand,
  DescribeEndpointCommand,
  SageMakerClient,
} from '@aws-sdk/client-sagemaker';
import { awsClientConfig, signRequest } from '@slipway/core';
import { RuntimeManager, packTarGz, silentLogger, startLocalServer } from '@slipway/local';

export const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const IMAGE = '683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-scikit-learn:1.2-1-cpu-py3';
export const REVIEW = 'The charger stopped working after two days and support never answered.';
export const BODY = JSON.stringify({ instances: [REVIEW] });
const run = promisify(execFile);

/** Trains the seed model (preprocess.py + train.py on seed/data/reviews.csv) and packs model.tar.gz. */
async function trainSeedModel(work) {
  const seed = join(root, 'seed');
  const python = (await new RuntimeManager().resolve(IMAGE)).python;
  await mkdir(join(work, 'input'), { recursive: true });
  await cp(join(seed, 'data', 'reviews.csv'), join(work, 'input', 'reviews.csv'));
  await run(python, [
    join(seed, 'preprocess.py'),
    '--input-dir',
    join(work, 'input'),
    '--output-dir',
    join(work, 'prepared'),
    '--message-file',
    join(work, 'message'),
  ]);
  const { stdout } = await run(python, [
    join(seed, 'train.py'),
    '--train',
    join(work, 'prepared', 'train'),
    '--validation',
    join(work, 'prepared', 'validation'),
    '--model-dir',
    join(work, 'model'),
    '--output-dir',
    join(work, 'output'),
  ]);
  const accuracy = /validation_accuracy=([0-9.]+)/.exec(stdout)?.[1];
  await packTarGz(join(work, 'model'), join(work, 'model.tar.gz'));
  return { archive: join(work, 'model.tar.gz'), modelDir: join(work, 'model'), python, accuracy };
}

/** `runners`: the job runners the server gets (none by default: endpoints need none). */
export async function startEndpointWorld({ runners = {} } = {}) {
  const work = await mkdtemp(join(tmpdir(), 'slipway-bench-endpoint-'));
  const { archive, modelDir, python, accuracy } = await trainSeedModel(work);
  const server = await startLocalServer({ dataDir: join(work, 'data'), runners, logger: silentLogger });
  await server.objects.createBucket('bench');
  await server.objects.putFile('bench', 'seed/model.tar.gz', archive);
  const sagemaker = new SageMakerClient(
    awsClientConfig({ kind: 'local', region: server.region, endpoint: server.url, credentials: server.credentials }),
  );
  const world = {
    server,
    sagemaker,
    accuracy,
    /** The trained model unpacked (model.joblib and code/inference.py), and the runtime's Python. */
    modelDir,
    python,
    work,
    invocationsUrl: (endpoint) => `${server.url}/endpoints/${endpoint}/invocations`,
    /**
     * One InvokeEndpoint signed with the server's secret, as the SDK would sign it: autocannon repeats it (a
     * signature stays valid for 15 minutes, longer than a run).
     */
    signedInvocation(endpoint, body = BODY) {
      const url = world.invocationsUrl(endpoint);
      const headers = signRequest({
        method: 'POST',
        url,
        headers: { 'content-type': 'application/json', accept: 'application/json' },
        body,
        credentials: server.credentials,
        region: server.region,
        service: 'sagemaker',
      });
      return { url, headers, body };
    },
    async createModelVersion(modelName, variantName, configName) {
      await sagemaker.send(
        new CreateModelCommand({
          ModelName: modelName,
          ExecutionRoleArn: 'arn:aws:iam::000000000000:role/bench',
          PrimaryContainer: {
            Image: IMAGE,
            ModelDataUrl: 's3://bench/seed/model.tar.gz',
            Environment: { SAGEMAKER_PROGRAM: 'inference.py', SAGEMAKER_SUBMIT_DIRECTORY: '/opt/ml/model/code' },
          },
        }),
      );
      await sagemaker.send(
        new CreateEndpointConfigCommand({
          EndpointConfigName: configName,
          ProductionVariants: [
            { VariantName: variantName, ModelName: modelName, InstanceType: 'ml.m5.large', InitialInstanceCount: 1 },
          ],
        }),
      );
    },
    async waitUntilSettled(endpoint) {
      for (;;) {
        const described = await sagemaker.send(new DescribeEndpointCommand({ EndpointName: endpoint }));
        if (!['Creating', 'Updating'].includes(described.EndpointStatus)) return described;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    },
    async deploy(endpoint, configName) {
      await sagemaker.send(new CreateEndpointCommand({ EndpointName: endpoint, EndpointConfigName: configName }));
      const described = await world.waitUntilSettled(endpoint);
      if (described.EndpointStatus !== 'InService') throw new Error(`endpoint ${endpoint}: ${described.FailureReason}`);
    },
    async close() {
      sagemaker.destroy();
      await server.close();
      await rm(work, { recursive: true, force: true });
    },
  };
  return world;
}

/** autocannon in a second process; resolves with its JSON result. */
export function autocannon({ url, connections = 10, duration = 10, rate, body = BODY, headers }) {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [
        join(root, 'node_modules', 'autocannon', 'autocannon.js'),
        '--json',
        '-c',
        String(connections),
        '-d',
        String(duration),
        ...(rate ? ['-R', String(rate)] : []),
        '-m',
        'POST',
        ...Object.entries(headers ?? { 'content-type': 'application/json', accept: 'application/json' }).flatMap(
          ([name, value]) => ['-H', `${name}:${value}`],
        ),
        '-b',
        body,
        url,
      ],
      { stdio: ['ignore', 'pipe', 'ignore'] },
    );
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0 ? resolve(JSON.parse(output)) : reject(new Error(`autocannon exited ${code}`)),
    );
  });
}

export function errorsOf(result) {
  return result.errors + result.timeouts + result.non2xx;
}

export function report(title, result) {
  return [
    title,
    `  requests/s   ${result.requests.average.toFixed(0)} (total ${result.requests.total})`,
    `  latency p50  ${result.latency.p50} ms`,
    `  latency p99  ${result.latency.p99} ms (max ${result.latency.max} ms)`,
    `  errors       ${errorsOf(result)} (errors ${result.errors}, timeouts ${result.timeouts}, non-2xx ${result.non2xx})`,
  ].join('\n');
}

export function machine() {
  return `${cpus().length} CPU(s), load average ${loadavg()[0].toFixed(1)}`;
}
