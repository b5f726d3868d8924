#!/usr/bin/env node
// How long deciding a no-op redeploy takes (the same version already live in the stage): the check a
// duplicate approval event triggers. Timed on moto's SageMaker (local, so network latency is ~0; on AWS
// add about 4 round trips: DescribeEndpoint, DescribeEndpointConfig, DescribeModel, DescribeModelPackage),
// in-process and as the bundled deploy-model action (a fresh Node process, as on the runner).
// Target: ≤ 5 s. Needs `npm run build` and .venv-tools (moto). Usage: node bench/deploy-noop.mjs [runs]
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { figure } from './lib/figures.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const runs = Number(process.argv[2] ?? 10);
const { deployStage } = await import(join(root, 'deploy-pipeline', 'dist', 'index.js'));
const { loadProjectConfig } = await import(join(root, 'core', 'dist', 'index.js'));
const sagemakerModule = join(root, 'node_modules', '@aws-sdk', 'client-sagemaker', 'dist-cjs', 'index.js');
const { SageMakerClient, CreateModelPackageGroupCommand, CreateModelPackageCommand, UpdateModelPackageCommand } =
  await import(sagemakerModule);
const { S3Client, CreateBucketCommand, PutObjectCommand } = await import(
  join(root, 'node_modules', '@aws-sdk', 'client-s3', 'dist-cjs', 'index.js')
);
const { createHash } = await import('node:crypto');

const moto = spawn(join(root, '.venv-tools', 'bin', 'moto_server'), ['-H', '127.0.0.1', '-p', '0'], {
  stdio: ['ignore', 'ignore', 'pipe'],
});
const url = await new Promise((resolve, reject) => {
  let text = '';
  moto.stderr.setEncoding('utf8').on('data', (chunk) => {
    text += chunk;
    const match = /Running on (http:\/\/127\.0\.0\.1:\d+)/.exec(text);
    if (match) resolve(match[1]);
  });
  moto.on('exit', () => reject(new Error(`moto_server exited: ${text}`)));
});
try {
  const credentials = { accessKeyId: 'testing', secretAccessKey: 'testing' };
  const sagemaker = new SageMakerClient({ region: 'us-east-1', endpoint: url, credentials });
  const project = loadProjectConfig({ path: join(root, 'slipway.config.json') });
  // Model data where training jobs write it, its SHA-256 registered with the version (as the pipeline does).
  const s3 = new S3Client({ region: 'us-east-1', endpoint: url, credentials, forcePathStyle: true });
  const key = `models/${project.pipelineName}/bench/output/model.tar.gz`;
  const body = Buffer.from('bench model');
  await s3.send(new CreateBucketCommand({ Bucket: project.artifactBucket }));
  await s3.send(new PutObjectCommand({ Bucket: project.artifactBucket, Key: key, Body: body }));
  const metadata = { 'slipway:model-data-sha256': createHash('sha256').update(body).digest('hex') };
  await sagemaker.send(new CreateModelPackageGroupCommand({ ModelPackageGroupName: 'sentiment-models' }));
  const { ModelPackageArn: arn } = await sagemaker.send(
    new CreateModelPackageCommand({
      ModelPackageGroupName: 'sentiment-models',
      InferenceSpecification: {
        Containers: [{ Image: 'image', ModelDataUrl: `s3://${project.artifactBucket}/${key}` }],
        SupportedContentTypes: ['application/json'],
        SupportedResponseMIMETypes: ['application/json'],
      },
      CustomerMetadataProperties: metadata,
    }),
  );
  // moto's UpdateModelPackage drops metadata a request leaves out (SageMaker keeps it): sent again.
  await sagemaker.send(
    new UpdateModelPackageCommand({
      ModelPackageArn: arn,
      ModelApprovalStatus: 'Approved',
      CustomerMetadataProperties: metadata,
    }),
  );
  const backend = { kind: 'local', region: 'us-east-1', endpoint: url, credentials };
  const first = await deployStage({ stage: 'staging', modelPackageArn: arn, backend, project }, { pollSeconds: 0 });
  if (!first.changed) throw new Error('the first deploy should change the stage');

  const inProcess = [];
  for (let i = 0; i < runs; i += 1) {
    const started = performance.now();
    const again = await deployStage({ stage: 'staging', modelPackageArn: arn, backend, project });
    inProcess.push(performance.now() - started);
    if (again.changed) throw new Error('a redeploy of the live version changed something');
  }

  const action = [];
  const dir = mkdtempSync(join(tmpdir(), 'slipway-noop-'));
  for (let i = 0; i < Math.min(runs, 5); i += 1) {
    writeFileSync(join(dir, 'out'), '');
    writeFileSync(join(dir, 'summary'), '');
    const started = performance.now();
    const run = spawnSync(process.execPath, [join(root, 'actions', 'deploy-model', 'dist', 'index.js')], {
      cwd: root,
      encoding: 'utf8',
      env: {
        PATH: process.env.PATH,
        GITHUB_OUTPUT: join(dir, 'out'),
        GITHUB_STEP_SUMMARY: join(dir, 'summary'),
        INPUT_STAGE: 'staging',
        'INPUT_MODEL-PACKAGE-ARN': arn,
        INPUT_BACKEND: 'local',
        'INPUT_ENDPOINT-URL': url,
        // A job pointed at an endpoint signs with the job's AWS credentials.
        AWS_ACCESS_KEY_ID: credentials.accessKeyId,
        AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
      },
    });
    action.push(performance.now() - started);
    if (run.status !== 0 || !run.stdout.includes('already serves'))
      throw new Error(`the action did not report a no-op:\n${run.stdout}`);
  }
  const sorted = (values) => [...values].sort((a, b) => a - b);
  const ms = (value) => `${value.toFixed(0)} ms`;
  console.log(`no-op redeploy decision (same version live), target ≤ 5 s`);
  console.log(
    `  in-process deployStage, ${runs} runs: median ${ms(sorted(inProcess)[Math.floor(runs / 2)])}, max ${ms(Math.max(...inProcess))}`,
  );
  console.log(
    `  deploy-model dist/index.js (new process), ${action.length} runs: median ${ms(sorted(action)[Math.floor(action.length / 2)])}, max ${ms(Math.max(...action))}`,
  );
  const actionMedian = sorted(action)[Math.floor(action.length / 2)];
  figure({
    name: 'no-op redeploy decision, deploy-model action in a new process (median)',
    value: actionMedian / 1000,
    unit: 's',
    target: '≤ 5 s',
    met: actionMedian <= 5000,
  });
} finally {
  moto.kill('SIGTERM');
}
