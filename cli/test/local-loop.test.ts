import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { isProcessAlive } from '@slipway/core';
import type { DeployRun, DeployStatus } from '@slipway/deploy-pipeline';
import { TERMINAL_ENV, runCli } from './support/run-cli.js';
import { EXIT_CODES } from '../src/failure.js';

const env = TERMINAL_ENV;
const dataDir = mkdtempSync(join(tmpdir(), 'slipway-loop-'));
const slipway = (args: string[]) => runCli([...args, '--data-dir', dataDir], { env });

async function json<T>(args: string[]): Promise<T> {
  const result = await slipway([...args, '--json']);
  if (result.code !== 0) throw new Error(`slipway ${args.join(' ')} exited ${result.code}: ${result.stderr}`);
  return JSON.parse(result.stdout) as T;
}

/** Polls `deploy status` until `done` holds (the deploy runs in the server's own `deploy dispatch` process). */
async function statusWhen(done: (status: DeployStatus) => boolean, what: string): Promise<DeployStatus> {
  const deadline = Date.now() + 90_000;
  for (;;) {
    const status = await json<DeployStatus>(['deploy', 'status']);
    if (done(status)) return status;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(status, null, 2)}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

const serving = (status: DeployStatus) =>
  Object.fromEntries(status.stages.map((stage) => [stage.stage, stage.modelPackageArn ?? null]));

/**
 * The whole loop as a person runs it, against a detached `slipway local up`: its approval route runs the
 * deploy workflow as a command target (`slipway deploy dispatch`) on every approval or rejection.
 */
describe('the local loop through the CLI', () => {
  let pid = 0;
  let v1 = '';
  let v2 = '';

  beforeAll(async () => {
    // The server and its command target run `cli/bin/slipway.js`, the compiled CLI: build it (quick when current).
    const built = spawnSync(process.execPath, [join('node_modules', 'typescript', 'bin', 'tsc'), '-b', 'cli'], {
      encoding: 'utf8',
    });
    expect(built.stdout + built.stderr).toBe('');
  }, 120_000);

  afterAll(async () => {
    await slipway(['local', 'down']);
    if (pid && isProcessAlive(pid)) process.kill(pid, 'SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
  }, 30_000);

  it('starts the server with the approval route: the CDK rules, deploying through the workflow', async () => {
    const up = await json<{ pid: number; approvalRoute: unknown }>(['local', 'up', '--detach', '--port', '0']);
    pid = up.pid;
    expect(up.approvalRoute).toEqual({
      rules: ['slipway-sentiment-approved', 'slipway-sentiment-rejected'],
      promotion: 'manual',
    });
  }, 60_000);

  it('approving a registered version deploys staging, tests it, and stops at the production gate', async () => {
    const run = await json<{ modelPackageArn: string }>(['pipeline', 'run']);
    v1 = run.modelPackageArn;
    expect(v1).toMatch(/model-package\/sentiment-models\/1$/);
    const approved = await json<{ changed: boolean }>(['registry', 'approve', '1', '--reason', 'metrics reviewed']);
    expect(approved.changed).toBe(true);

    const status = await statusWhen((s) => s.waiting !== undefined, 'the run to wait for promotion');
    expect(serving(status)).toEqual({ staging: v1, prod: null });
    expect(status.waiting).toMatchObject({ number: 1, status: 'waiting', modelPackageArn: v1, promotion: 'manual' });
    expect(status.waiting?.jobs.map((job) => `${job.name}:${job.conclusion ?? job.status}`)).toEqual([
      'resolve:success',
      'staging:success',
      'test:success',
      'prod:waiting',
    ]);
  }, 180_000);

  it('deploy promote deploys exactly the tested version to prod, which answers InvokeEndpoint', async () => {
    const promoted = await json<{ stage: string; modelPackageArn: string; changed: boolean; run: DeployRun }>([
      'deploy',
      'promote',
    ]);
    expect(promoted).toMatchObject({ stage: 'prod', modelPackageArn: v1, changed: true });
    expect(promoted.run).toMatchObject({ number: 1, status: 'completed', conclusion: 'success' });
    const status = await json<DeployStatus>(['deploy', 'status']);
    expect(serving(status)).toEqual({ staging: v1, prod: v1 });
    expect(status.waiting).toBeUndefined();

    const answer = await json<{ body: { predictions: { label: string }[] }; variant: string }>([
      'endpoints',
      'invoke',
      'sentiment-prod',
      '--text',
      'Broke after one day and the seller never answered.',
    ]);
    expect(answer.body.predictions[0]?.label).toBe('negative');
  }, 120_000);

  it('rejecting the version live in every stage rolls them back to the newest one still Approved', async () => {
    v2 = (await json<{ modelPackageArn: string }>(['pipeline', 'run'])).modelPackageArn;
    await json(['registry', 'approve', '2']);
    await statusWhen((s) => s.waiting?.modelPackageArn === v2, 'v2 to wait for promotion');
    await json(['deploy', 'promote']);
    expect(serving(await json<DeployStatus>(['deploy', 'status']))).toEqual({ staging: v2, prod: v2 });

    await json(['registry', 'reject', '2', '--reason', 'complaints from users']);
    // The rollback reaches the production gate too, as deploy.yml's prod job does.
    const rolling = await statusWhen((s) => s.waiting?.dispatch.event_type === 'model-package-rejected', 'rollback');
    expect(serving(rolling)).toEqual({ staging: v1, prod: v2 });
    expect(rolling.waiting).toMatchObject({ modelPackageArn: v1, replacesModelPackageArn: v2 });
    await json(['deploy', 'promote']);
    expect(serving(await json<DeployStatus>(['deploy', 'status']))).toEqual({ staging: v1, prod: v1 });
  }, 180_000);

  it('the same dispatch delivered again is a run that deploys nothing new', async () => {
    const first = (await json<DeployStatus>(['deploy', 'status'])).runs.find((run) => run.number === 1)!;
    const body = join(dataDir, 'dispatch.json');
    writeFileSync(body, JSON.stringify(first.dispatch));
    const again = await json<DeployRun>(['deploy', 'dispatch', '--input', body]);
    expect(again).toMatchObject({ status: 'completed', conclusion: 'success' });
    expect(again.jobs[0]?.resolution).toMatchObject({
      action: 'none',
      message: expect.stringMatching(/was delivered before and run #1 handled it/),
    });
    expect(again.jobs.map((job) => job.deployment?.changed)).toEqual([undefined, undefined, undefined, undefined]);
    // A person deploying by hand finds the server through server.json too, and the version already live.
    const byHand = await json<{ changed: boolean; modelPackageArn: string }>(['deploy', v1, '--stage', 'prod']);
    expect(byHand).toMatchObject({ changed: false, modelPackageArn: v1 });
  }, 60_000);

  it('deploy dispatch refuses a body that is not JSON, recording no run', async () => {
    const body = join(dataDir, 'garbled.json');
    writeFileSync(body, '{"event_type": ');
    const before = (await json<DeployStatus>(['deploy', 'status'])).runs[0]?.number;
    const result = await slipway(['deploy', 'dispatch', '--input', body]);
    expect(result.code).toBe(EXIT_CODES.failure);
    expect(result.stderr).toMatch(/garbled\.json is not valid JSON .*send a repository_dispatch body/);
    expect((await json<DeployStatus>(['deploy', 'status'])).runs[0]?.number).toBe(before);
  });
});
