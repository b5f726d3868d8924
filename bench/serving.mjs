#!/usr/bin/env node
// Throughput and latency of a local model server (issue 6: ≥ 500 requests/s with p99 ≤ 25 ms for
// single-review JSON on 2 cores, load from a second process).
//
// Trains a TF-IDF + LogisticRegression sentiment model with the real runners in the scikit-learn 1.2-1
// runtime: the seed pipeline's preprocess.py and train.py when seed/ has them, otherwise the tiny trainer in
// local/test/fixtures/sentiment on synthetic reviews. Then starts the model server on its model.tar.gz
// and loads it with autocannon running as a separate process.
//
// node bench/serving.mjs [--connections 10] [--seconds 10] [--workers 1]      (npm run bench -- serving builds first)
/* global fetch, AbortController */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';

import { autocannon, report } from './endpoint-lib/world.mjs';
import { figure } from './lib/figures.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(root, 'local', 'dist', 'index.js');
if (!existsSync(dist)) {
  process.stderr.write('bench/serving: local/dist is missing; run `npm run build` (or `npm run bench -- serving`).\n');
  process.exit(1);
}
const { ObjectStore, ProcessingRunner, TrainingRunner, RuntimeManager, startModelServer } = await import(dist);

const argument = (name, fallback) => {
  const index = process.argv.indexOf(`--${name}`);
  return index >= 0 ? Number(process.argv[index + 1]) : fallback;
};
const connections = argument('connections', 10);
const seconds = argument('seconds', 10);
const workers = argument('workers', 1);
const IMAGE = '683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-scikit-learn:1.2-1-cpu-py3';
const BUCKET = 'bench';
const seedDir = process.env.SLIPWAY_BENCH_SEED_DIR ?? join(root, 'seed');
const fixtures = join(root, 'local', 'test', 'fixtures', 'sentiment');
const useSeed = ['preprocess.py', 'train.py', 'inference.py', 'data/reviews.csv'].every((f) =>
  existsSync(join(seedDir, f)),
);

const work = await mkdtemp(join(tmpdir(), 'slipway-bench-serving-'));
const store = new ObjectStore(join(work, 'data'));
await store.createBucket(BUCKET);
const runtimes = new RuntimeManager();
const options = { runtimes, stopGraceMs: 5000, hostEnv: process.env };
let jobs = 0;
const spec = (kind, request) => {
  jobs += 1;
  const jobName = `bench-${kind.toLowerCase()}-${jobs}`;
  return {
    kind,
    jobName,
    jobArn: `arn:aws:sagemaker:us-east-1:000000000000:${kind.toLowerCase()}-job/${jobName}`,
    region: 'us-east-1',
    workDir: join(work, 'jobs', jobName),
    logFile: join(work, 'logs', `${jobName}.log`),
    signal: new AbortController().signal,
    request,
  };
};
const check = async (job, result) => {
  if (result.status !== 'Completed') {
    process.stderr.write(await readFile(job.logFile, 'utf8').catch(() => ''));
    throw new Error(`${job.jobName} ${result.status}: ${result.failureReason}`);
  }
  return result;
};
const { packTarGz } = await import(dist);
async function putSourceDir(files, key) {
  const dir = join(work, 'src');
  execFileSync('mkdir', ['-p', dir]);
  for (const [name, from] of files) await writeFile(join(dir, name), await readFile(from));
  await packTarGz(dir, join(work, 'sourcedir.tar.gz'));
  await store.putFile(BUCKET, key, join(work, 'sourcedir.tar.gz'));
  return `s3://${BUCKET}/${key}`;
}

let channels;
let review;
let program;
if (useSeed) {
  process.stdout.write(`model: the seed pipeline (${seedDir}): preprocess.py then train.py\n`);
  await store.putFile(BUCKET, 'code/preprocess.py', join(seedDir, 'preprocess.py'));
  await store.putFile(BUCKET, 'input/reviews.csv', join(seedDir, 'data', 'reviews.csv'));
  const outputs = ['train', 'validation', 'test'];
  const job = spec('Processing', {
    AppSpecification: {
      ImageUri: IMAGE,
      ContainerEntrypoint: ['python3', '/opt/ml/processing/input/code/preprocess.py'],
      ContainerArguments: [
        '--train-ratio',
        '0.7',
        '--validation-ratio',
        '0.15',
        '--test-ratio',
        '0.15',
        '--random-seed',
        '42',
        '--balance',
        'true',
      ],
    },
    ProcessingInputs: [
      {
        InputName: 'code',
        S3Input: {
          S3Uri: `s3://${BUCKET}/code/preprocess.py`,
          LocalPath: '/opt/ml/processing/input/code',
          S3DataType: 'S3Prefix',
        },
      },
      {
        InputName: 'data',
        S3Input: {
          S3Uri: `s3://${BUCKET}/input/reviews.csv`,
          LocalPath: '/opt/ml/processing/input/data',
          S3DataType: 'S3Prefix',
        },
      },
    ],
    ProcessingOutputConfig: {
      Outputs: outputs.map((name) => ({
        OutputName: name,
        S3Output: {
          S3Uri: `s3://${BUCKET}/prepared/${name}`,
          LocalPath: `/opt/ml/processing/output/${name}`,
          S3UploadMode: 'EndOfJob',
        },
      })),
    },
    ProcessingResources: { ClusterConfig: { InstanceCount: 1, InstanceType: 'ml.m5.xlarge', VolumeSizeInGB: 30 } },
    RoleArn: 'arn:aws:iam::000000000000:role/bench',
  });
  await check(job, await new ProcessingRunner(options).run(job, store));
  channels = ['train', 'validation'].map((name) => [name, `s3://${BUCKET}/prepared/${name}/`]);
  program = await putSourceDir(
    [
      ['train.py', join(seedDir, 'train.py')],
      ['inference.py', join(seedDir, 'inference.py')],
    ],
    'code/sourcedir.tar.gz',
  );
  review = 'The charger stopped working after two days and support never answered.';
} else {
  process.stdout.write(
    'model: local/test/fixtures/sentiment/train.py on 3000 synthetic reviews (seed/train.py is not here yet)\n',
  );
  for (const [name, rows, seed] of [
    ['train', 3000, 1],
    ['validation', 600, 2],
  ]) {
    execFileSync(process.env.SLIPWAY_PYTHON ?? 'python3', [
      join(fixtures, 'make_reviews.py'),
      join(work, `${name}.csv`),
      String(rows),
      String(seed),
    ]);
    await store.putFile(BUCKET, `prepared/${name}/${name}.csv`, join(work, `${name}.csv`));
  }
  channels = ['train', 'validation'].map((name) => [name, `s3://${BUCKET}/prepared/${name}/`]);
  program = await putSourceDir(
    [
      ['train.py', join(fixtures, 'train.py')],
      ['inference.py', join(fixtures, 'inference.py')],
    ],
    'code/sourcedir.tar.gz',
  );
  review = 'The blender arrived broken and the refund took weeks, a waste of money.';
}

