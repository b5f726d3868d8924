import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from '@jest/globals';
import { silentLogger, startLocalServer } from '@slipway/local';
import { TERMINAL_ENV, runCli } from './support/run-cli.js';

const REPO = join(import.meta.dirname, '..', '..');
const env = TERMINAL_ENV;
const scratch = mkdtempSync(join(tmpdir(), 'slipway-demo-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const slipway = (args: string[]) => runCli(args, { cwd: REPO, env });

interface Summary {
  ok: boolean;
  model: string;
  wallMs: number;
  failedStage?: string;
  stages: { name: string; ok: boolean; ms: number; skipped?: string; error?: string }[];
  promotion: string;
  accuracy: number;
  cacheHits: number;
  modelPackageArn: string;
  modelApprovalStatus: string;
  reused?: { liveModelPackageArn: string; registeredModelPackageArn: string; reason: string };
  deployRun?: { number: number; status: string; conclusion?: string; jobs: { name: string; conclusion?: string }[] };
  promoteCommand?: string;
  endpoints: { stage: string; endpointName: string; endpointStatus?: string; version?: number }[];
  predictions: { text: string; label: string; score?: number }[];
  run: { steps: { name: string; cacheHit: boolean; durationMs?: number }[] };
}

async function demo(dataDir: string, ...flags: string[]): Promise<{ code: number; summary: Summary; stderr: string }> {
  const result = await slipway(['demo', '--data-dir', dataDir, '--json', ...flags]);
  return { code: result.code, summary: JSON.parse(result.stdout) as Summary, stderr: result.stderr };
}

const STAGES = ['compile', 'runtimes', 'server', 'pipeline', 'approve', 'event', 'staging', 'test', 'prod', 'predict'];
const stageStates = (summary: Summary) =>
  summary.stages.map((stage) => `${stage.name}:${stage.ok ? (stage.skipped ? 'skipped' : 'ok') : 'failed'}`);
const liveVersions = (summary: Summary) =>
  Object.fromEntries(summary.endpoints.map((endpoint) => [endpoint.stage, endpoint.version ?? null]));

describe('slipway demo', () => {
  const dataDir = join(scratch, 'auto');
  let first: Summary;

  it('runs the whole loop: pipeline → approval → event → staging → tests → prod → predictions, with a JSON summary', async () => {
    const { code, summary, stderr } = await demo(dataDir);
    expect(stderr).not.toMatch(/^error:/m);
    expect(code).toBe(0);
    first = summary;
    expect(stageStates(summary)).toEqual(STAGES.map((name) => `${name}:ok`));
    expect(summary).toMatchObject({
      ok: true,
      model: 'sklearn',
      promotion: 'auto',
      cacheHits: 0,
      modelPackageArn: expect.stringMatching(/:model-package\/sentiment-models\/1$/),
      modelApprovalStatus: 'Approved',
      deployRun: { number: 1, status: 'completed', conclusion: 'success' },
    });
    expect(summary.accuracy).toBeGreaterThan(0.7);
    expect(summary.deployRun?.jobs.map((job) => `${job.name}:${job.conclusion}`)).toEqual([
      'resolve:success',
      'staging:success',
      'test:success',
      'prod:success',
    ]);
    expect(liveVersions(summary)).toEqual({ staging: 1, prod: 1 });
    expect(summary.endpoints.every((endpoint) => endpoint.endpointStatus === 'InService')).toBe(true);
    expect(summary.predictions).toHaveLength(5);
    for (const prediction of summary.predictions) {
      expect(['negative', 'neutral', 'positive']).toContain(prediction.label);
      expect(prediction.score).toBeGreaterThan(0.33);
    }
    expect(summary.predictions[1]).toMatchObject({ label: 'negative' });
    expect(summary.run.steps.every((step) => !step.cacheHit && step.durationMs !== undefined)).toBe(true);
    // With --json the person's lines go to stderr: the approval is said to be a person's step.
    expect(stderr).toMatch(/In a real project a person reviews the metrics and approves this step/);
    expect(stderr).toMatch(/npx slipway registry approve arn:aws:sagemaker:\S+\/sentiment-models\/1/);
  }, 180_000);

  it('a second run reuses the cache and keeps the same model live instead of redeploying it', async () => {
    const { code, summary, stderr } = await demo(dataDir);
    expect(code).toBe(0);
    expect(stageStates(summary)).toEqual([
      'compile:ok',
      'runtimes:ok',
      'server:ok',
      'pipeline:ok',
      'approve:skipped',
      'event:skipped',
      'staging:skipped',
      'test:skipped',
      'prod:skipped',
      'predict:ok',
    ]);
    const cached = summary.run.steps.filter((step) => step.cacheHit).map((step) => step.name);
    expect(cached.sort()).toEqual(['Baseline', 'ChecksumModel', 'Evaluate', 'Preprocess', 'Train']);
    expect(summary).toMatchObject({
      cacheHits: 5,
      modelPackageArn: expect.stringMatching(/\/sentiment-models\/2$/),
      modelApprovalStatus: 'PendingManualApproval',
      reused: {
        liveModelPackageArn: first.modelPackageArn,
        registeredModelPackageArn: expect.stringMatching(/\/sentiment-models\/2$/),
      },
    });
    expect(summary.deployRun).toBeUndefined();
    expect(liveVersions(summary)).toEqual({ staging: 1, prod: 1 });
    expect(summary.predictions.map((p) => p.label)).toEqual(first.predictions.map((p) => p.label));
    expect(stderr).toMatch(/v2 is the same model as v1, live in prod .*: keeping v1 live/);
  }, 120_000);

  it('--manual-promote stops at the production gate; deploy promote then deploys the tested version', async () => {
    const manualDir = join(scratch, 'manual');
    const { code, summary } = await demo(manualDir, '--manual-promote');
    expect(code).toBe(0);
    expect(stageStates(summary).slice(-2)).toEqual(['prod:skipped', 'predict:skipped']);
    expect(summary).toMatchObject({
      ok: true,
      promotion: 'manual',
      promoteCommand: `npx slipway deploy promote --data-dir ${manualDir}`,
      deployRun: { status: 'waiting' },
    });
    expect(liveVersions(summary)).toEqual({ staging: 1, prod: null });

    // No server runs any more: the command starts one for itself and promotes the waiting run.
    const promoted = await slipway(['deploy', 'promote', '--data-dir', manualDir, '--json']);
    expect(promoted.code).toBe(0);
    expect(JSON.parse(promoted.stdout)).toMatchObject({
      stage: 'prod',
      modelPackageArn: summary.modelPackageArn,
      changed: true,
      run: { number: 1, conclusion: 'success' },
    });
  }, 180_000);

  it('exits non-zero naming the failing stage: a running server without the approval route', async () => {
    const bareDir = join(scratch, 'bare');
    const bare = await startLocalServer({ dataDir: bareDir, port: 0, logger: silentLogger });
    try {
      const { code, summary, stderr } = await demo(bareDir);
      expect(code).toBe(1);
      expect(summary).toMatchObject({ ok: false, failedStage: 'approve' });
      expect(stageStates(summary)).toEqual(['compile:ok', 'runtimes:ok', 'server:ok', 'pipeline:ok', 'approve:failed']);
      expect(stderr).toMatch(/^error: approve: the local server at http:\/\/127\.0\.0\.1:\d+ has no approval route/m);
    } finally {
      await bare.close();
    }
  }, 120_000);

  it('refuses an unknown --model before it starts anything, naming the choices', async () => {
    const result = await slipway(['demo', '--data-dir', join(scratch, 'unused'), '--model', 'gpt']);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(/--model must be one of sklearn, bert, got "gpt"/);
    expect(existsSync(join(scratch, 'unused'))).toBe(false);
  });
});
