import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { packTarGz } from '../../src/archive/pack.js';
import { RuntimeCatalog, RuntimeManager, type RuntimeDefinition } from '../../src/runtimes/index.js';
import type { JobRunnerOptions } from '../../src/runners/job-runtime.js';
import type { ProcessingJobSpec, TrainingJobSpec } from '../../src/runners/job-runner.js';
import { ObjectStore } from '../../src/storage/object-store.js';

export const FIXTURES = fileURLToPath(new URL('../fixtures/jobs/', import.meta.url));
/** An image the test catalog maps to the host's python3 (the job scripts need only the standard library). */
export const TEST_IMAGE = '123456789012.dkr.ecr.us-east-1.amazonaws.com/slipway-test:latest';
export const SKLEARN_IMAGE = '683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-scikit-learn:1.2-1-cpu-py3';
export const BUCKET = 'slipway-test';

const hostPython: RuntimeDefinition = {
  name: 'host-python',
  description: 'the host python3, for tests',
  source: 'test',
  images: [TEST_IMAGE],
  environment: { kind: 'python', python: process.env.SLIPWAY_PYTHON ?? 'python3' },
  serving: 'toolkit',
};

/** The runtime manager for tests: the test image on the host python, plus the built-ins (shared cache). */
export function testRuntimes(): RuntimeManager {
  return new RuntimeManager({ catalog: new RuntimeCatalog([hostPython, ...RuntimeCatalog.builtIn().definitions]) });
}

export function runnerOptions(overrides: Partial<JobRunnerOptions> = {}): JobRunnerOptions {
  return {
    runtimes: testRuntimes(),
    stopGraceMs: 2000,
    hostEnv: { ...process.env, AWS_SECRET_ACCESS_KEY: 'must-not-leak' },
    ...overrides,
  };
}

/** A temporary data dir with an object store, and the folders a job needs. */
export class JobWorld {
  private counter = 0;
  private constructor(
    readonly root: string,
    readonly store: ObjectStore,
  ) {}

  static async create(): Promise<JobWorld> {
    const root = await mkdtemp(join(tmpdir(), 'slipway-jobs-'));
    const store = new ObjectStore(join(root, 'data'));
    await store.createBucket(BUCKET);
    return new JobWorld(root, store);
  }

  async dispose(): Promise<void> {
    await rm(this.root, { recursive: true, force: true });
  }

  /** Uploads a fixture script (or text) under a key. */
  async put(key: string, body: string): Promise<string> {
    await this.store.put(BUCKET, key, body);
    return `s3://${BUCKET}/${key}`;
  }

  async putFixture(key: string, fixture: string): Promise<string> {
    return this.put(key, await readFile(join(FIXTURES, fixture), 'utf8'));
  }

  /** Packs fixture scripts into a sourcedir.tar.gz in the store, as the SDK uploads `source_dir`. */
  async putSourceDir(key: string, fixtures: readonly string[]): Promise<string> {
    const dir = join(this.root, `src-${++this.counter}`);
    await mkdir(dir, { recursive: true });
    for (const name of fixtures) await writeFile(join(dir, name), await readFile(join(FIXTURES, name)));
    const archive = join(this.root, `sourcedir-${this.counter}.tar.gz`);
    await packTarGz(dir, archive);
    await this.store.putFile(BUCKET, key, archive);
    return `s3://${BUCKET}/${key}`;
  }

  /** Packs the objects under `prefix` (as written with `put`) into a sourcedir.tar.gz at `key`. */
  async putSourceDirFromStore(prefix: string, key: string): Promise<string> {
    const dir = join(this.root, `src-${++this.counter}`);
    await mkdir(dir, { recursive: true });
    for (const object of await this.store.list(BUCKET, prefix)) {
      const file = join(dir, object.key.slice(prefix.length));
      await mkdir(dirname(file), { recursive: true });
      await writeFile(file, (await this.store.get(BUCKET, object.key))!);
    }
    const archive = join(this.root, `sourcedir-${this.counter}.tar.gz`);
    await packTarGz(dir, archive);
    await this.store.putFile(BUCKET, key, archive);
    return `s3://${BUCKET}/${key}`;
  }

  async get(uri: string): Promise<string | undefined> {
    const key = uri.replace(`s3://${BUCKET}/`, '');
    return (await this.store.get(BUCKET, key))?.toString('utf8');
  }

  private base(name: string, signal?: AbortSignal) {
    const id = ++this.counter;
    return {
      jobName: `${name}-${id}`,
      region: 'us-east-1',
      workDir: join(this.root, 'work', `${name}-${id}`),
      logFile: join(this.root, 'logs', `${name}-${id}.log`),
      signal: signal ?? new AbortController().signal,
    };
  }

  processing(name: string, request: ProcessingJobSpec['request'], signal?: AbortSignal): ProcessingJobSpec {
    const base = this.base(name, signal);
    return {
      ...base,
      kind: 'Processing',
      jobArn: `arn:aws:sagemaker:us-east-1:000000000000:processing-job/${base.jobName}`,
      request,
    };
  }

  training(name: string, request: TrainingJobSpec['request'], signal?: AbortSignal): TrainingJobSpec {
    const base = this.base(name, signal);
    return {
      ...base,
      kind: 'Training',
      jobArn: `arn:aws:sagemaker:us-east-1:000000000000:training-job/${base.jobName}`,
      request,
    };
  }
}

/** A processing request running one script from `s3://…/code/<script>` with the given arguments. */
export function processingRequest(
  codeUri: string,
  script: string,
  args: string[],
  extra: Partial<ProcessingJobSpec['request']> = {},
): ProcessingJobSpec['request'] {
  return {
    AppSpecification: {
      ImageUri: TEST_IMAGE,
      ContainerEntrypoint: ['python3', `/opt/ml/processing/input/code/${script}`],
      ContainerArguments: args,
    },
    ProcessingResources: { ClusterConfig: { InstanceCount: 1, InstanceType: 'ml.m5.xlarge', VolumeSizeInGB: 30 } },
    RoleArn: 'arn:aws:iam::000000000000:role/test',
    ...extra,
    ProcessingInputs: [
      {
        InputName: 'code',
        S3Input: {
          S3Uri: codeUri,
          LocalPath: '/opt/ml/processing/input/code',
          S3DataType: 'S3Prefix',
          S3InputMode: 'File',
        },
      },
      ...(extra.ProcessingInputs ?? []),
    ],
  };
}

/** A script-mode training request (what the SDK's estimators send). */
export function trainingRequest(
  submitDir: string,
  program: string,
  extra: Partial<TrainingJobSpec['request']> = {},
  hyperparameters: Record<string, string> = {},
): TrainingJobSpec['request'] {
  const { AlgorithmSpecification, ...rest } = extra;
  return {
    AlgorithmSpecification: { TrainingImage: TEST_IMAGE, TrainingInputMode: 'File', ...AlgorithmSpecification },
    HyperParameters: {
      sagemaker_program: JSON.stringify(program),
      sagemaker_submit_directory: JSON.stringify(submitDir),
      sagemaker_container_log_level: '20',
      sagemaker_region: '"us-east-1"',
      ...hyperparameters,
    },
    OutputDataConfig: { S3OutputPath: `s3://${BUCKET}/models` },
    ResourceConfig: { InstanceCount: 1, InstanceType: 'ml.m5.large', VolumeSizeInGB: 30 },
    RoleArn: 'arn:aws:iam::000000000000:role/test',
    StoppingCondition: { MaxRuntimeInSeconds: 3600 },
    ...rest,
  };
}

export function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
