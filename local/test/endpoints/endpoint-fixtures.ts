import { execFile } from 'node:child_process';
import { cp, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import {
  CreateEndpointCommand,
  CreateEndpointConfigCommand,
  CreateModelCommand,
  DescribeEndpointCommand,
  type DescribeEndpointOutput,
  type ProductionVariant,
  type SageMakerClient,
} from '@aws-sdk/client-sagemaker';
import { InvokeEndpointCommand, SageMakerRuntimeClient } from '@aws-sdk/client-sagemaker-runtime';
import { RuntimeManager, packTarGz, type LocalServer } from '@slipway/local';
import { localClientConfig, type ServerAddress } from '../support/harness.js';

export const SKLEARN_IMAGE = '683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-scikit-learn:1.2-1-cpu-py3';
export const ROLE = 'arn:aws:iam::000000000000:role/SlipwayLocal';
export const BUCKET = 'endpoint-tests';
/** The serving environment the SDK (and the seed pipeline's RegisterModel step) sets for the sklearn image. */
export const SERVING_ENVIRONMENT = {
  SAGEMAKER_PROGRAM: 'inference.py',
  SAGEMAKER_SUBMIT_DIRECTORY: '/opt/ml/model/code',
};
const SEED = join(process.cwd(), 'seed');
const run = promisify(execFile);

/** Model archives for the tests: the real seed model, and one whose model_fn fails. */
export interface ModelArchives {
  readonly dir: string;
  /** seed/preprocess.py + seed/train.py on seed/data/reviews.csv, in the scikit-learn 1.2-1 runtime. */
  readonly seed: string;
  /** code/inference.py whose model_fn raises. */
  readonly broken: string;
  dispose(): Promise<void>;
}

export const BROKEN_MODEL_ERROR = 'the weights file is corrupt: retrain the model';

/** Trains the seed model (about 3 s) and packs both archives. */
export async function buildModelArchives(): Promise<ModelArchives> {
  const dir = await mkdtemp(join(tmpdir(), 'slipway-endpoint-models-'));
  const python = (await new RuntimeManager().resolve(SKLEARN_IMAGE)).python;
  await mkdir(join(dir, 'input'), { recursive: true });
  await cp(join(SEED, 'data', 'reviews.csv'), join(dir, 'input', 'reviews.csv'));
  const prepared = join(dir, 'prepared');
  await run(python, [
    join(SEED, 'preprocess.py'),
    '--input-dir',
    join(dir, 'input'),
    '--output-dir',
    prepared,
    '--message-file',
    join(dir, 'message'),
  ]);
  const modelDir = join(dir, 'model');
  await run(python, [
    join(SEED, 'train.py'),
    '--train',
    join(prepared, 'train'),
    '--validation',
    join(prepared, 'validation'),
    '--model-dir',
    modelDir,
    '--output-dir',
    join(dir, 'output'),
  ]);
  const seed = join(dir, 'seed-model.tar.gz');
  await packTarGz(modelDir, seed);

  const brokenDir = join(dir, 'broken');
  await mkdir(join(brokenDir, 'code'), { recursive: true });
  await writeFile(
    join(brokenDir, 'code', 'inference.py'),
    `def model_fn(model_dir):\n    raise ValueError(${JSON.stringify(BROKEN_MODEL_ERROR)})\n`,
  );
  const broken = join(dir, 'broken-model.tar.gz');
  await packTarGz(brokenDir, broken);
  return { dir, seed, broken, dispose: () => rm(dir, { recursive: true, force: true }) };
}

/** Puts an archive into the server's object store; resolves with its s3:// URI. */
export async function uploadModel(server: LocalServer, archive: string, key: string): Promise<string> {
  await server.objects.createBucket(BUCKET);
  await server.objects.putFile(BUCKET, key, archive);
  return `s3://${BUCKET}/${key}`;
}

export function runtimeClient(server: ServerAddress): SageMakerRuntimeClient {
  return new SageMakerRuntimeClient(localClientConfig(server));
}

export async function createModel(sagemaker: SageMakerClient, name: string, modelDataUrl: string): Promise<void> {
  await sagemaker.send(
    new CreateModelCommand({
      ModelName: name,
      ExecutionRoleArn: ROLE,
      PrimaryContainer: { Image: SKLEARN_IMAGE, ModelDataUrl: modelDataUrl, Environment: SERVING_ENVIRONMENT },
    }),
  );
}

export function variant(name: string, modelName: string, extra: Partial<ProductionVariant> = {}): ProductionVariant {
  return { VariantName: name, ModelName: modelName, InstanceType: 'ml.m5.large', InitialInstanceCount: 1, ...extra };
}

export async function createConfig(
  sagemaker: SageMakerClient,
  name: string,
  variants: ProductionVariant[],
): Promise<void> {
  await sagemaker.send(new CreateEndpointConfigCommand({ EndpointConfigName: name, ProductionVariants: variants }));
}

/** Polls DescribeEndpoint until the status is not `transient`, as the SDK waiter does (but every 50 ms). */
export async function waitForEndpoint(
  sagemaker: SageMakerClient,
  name: string,
  transient: readonly string[] = ['Creating', 'Updating'],
  timeoutMs = 60_000,
): Promise<DescribeEndpointOutput> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const described = await sagemaker.send(new DescribeEndpointCommand({ EndpointName: name }));
    if (!transient.includes(described.EndpointStatus!)) return described;
    if (Date.now() > deadline)
      throw new Error(`endpoint ${name} still ${described.EndpointStatus} after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Creates an endpoint for one config and waits until it is no longer Creating. */
export async function deployEndpoint(
  sagemaker: SageMakerClient,
  name: string,
  configName: string,
): Promise<DescribeEndpointOutput> {
  await sagemaker.send(new CreateEndpointCommand({ EndpointName: name, EndpointConfigName: configName }));
  return waitForEndpoint(sagemaker, name);
}

export async function invokeJson(
  runtime: SageMakerRuntimeClient,
  endpoint: string,
  body: unknown,
  targetVariant?: string,
) {
  const answer = await runtime.send(
    new InvokeEndpointCommand({
      EndpointName: endpoint,
      ContentType: 'application/json',
      Accept: 'application/json',
      Body: Buffer.from(JSON.stringify(body)),
      ...(targetVariant ? { TargetVariant: targetVariant } : {}),
    }),
  );
  return {
    variant: answer.InvokedProductionVariant,
    contentType: answer.ContentType,
    body: JSON.parse(Buffer.from(answer.Body!).toString('utf8')) as {
      predictions: { label: string; scores: Record<string, number> }[];
    },
  };
}

/** Runs `work` in `parallel` loops until `stop()` is called; counts successes and keeps every failure. */
export function continuousLoad(parallel: number, work: () => Promise<unknown>) {
  let running = true;
  let ok = 0;
  const failures: unknown[] = [];
  const loops = Array.from({ length: parallel }, async () => {
    while (running) {
      try {
        await work();
        ok += 1;
      } catch (error) {
        failures.push(error);
      }
    }
  });
  return {
    get ok() {
      return ok;
    },
    failures,
    async stop() {
      running = false;
      await Promise.all(loops);
      return { ok, failures };
    },
  };
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