const trainStarted = performance.now();
const training = spec('Training', {
  AlgorithmSpecification: {
    TrainingImage: IMAGE,
    TrainingInputMode: 'File',
    MetricDefinitions: [{ Name: 'validation:accuracy', Regex: 'validation_accuracy=([0-9.]+)' }],
  },
  HyperParameters: { sagemaker_program: '"train.py"', sagemaker_submit_directory: JSON.stringify(program) },
  InputDataConfig: channels.map(([name, uri]) => ({
    ChannelName: name,
    DataSource: { S3DataSource: { S3DataType: 'S3Prefix', S3Uri: uri } },
  })),
  OutputDataConfig: { S3OutputPath: `s3://${BUCKET}/models` },
  ResourceConfig: { InstanceCount: 1, InstanceType: 'ml.m5.large', VolumeSizeInGB: 30 },
  RoleArn: 'arn:aws:iam::000000000000:role/bench',
  StoppingCondition: { MaxRuntimeInSeconds: 3600 },
});
const trained = await check(training, await new TrainingRunner(options).run(training, store));
process.stdout.write(
  `trained in ${((performance.now() - trainStarted) / 1000).toFixed(1)} s; validation accuracy ${trained.finalMetricDataList?.[0]?.Value ?? 'n/a'}\n`,
);
const modelKey = trained.modelArtifactsS3Uri.slice(`s3://${BUCKET}/`.length);
const modelTarGz = join(work, 'model.tar.gz');
await writeFile(modelTarGz, await store.get(BUCKET, modelKey));

const startedAt = performance.now();
const server = await startModelServer({
  modelTarGz,
  image: IMAGE,
  runtimes,
  environment: {
    SAGEMAKER_PROGRAM: 'inference.py',
    SAGEMAKER_SUBMIT_DIRECTORY: '/opt/ml/model/code',
    SAGEMAKER_MODEL_SERVER_WORKERS: String(workers),
  },
});
process.stdout.write(`model server ready in ${Math.round(performance.now() - startedAt)} ms at ${server.url}\n`);
const body = JSON.stringify({ instances: [review] });
const probe = await fetch(`${server.url}/invocations`, {
  method: 'POST',
  body,
  headers: { 'Content-Type': 'application/json' },
});
process.stdout.write(`sample: ${probe.status} ${(await probe.text()).slice(0, 160)}\n`);

const TARGET_RATE = 500;
try {
  const url = `${server.url}/invocations`;
  await autocannon({ url, connections, duration: 2, body }); // warm-up
  const saturated = await autocannon({ url, connections, duration: seconds, body });
  const paced = await autocannon({ url, connections, duration: seconds, rate: TARGET_RATE, body });
  const met =
    saturated.requests.average >= TARGET_RATE &&
    paced.latency.p99 <= 25 &&
    saturated.errors + saturated.non2xx + paced.errors + paced.non2xx === 0;
  process.stdout.write(
    [
      `single-review JSON, ${workers} worker(s), ${connections} connections, ${seconds} s per run, ${cpus().length} CPU(s), load average ${loadavg()[0].toFixed(1)}, autocannon in a second process`,
      report('as fast as it goes:', saturated),
      report(`paced at ${TARGET_RATE} requests/s:`, paced),
      `target (≥ ${TARGET_RATE} requests/s; p99 ≤ 25 ms at that rate; no errors): ${met ? 'met' : 'NOT met'}`,
      '',
    ].join('\n'),
  );
  figure({
    name: `model server alone, ${workers} worker(s), as fast as it goes`,
    value: saturated.requests.average,
    unit: 'req/s',
    target: `≥ ${TARGET_RATE} req/s; p99 ≤ 25 ms at that rate; no errors`,
    met,
    better: 'higher',
    detail: `p99 ${saturated.latency.p99} ms; paced at ${TARGET_RATE}/s p99 ${paced.latency.p99} ms`,
  });
} finally {
  await server.stop();
  await rm(work, { recursive: true, force: true });
}
