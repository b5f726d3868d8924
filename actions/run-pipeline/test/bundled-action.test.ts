import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  DescribeModelPackageCommand,
  DescribeModelPackageGroupCommand,
  DescribePipelineCommand,
  ListPipelineExecutionsCommand,
  SageMakerClient,
  UpdateModelPackageCommand,
} from '@aws-sdk/client-sagemaker';
import { HeadObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { awsClientConfig, loadProjectConfig } from '@slipway/core';
import { silentLogger, startLocalServer, type LocalServer } from '@slipway/local';
import { motoAvailable, startMoto, type MotoServer } from '../../../local/test/support/moto.js';
import { driftCheckPipelineName } from '@slipway/deploy-pipeline';
import { REPO, runBundledAction } from './support.js';

const ROLE = 'arn:aws:iam::000000000000:role/slipway-action-test';
const credentialsEnv = (credentials: { accessKeyId: string; secretAccessKey: string }) => ({
  AWS_ACCESS_KEY_ID: credentials.accessKeyId,
  AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
});
const config = loadProjectConfig({ cwd: REPO });

beforeAll(() => {
  // The action compiles the pipeline with the repository's built SDK, as the workflow's `npx tsc -b` leaves it.
  const built = spawnSync(
    process.execPath,
    [join(REPO, 'node_modules', 'typescript', 'bin', 'tsc'), '-b', 'build-pipeline/tsconfig.pipeline.json'],
    {
      cwd: REPO,
      encoding: 'utf8',
    },
  );
  expect(built.stdout + built.stderr).toBe('');
}, 120_000);

describe('dist/index.js as the runner runs it, against the local server', () => {
  let server: LocalServer;
  let dataDir: string;
  let sagemaker: SageMakerClient;

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'slipway-action-local-'));
    server = await startLocalServer({ dataDir, port: 0, logger: silentLogger });
    sagemaker = new SageMakerClient(
      awsClientConfig({ kind: 'local', region: config.region, endpoint: server.url, credentials: server.credentials }),
    );
  });
  afterAll(async () => {
    sagemaker.destroy();
    await server.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const inputs = () => ({ role: ROLE, 'endpoint-url': server.url });
  /** A workflow pointing the action at a local server passes its secret as the job's AWS credentials. */
  const signing = () => credentialsEnv(server.credentials);
  let firstPackage = '';
  let firstExecution = '';

  it('runs the seed pipeline to a registered package, with outputs, summary and the commit on the package', async () => {
    const run = await runBundledAction({ ...inputs(), parameters: 'NgramMax=2\n# a comment\n' }, signing());
    expect(run.log).not.toMatch(/::error::/);
    expect(run.code).toBe(0);
    expect(run.outputs).toMatchObject({
      status: 'Succeeded',
      'pipeline-arn': `arn:aws:sagemaker:${config.region}:000000000000:pipeline/${config.pipelineName}`,
      'execution-arn': expect.stringMatching(/:pipeline\/sentiment-pipeline\/execution\/[a-z0-9]{12}$/),
      'model-package-arn': `arn:aws:sagemaker:${config.region}:000000000000:model-package/${config.modelPackageGroupName}/1`,
    });
    firstPackage = run.outputs['model-package-arn']!;
    firstExecution = run.outputs['execution-arn']!;
    for (const step of ['Preprocess', 'Train', 'Evaluate', 'CheckAccuracy', 'RegisterModel', 'CreateModel']) {
      expect(run.log).toMatch(new RegExp(`^Step ${step}: .*Succeeded`, 'm'));
    }
    expect(run.summary).toMatch(/^## Pipeline `sentiment-pipeline`: ✅ Succeeded/);
    expect(run.summary).toContain('```mermaid\nflowchart LR');
    expect(run.summary).toMatch(/\| Evaluate \| Processing \| ✅ Succeeded \| [\d.]+ s \| no \|/);
    expect(run.summary).toMatch(/\| accuracy \| 0\.8\d+ \| NaN \|/);
    expect(run.summary).toContain(`aws sagemaker update-model-package --endpoint-url ${server.url}`);
    const described = await sagemaker.send(new DescribeModelPackageCommand({ ModelPackageName: firstPackage }));
    expect(described.ModelApprovalStatus).toBe('PendingManualApproval');
    expect(described.CustomerMetadataProperties).toMatchObject({
      source_revision: '5ca1ab1e00000000000000000000000000000000',
      source_repository: 'acme/sentiment',
      source_run_url: 'https://github.com/acme/sentiment/actions/runs/1001',
    });
    const group = await sagemaker.send(
      new DescribeModelPackageGroupCommand({ ModelPackageGroupName: config.modelPackageGroupName }),
    );
    expect(group.ModelPackageGroupArn).toBeDefined();
  }, 240_000);

  it('gets the same execution back when the job is retried within the same run attempt', async () => {
    const retry = await runBundledAction(inputs(), signing());
    expect(retry.code).toBe(0);
    expect(retry.outputs['execution-arn']).toBe(firstExecution);
    expect(retry.log).toMatch(/^Updated the pipeline /m);
    expect(retry.log).toMatch(/^Already in S3: .*reviews\.csv$/m);
  }, 60_000);

  it('raises MinAccuracy to the approved champion with compare-with-approved', async () => {
    await sagemaker.send(
      new UpdateModelPackageCommand({ ModelPackageArn: firstPackage, ModelApprovalStatus: 'Approved' }),
    );
    const run = await runBundledAction(
      { ...inputs(), 'compare-with-approved': 'true' },
      { ...signing(), GITHUB_RUN_ATTEMPT: '2' },
    );
    expect(run.code).toBe(0);
    expect(run.log).toMatch(
      new RegExp(`^Approved champion ${firstPackage} has accuracy 0\\.8\\d+; MinAccuracy 0\\.7 → 0\\.8\\d+$`, 'm'),
    );
    expect(run.log).toMatch(/with .*MinAccuracy=0\.8\d+/);
    expect(run.summary).toContain(`the newest approved version \`${firstPackage}\` scored 0.8`);
    expect(run.outputs['execution-arn']).not.toBe(firstExecution);
  }, 60_000);

  it("fails the step with the pipeline's own reason when the model is not good enough", async () => {
    const run = await runBundledAction(
      { ...inputs(), parameters: 'MinAccuracy=0.99' },
      { ...signing(), GITHUB_RUN_ATTEMPT: '3' },
    );
    expect(run.code).toBe(1);
    expect(run.log).toMatch(
      /^::error::Pipeline execution .* Failed: .*Model accuracy 0\.8\d+ is below the minimum 0\.99/m,
    );
    expect(run.outputs).toMatchObject({ status: 'Failed', 'model-package-arn': '' });
    expect(run.summary).toMatch(/\| AccuracyTooLow \| Fail \| ❌ Failed \|/);
  }, 60_000);

  it('fails on bad input before anything is sent, naming each input', async () => {
    const run = await runBundledAction({ 'endpoint-url': server.url, parameters: 'Nope=1', wait: 'maybe' }, signing());
    expect(run.code).toBe(1);
    expect(run.log).toMatch(/^::error::2 problems:%0A {2}- input role is required and was not given/m);
    expect(run.log).toContain('wait must be true or false, got "maybe"');
    expect(run.outputs).toEqual({});
  }, 30_000);
});

const motoSuite = motoAvailable ? describe : describe.skip;
motoSuite(
  `dist/index.js against moto's server, wait: false (moto runs nothing)${motoAvailable ? '' : ' — SKIPPED: .venv-tools/bin/moto_server is missing; run npm run setup'}`,
  () => {
    let moto: MotoServer;
    beforeAll(async () => {
      moto = await startMoto();
    }, 30_000);
    afterAll(async () => {
      await moto?.stop();
    });

    it('uploads the assets, creates the group and the pipeline with project tags, and starts an execution', async () => {
      const run = await runBundledAction(
        { role: 'arn:aws:iam::123456789012:role/exec', 'endpoint-url': moto.url, wait: 'false' },
        credentialsEnv(moto.credentials),
      );
      expect(run.log).not.toMatch(/::error::/);
      expect(run.code).toBe(0);
      expect(run.outputs['execution-arn']).toMatch(/:pipeline\/sentiment-pipeline\/execution\//);
      // Whatever DescribePipelineExecution says right after the start; moto reports its executions Succeeded at once.
      expect(run.outputs['status']).toMatch(/^(Executing|Succeeded)$/);
      expect(run.summary).toContain('Not followed (`wait: false`)');
      const clientConfig = awsClientConfig({
        kind: 'local',
        region: config.region,
        endpoint: moto.url,
        credentials: moto.credentials,
      });
      const sagemaker = new SageMakerClient(clientConfig);
      const s3 = new S3Client(clientConfig);
      try {
        const pipeline = await sagemaker.send(new DescribePipelineCommand({ PipelineName: config.pipelineName }));
        expect(pipeline.RoleArn).toBe('arn:aws:iam::123456789012:role/exec');
        await sagemaker.send(
          new DescribeModelPackageGroupCommand({ ModelPackageGroupName: config.modelPackageGroupName }),
        );
        const uploaded = /^Uploaded (\S+) /m.exec(run.log)![1]!;
        await s3.send(new HeadObjectCommand({ Bucket: config.artifactBucket, Key: uploaded }));
      } finally {
        sagemaker.destroy();
        s3.destroy();
      }
      const again = await runBundledAction(
        { role: 'arn:aws:iam::123456789012:role/exec', 'endpoint-url': moto.url, wait: 'false' },
        { ...credentialsEnv(moto.credentials), GITHUB_RUN_ATTEMPT: '2' },
      );
      expect(again.code).toBe(0);
      expect(again.log).toMatch(/^Updated the pipeline /m);
      expect(again.log).not.toMatch(/^Uploaded /m);
    }, 60_000);

    it("upserts build.yml's drift-check pipeline with start: false and starts nothing, twice (create, then update)", async () => {
      const upsert = (attempt: string) =>
        runBundledAction(
          {
            role: 'arn:aws:iam::123456789012:role/exec',
            'endpoint-url': moto.url,
            'pipeline-module': 'build-pipeline/drift-check.ts',
            start: 'false',
          },
          { ...credentialsEnv(moto.credentials), GITHUB_RUN_ATTEMPT: attempt },
        );
      const first = await upsert('1');
      expect(first.log).not.toMatch(/::error::/);
      expect(first.code).toBe(0);
      const name = driftCheckPipelineName(config);
      expect(first.outputs).toEqual({
        'pipeline-arn': expect.stringMatching(new RegExp(`:pipeline/${name}$`)),
        'execution-arn': '',
        status: '',
        'model-package-arn': '',
      });
      expect(first.log).toMatch(/^Created the pipeline /m);
      expect(first.summary).toContain(`### Pipeline ${name} created`);
      const clientConfig = awsClientConfig({
        kind: 'local',
        region: config.region,
        endpoint: moto.url,
        credentials: moto.credentials,
      });
      const sagemaker = new SageMakerClient(clientConfig);
      try {
        const pipeline = await sagemaker.send(new DescribePipelineCommand({ PipelineName: name }));
        const definition = JSON.parse(pipeline.PipelineDefinition!) as { Steps: { Name: string }[] };
        expect(definition.Steps.map((step) => step.Name)).toEqual(['CheckDrift']);
        const second = await upsert('2');
        expect(second.code).toBe(0);
        expect(second.log).toMatch(/^Updated the pipeline /m);
        const executions = await sagemaker.send(new ListPipelineExecutionsCommand({ PipelineName: name }));
        expect(executions.PipelineExecutionSummaries ?? []).toEqual([]);
      } finally {
        sagemaker.destroy();
      }
    }, 60_000);

    it('refuses parameters with start: false before anything is sent', async () => {
      const run = await runBundledAction(
        {
          role: 'arn:aws:iam::123456789012:role/exec',
          'endpoint-url': moto.url,
          start: 'false',
          parameters: 'MinAccuracy=0.9',
        },
        credentialsEnv(moto.credentials),
      );
      expect(run.code).toBe(1);
      expect(run.log).toContain('parameters has no effect with start: false');
      expect(run.outputs).toEqual({});
    }, 30_000);
  },
);
