import { afterAll, describe, expect, it } from '@jest/globals';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { DescribeEndpointCommand, DescribeModelPackageCommand, SageMakerClient } from '@aws-sdk/client-sagemaker';
import { InvokeEndpointCommand, SageMakerRuntimeClient } from '@aws-sdk/client-sagemaker-runtime';
import { awsClientConfig } from '@slipway/core';
import { REPO_ROOT } from '../support/moto-server.js';
import { FULL_RELIABILITY } from './support/reliability.js';

/**
 * The lecture's pipeline end to end on the local SageMaker: `slipway demo --model bert` trains the small BERT with
 * the PyTorch estimator, evaluates it, registers it with the PyTorch inference image, and the deploy loop serves it
 * in staging and prod. It takes minutes on 2 cores (Train alone 1.5–4 min), so it runs in `npm run
 * test:reliability` only; `npm test` lists it as not run. It needs the `pytorch-2.5` runtime (built on first use).
 */
const CLI = join(REPO_ROOT, 'cli', 'bin', 'slipway.js');
const run = promisify(execFile);
const scratch = mkdtempSync(join(tmpdir(), 'slipway-bert-demo-'));
const dataDir = join(scratch, 'data');
afterAll(async () => {
  await slipway(['local', 'down', '--data-dir', dataDir]).catch(() => undefined);
  rmSync(scratch, { recursive: true, force: true });
});

