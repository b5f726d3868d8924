import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import type { LocalServer } from '@slipway/local';
import type { SageMakerClient } from '@aws-sdk/client-sagemaker';
import {
  DeployRunStore,
  cancelStaleWaitingRuns,
  deployStage,
  deployStatus,
  promoteWaitingRun,
  runDeployWorkflow,
  type DeployRun,
  type DeployWorkflowDeps,
  type RepositoryDispatchBody,
} from '../src/index.js';
import { testProject } from './support/project.js';
import { startApprovalRouteServer } from './support/approval-route-server.js';
import type { SeedRegistry, SeedServer } from './support/seed-registry.js';

/**
 * Late, repeated and out-of-band changes against the production gate, on a real local server with the real
 * seed model. The audit's observation: with v3 in staging and its run waiting at the gate, an approval event
 * for v1 deployed v1 to staging, and `deploy promote` then put v3 in prod while staging served v1.
 */
describe('late and repeated approvals against the production gate (local server)', () => {
  const project = testProject();
  let seed: SeedServer;
  let server: LocalServer;
  let sagemaker: SageMakerClient;
  let registry: SeedRegistry;
  let runs: DeployRunStore;
  /** Every dispatch body the approval route delivered, by the version it names. */
  const bodies = new Map<string, RepositoryDispatchBody>();

  const deps = (): DeployWorkflowDeps => ({
    project,
    backend: { kind: 'local', region: project.region, endpoint: server.url, credentials: server.credentials },
    runs,
    promotion: 'manual',
  });

  beforeAll(async () => {
    seed = await startApprovalRouteServer(project.modelPackageGroupName, async (body) => {
      bodies.set(String(body.client_payload['model_package_arn']), body);
      await runDeployWorkflow(body, deps());
    });
    ({ server, sagemaker, registry } = seed);
    runs = new DeployRunStore(join(seed.dataDir, 'deploy'));
  }, 120_000);

  afterAll(() => seed?.close());

  const live = async () =>
    Object.fromEntries(
      (await deployStatus({ project, backend: deps().backend, sagemaker })).stages.map((stage) => [
        stage.stage,
        stage.version,
      ]),
    );

  async function approve(arn: string): Promise<DeployRun> {
    await registry.setStatus(arn, 'Approved');
    await server.events.drain(120_000);
    return (await runs.list()).at(-1)!;
  }

  let v1: string;
  let v3: string;

  it('deploys only the newest Approved version from a late approval event, so promote gives prod what staging serves', async () => {
    v1 = await registry.register('PendingManualApproval');
    await registry.register('PendingManualApproval'); // v2, never approved here
    v3 = await registry.register('PendingManualApproval');
    await approve(v1);
    await promoteWaitingRun(deps());
    expect(await live()).toEqual({ staging: 1, prod: 1 });

    const waiting = await approve(v3);
    expect(waiting).toMatchObject({ status: 'waiting', modelPackageArn: v3 });
    expect(await live()).toEqual({ staging: 3, prod: 1 });

    // v1's approval arrives late (a delivery EventBridge retried, with an id no run has seen yet).
    const late = bodies.get(v1)!;
    const run = await runDeployWorkflow(
      { ...late, client_payload: { ...late.client_payload, event_id: randomUUID() } },
      deps(),
    );
    expect(run).toMatchObject({ status: 'completed', conclusion: 'success' });
    expect(run.jobs[0]?.resolution).toMatchObject({
      action: 'none',
      message: expect.stringMatching(/Version 1 is Approved, but version 3 is the newest Approved version/),
    });
    expect(await live()).toEqual({ staging: 3, prod: 1 });
    expect(await runs.get(waiting.number)).toMatchObject({ status: 'waiting' });

    // v3's approval delivered again: its run handles it already.
    const repeat = await runDeployWorkflow(bodies.get(v3), deps());
    expect(repeat.jobs[0]?.resolution?.message).toMatch(new RegExp(`run #${waiting.number} handled it \\(waiting\\)`));

    const promoted = await promoteWaitingRun(deps());
    expect(promoted).toMatchObject({ number: waiting.number, conclusion: 'success' });
    expect(await live()).toEqual({ staging: 3, prod: 3 });
  }, 180_000);

  it('refuses to promote a waiting run whose version staging no longer serves, deploying nothing to prod', async () => {
    const v4 = await registry.register('PendingManualApproval');
    const waiting = await approve(v4);
    expect(waiting.status).toBe('waiting');
    // A person deploys v1 to staging by hand (a downgrade on purpose), outside any run.
    const byHand = await deployStage({
      stage: 'staging',
      modelPackageArn: v1,
      allowDowngrade: true,
      backend: deps().backend,
      project,
    });
    expect(byHand.changed).toBe(true);
    expect(await live()).toEqual({ staging: 1, prod: 3 });

    const promoted = await promoteWaitingRun(deps());
    expect(promoted).toMatchObject({ number: waiting.number, status: 'completed', conclusion: 'failure' });
    expect(promoted?.jobs.at(-1)?.message).toMatch(
      /staging serves version 1 .*not version 4 that is to be promoted to prod.*nothing was deployed to prod/,
    );
    expect(await live()).toEqual({ staging: 1, prod: 3 });
  }, 180_000);

  it('cancels the waiting run when staging changes: by a newer run, or by hand', async () => {
    const v5 = await registry.register('PendingManualApproval');
    const first = await approve(v5);
    expect(first.status).toBe('waiting');
    // Staging is changed by hand again; the waiting run tested v5, which staging no longer serves.
    const change = await deployStage({
      stage: 'staging',
      modelPackageArn: v3,
      allowDowngrade: true,
      backend: deps().backend,
      project,
    });
    const cancelled = await cancelStaleWaitingRuns(deps(), change);
    expect(cancelled.map((run) => run.number)).toEqual([first.number]);
    expect(await runs.get(first.number)).toMatchObject({ status: 'completed', conclusion: 'cancelled' });
    expect(await promoteWaitingRun(deps())).toBeUndefined();

    // A newer approval's run changes staging: the run waiting before it is cancelled as it deploys.
    const v6 = await registry.register('PendingManualApproval');
    const waiting = await approve(v6);
    const v7 = await registry.register('PendingManualApproval');
    const newer = await approve(v7);
    expect(await runs.get(waiting.number)).toMatchObject({
      status: 'completed',
      conclusion: 'cancelled',
      jobs: expect.arrayContaining([
        expect.objectContaining({ message: expect.stringMatching(/staging now serves .*sentiment-models\/7/) }),
      ]),
    });
    expect(newer.status).toBe('waiting');
    await promoteWaitingRun(deps());
    expect(await live()).toEqual({ staging: 7, prod: 7 });
  }, 180_000);
});