// A run from a terminal, not from CI: the source is the checked-out commit.
const env = { ...process.env, GITHUB_ACTIONS: '', CI: '', AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' };
async function slipway(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [CLI, ...args], {
      cwd: REPO_ROOT,
      env,
      maxBuffer: 64 * 1024 * 1024,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    return { code: failed.code ?? 1, stdout: failed.stdout ?? '', stderr: failed.stderr ?? '' };
  }
}

interface Summary {
  ok: boolean;
  model: string;
  stages: { name: string; ok: boolean; ms: number; skipped?: string }[];
  accuracy: number;
  modelPackageArn: string;
  modelApprovalStatus: string;
  deployRun?: { status: string; conclusion?: string; jobs: { name: string; conclusion?: string }[] };
  endpoints: { stage: string; endpointName: string; endpointStatus?: string; version?: number }[];
  predictions: { text: string; label: string; score?: number }[];
  run: { steps: { name: string; cacheHit: boolean; durationMs?: number }[] };
}

const TITLE =
  'demo --model bert: the PyTorch estimator trains BERT, Evaluate scores it, it is registered with the PyTorch ' +
  'inference image, deployed to staging and prod, and served';
const longTest = FULL_RELIABILITY ? it : it.skip;

describe('the BERT pipeline end to end on the local SageMaker', () => {
  longTest(
    FULL_RELIABILITY ? TITLE : `${TITLE} (NOT RUN in npm test: about 5 min; npm run test:reliability runs it)`,
    async () => {
      // A server that outlives the demo (as `npm run demo` leaves the endpoints to a running one), to look at after.
      const up = await slipway(['local', 'up', '--detach', '--port', '0', '--data-dir', dataDir, '--json']);
      expect(up.stderr).not.toMatch(/^error:/m);
      expect(up.code).toBe(0);

      const demo = await slipway(['demo', '--model', 'bert', '--data-dir', dataDir, '--json']);
      expect(demo.stderr).not.toMatch(/^error:/m);
      expect(demo.code).toBe(0);
      const summary = JSON.parse(demo.stdout) as Summary;
      expect(summary.stages.map((stage) => `${stage.name}:${stage.ok && !stage.skipped ? 'ok' : 'not ok'}`)).toEqual(
        ['compile', 'runtimes', 'server', 'pipeline', 'approve', 'event', 'staging', 'test', 'prod', 'predict'].map(
          (name) => `${name}:ok`,
        ),
      );
      expect(summary).toMatchObject({
        ok: true,
        model: 'bert',
        modelPackageArn: expect.stringMatching(/:model-package\/sentiment-models\/1$/),
        modelApprovalStatus: 'Approved',
        deployRun: { status: 'completed', conclusion: 'success' },
      });
      // Trained and evaluated here, not taken from a cache; the condition passed on the BERT's own accuracy.
      expect(summary.run.steps.map((step) => step.name)).toEqual(
        expect.arrayContaining(['Preprocess', 'Train', 'Evaluate', 'ChecksumModel', 'RegisterModel']),
      );
      expect(summary.run.steps.every((step) => !step.cacheHit)).toBe(true);
      expect(summary.accuracy).toBeGreaterThan(0.7);
      const jobs = ['resolve', 'staging', 'test', 'prod'];
      expect(summary.deployRun?.jobs.map((job) => `${job.name}:${job.conclusion}`)).toEqual(
        jobs.map((job) => `${job}:success`),
      );
      expect(Object.fromEntries(summary.endpoints.map((endpoint) => [endpoint.stage, endpoint.version]))).toEqual({
        staging: 1,
        prod: 1,
      });
      expect(summary.predictions).toHaveLength(5);

      // The registry holds the BERT: the PyTorch inference image with its serving code, and the Train step's
      // metric; the prod endpoint serves it through the SDK as any client would.
      const local = JSON.parse((await slipway(['local', 'env', '--data-dir', dataDir, '--json'])).stdout) as Record<
        string,
        string
      >;
      const config = awsClientConfig({
        kind: 'local',
        region: local.AWS_REGION!,
        endpoint: local.AWS_ENDPOINT_URL!,
        credentials: { accessKeyId: local.AWS_ACCESS_KEY_ID!, secretAccessKey: local.AWS_SECRET_ACCESS_KEY! },
      });
      const sagemaker = new SageMakerClient(config);
      const runtime = new SageMakerRuntimeClient(config);
      try {
        const registered = await sagemaker.send(
          new DescribeModelPackageCommand({ ModelPackageName: summary.modelPackageArn }),
        );
        const container = registered.InferenceSpecification?.Containers?.[0];
        expect(container?.Image).toMatch(/\/pytorch-inference:2\.5\.1-cpu-py311$/);
        expect(container?.Environment).toMatchObject({ SAGEMAKER_PROGRAM: 'inference.py' });
        const prod = summary.endpoints.find((endpoint) => endpoint.stage === 'prod')!;
        const described = await sagemaker.send(new DescribeEndpointCommand({ EndpointName: prod.endpointName }));
        expect(described.EndpointStatus).toBe('InService');
        const [first] = summary.predictions;
        const answer = await runtime.send(
          new InvokeEndpointCommand({
            EndpointName: prod.endpointName,
            ContentType: 'application/json',
            Accept: 'application/json',
            Body: JSON.stringify({ instances: [first!.text] }),
          }),
        );
        const predictions = (
          JSON.parse(new TextDecoder().decode(answer.Body)) as {
            predictions: { label: string; scores: Record<string, number> }[];
          }
        ).predictions;
        expect(predictions).toHaveLength(1);
        expect(predictions[0]!.label).toBe(first!.label);
        expect(Object.keys(predictions[0]!.scores).sort()).toEqual(['negative', 'neutral', 'positive']);
      } finally {
        sagemaker.destroy();
        runtime.destroy();
      }
      const step = (name: string) => summary.run.steps.find((item) => item.name === name)?.durationMs ?? 0;
      console.log(
        `demo --model bert: pipeline ${(summary.stages.find((stage) => stage.name === 'pipeline')!.ms / 1000).toFixed(1)} s ` +
          `(Train ${(step('Train') / 1000).toFixed(1)} s, Evaluate ${(step('Evaluate') / 1000).toFixed(1)} s), ` +
          `test accuracy ${summary.accuracy.toFixed(4)}`,
      );
    },
    20 * 60_000,
  );
});
