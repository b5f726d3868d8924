import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import {
  DescribeModelPackageCommand,
  ListEndpointConfigsCommand,
  UpdateModelPackageCommand,
  type SageMakerClient,
} from '@aws-sdk/client-sagemaker';
import type { LocalServer } from '@slipway/local';
import {
  DeployRunStore,
  deployStatus,
  promoteWaitingRun,
  runDeployWorkflow,
  type DeployRun,
  type DeployWorkflowDeps,
  type PromotionMode,
} from '../src/index.js';
import { invokeJson, runtimeClient } from '../../local/test/endpoints/endpoint-fixtures.js';
import { testProject } from './support/project.js';
import { startApprovalRouteServer } from './support/approval-route-server.js';
import type { SeedRegistry, SeedServer } from './support/seed-registry.js';

/**
 * The deploy workflow on a real local server with the real seed model: the approval route's rules on the
 * local bus (the CDK rules' pattern and transformer) hand each approval to `runDeployWorkflow`, which runs
 * deploy.yml's jobs with the shared deploy logic.
 */
describe('the deploy workflow on the local server', () => {
  const project = testProject();
  let seed: SeedServer;
  let server: LocalServer;
  let sagemaker: SageMakerClient;
  let registry: SeedRegistry;
  let runs: DeployRunStore;
  /** How the route's handler runs the workflow; tests switch it. */
  let promotion: PromotionMode = 'auto';
  let samplesPath: string | undefined;
  /** Every body the route delivered, in order. */
  const delivered: unknown[] = [];

  const deps = (): DeployWorkflowDeps => ({
    project,
    backend: { kind: 'local', region: project.region, endpoint: server.url, credentials: server.credentials },
    runs,
    promotion,
    ...(samplesPath ? { samplesPath } : {}),
  });

  beforeAll(async () => {
    seed = await startApprovalRouteServer(project.modelPackageGroupName, async (body) => {
      delivered.push(body);
      await runDeployWorkflow(body, deps());
    });
    ({ server, sagemaker, registry } = seed);
    runs = new DeployRunStore(join(seed.dataDir, 'deploy'));
  }, 120_000);

  afterAll(() => seed?.close());

  /** Sets the status through UpdateModelPackage and waits until the route's deliveries are done. */
  async function decide(arn: string, status: 'Approved' | 'Rejected'): Promise<DeployRun> {
    const before = (await runs.list()).length;
    await registry.setStatus(arn, status);
    await server.events.drain(120_000);
    const after = await runs.list();
    expect(after).toHaveLength(before + 1);
    return after.at(-1)!;
  }

  const jobs = (run: DeployRun) => run.jobs.map((job) => `${job.name}:${job.status}:${job.conclusion ?? ''}`);
  const live = async () =>
    Object.fromEntries(
      (await deployStatus({ project, backend: deps().backend, sagemaker })).stages.map((stage) => [
        stage.stage,
        stage.modelPackageArn,
      ]),
    );
  const configCount = async () =>
    (await sagemaker.send(new ListEndpointConfigsCommand({ MaxResults: 100 }))).EndpointConfigs?.length ?? 0;

  let v1: string;
  let v2: string;

  it('deploys an approved version to staging, tests it and promotes it to prod, which then answers', async () => {
    v1 = await registry.register('PendingManualApproval');
    await server.events.drain();
    expect(delivered).toEqual([]); // a pending version matches neither rule
    const run = await decide(v1, 'Approved');
    expect(run).toMatchObject({ number: 1, status: 'completed', conclusion: 'success', modelPackageArn: v1 });
    expect(jobs(run)).toEqual([
      'resolve:completed:success',
      'staging:completed:success',
      'test:completed:success',
      'prod:completed:success',
    ]);
    expect(run.jobs[1]?.deployment).toMatchObject({ changed: true, modelPackageArn: v1 });
    expect(run.jobs[2]?.test).toMatchObject({ passed: true, total: 30 });
    expect(run.jobs[3]?.test).toMatchObject({ passed: true }); // prod's smoke test
    expect(await live()).toEqual({ staging: v1, prod: v1 });
    const runtime = runtimeClient(server);
    const answer = await invokeJson(runtime, 'sentiment-prod', { instances: ['Broke after one day, total junk.'] });
    runtime.destroy();
    expect(answer.body.predictions[0]?.label).toBe('negative');
  }, 120_000);

  it('acts on each event once: the same dispatch delivered again is a run that deploys nothing', async () => {
    const configs = await configCount();
    const again = await runDeployWorkflow(delivered.at(-1), deps());
    expect(again).toMatchObject({ number: 2, conclusion: 'success' });
    expect(jobs(again)).toEqual([
      'resolve:completed:success',
      'staging:completed:skipped',
      'test:completed:skipped',
      'prod:completed:skipped',
    ]);
    expect(again.jobs[0]?.resolution).toMatchObject({
      action: 'none',
      message: expect.stringMatching(/was delivered before and run #1 handled it \(success\)/),
    });
    expect(await configCount()).toBe(configs);
  }, 60_000);

  it("writes each stage's lifecycle on the version it deploys, and its own writes start no run", async () => {
    // decide() above saw exactly one run for the approval: the deploy's two lifecycle writes (Staging, then
    // Production) emitted state change events that the approval rule leaves out.
    expect((await sagemaker.send(new DescribeModelPackageCommand({ ModelPackageName: v1 }))).ModelLifeCycle).toEqual({
      Stage: 'Production',
      StageStatus: 'Deployed',
      StageDescription: expect.stringMatching(/^Served by sentiment-prod since \d{4}-/),
    });
  });

  it('starts zero deploys for three lifecycle edits of the Approved, live version', async () => {
    const configs = await configCount();
    const before = (await runs.list()).length;
    const edits = [
      { Stage: 'Production', StageStatus: 'InReview', StageDescription: 'quarterly review' },
      { Stage: 'Production', StageStatus: 'Monitored' },
      { Stage: 'Production', StageStatus: 'Deployed', StageDescription: 'reviewed by the risk team' },
    ];
    for (const edit of edits) {
      await sagemaker.send(new UpdateModelPackageCommand({ ModelPackageArn: v1, ModelLifeCycle: edit }));
    }
    await server.events.drain(120_000);
    const described = await sagemaker.send(new DescribeModelPackageCommand({ ModelPackageName: v1 }));
    expect(described).toMatchObject({ ModelApprovalStatus: 'Approved', ModelLifeCycle: edits[2] });
    // Each edit's event has ModelApprovalStatus Approved. Those the rule lets through (not a status the deploy
    // writes) reach resolve, which decides none: the version's approval was acted on by run #1.
    const added = (await runs.list()).slice(before);
    expect(added).toHaveLength(2);
    for (const run of added) {
      expect(run).toMatchObject({ status: 'completed', conclusion: 'success' });
      expect(jobs(run)).toEqual([
        'resolve:completed:success',
        'staging:completed:skipped',
        'test:completed:skipped',
        'prod:completed:skipped',
      ]);
      expect(run.jobs[0]?.resolution).toMatchObject({
        action: 'none',
        message: expect.stringMatching(
          /^Version 1's approval was received before by run #\d+ \(success\); this event is another change/,
        ),
      });
    }
    expect(await configCount()).toBe(configs);
    expect(await live()).toEqual({ staging: v1, prod: v1 });
  }, 120_000);

  it('holds prod at the gate, durably, until promoted; then deploys exactly the version staging tested', async () => {
    promotion = 'manual';
    v2 = await registry.register('PendingManualApproval');
    const run = await decide(v2, 'Approved');
    expect(run).toMatchObject({ status: 'waiting', modelPackageArn: v2 });
    expect(jobs(run)).toEqual([
      'resolve:completed:success',
      'staging:completed:success',
      'test:completed:success',
      'prod:waiting:',
    ]);
    expect(await live()).toEqual({ staging: v2, prod: v1 });

    // The same approval delivered again: the waiting run handles it, so the repeat deploys nothing and the
    // first run keeps waiting.
    const again = await runDeployWorkflow(delivered.at(-1), deps());
    expect(again).toMatchObject({ number: run.number + 1, status: 'completed', conclusion: 'success' });
    expect(again.jobs[0]?.resolution).toMatchObject({ action: 'none' });
    expect(await runs.get(run.number)).toMatchObject({ status: 'waiting' });

    // A restart: a new store over the same folder finds the waiting run.
    const reopened = new DeployRunStore(runs.dir);
    const status = await deployStatus({ project, backend: deps().backend, sagemaker, runs: reopened });
    expect(status.waiting).toMatchObject({ number: run.number, modelPackageArn: v2 });

    const promoted = await promoteWaitingRun({ ...deps(), runs: reopened });
    expect(promoted).toMatchObject({ number: run.number, status: 'completed', conclusion: 'success' });
    expect(promoted?.jobs[3]?.deployment).toMatchObject({ changed: true, modelPackageArn: v2 });
    expect(await live()).toEqual({ staging: v2, prod: v2 });
    expect(await promoteWaitingRun(deps())).toBeUndefined(); // nothing waits any more
  }, 120_000);

  it('rolls every stage serving a rejected version back to the newest version still Approved', async () => {
    promotion = 'auto';
    const run = await decide(v2, 'Rejected');
    expect(run).toMatchObject({
      conclusion: 'success',
      modelPackageArn: v1,
      replacesModelPackageArn: v2,
    });
    expect(run.jobs[0]?.resolution).toMatchObject({ action: 'rollback', modelPackageArn: v1 });
    expect(run.jobs[1]?.deployment).toMatchObject({ changed: true, modelPackageArn: v1 });
    expect(run.jobs[3]?.deployment).toMatchObject({ changed: true, modelPackageArn: v1 });
    expect(await live()).toEqual({ staging: v1, prod: v1 });
  }, 120_000);

  it('cancels the promotion of a waiting version that gets rejected, rolling staging back', async () => {
    promotion = 'manual';
    const pending = await registry.register('PendingManualApproval');
    const waiting = await decide(pending, 'Approved');
    expect(waiting.status).toBe('waiting');
    const rollback = await decide(pending, 'Rejected');
    expect(rollback).toMatchObject({ conclusion: 'success', modelPackageArn: v1, replacesModelPackageArn: pending });
    expect(await runs.get(waiting.number)).toMatchObject({ status: 'completed', conclusion: 'cancelled' });
    // Prod never served the rejected version, so the rollback had nothing to wait for there.
    expect(rollback.jobs[3]?.deployment).toMatchObject({ changed: false, modelPackageArn: v1 });
    expect(await live()).toEqual({ staging: v1, prod: v1 });
    promotion = 'auto';
  }, 120_000);

  it('stops before prod when the staging endpoint fails its tests', async () => {
    // Labels no sane model agrees with: the endpoint tests must fail on accuracy.
    samplesPath = join(seed.dataDir, 'wrong-labels.jsonl');
    writeFileSync(
      samplesPath,
      [
        { text: 'I love it, works perfectly and arrived early.', label: 'negative' },
        { text: 'Broke after a day, a total waste of money.', label: 'positive' },
      ]
        .map((sample) => JSON.stringify(sample))
        .join('\n'),
    );
    const failing = await registry.register('PendingManualApproval');
    const run = await decide(failing, 'Approved');
    samplesPath = undefined;
    expect(run).toMatchObject({ conclusion: 'failure' });
    expect(jobs(run)).toEqual([
      'resolve:completed:success',
      'staging:completed:success',
      'test:completed:failure',
      'prod:completed:skipped',
    ]);
    expect(run.jobs[2]?.message).toMatch(
      /the staging endpoint failed its tests: Accuracy 0\.0% is below the minimum 70\.0%/,
    );
    expect(await live()).toEqual({ staging: failing, prod: v1 });
  }, 120_000);

  it('stops in resolve, deploying nothing, for a payload naming another group', async () => {
    const configs = await configCount();
    const run = await runDeployWorkflow(
      {
        event_type: 'model-package-approved',
        client_payload: { model_package_arn: v1.replace('sentiment-models', 'other-models'), event_id: 'foreign-1' },
      },
      deps(),
    );
    expect(jobs(run)).toEqual([
      'resolve:completed:failure',
      'staging:completed:skipped',
      'test:completed:skipped',
      'prod:completed:skipped',
    ]);
    expect(run.jobs[0]?.message).toMatch(/not of this project's group "sentiment-models"/);
    expect(await configCount()).toBe(configs);
  });

  it('stops in resolve, deploying nothing, for a version whose model data changed after registration', async () => {
    const configs = await configCount();
    const replaced = await registry.register('PendingManualApproval');
    const version = Number(replaced.split('/').at(-1));
    // Someone overwrites the artifact (on AWS the bucket policy lets only training jobs write models/).
    const s3 = registry.s3();
    await s3.send(
      new PutObjectCommand({
        Bucket: project.artifactBucket,
        Key: registry.modelDataKey(version),
        Body: 'not the model',
      }),
    );
    s3.destroy();
    const run = await decide(replaced, 'Approved');
    expect(jobs(run)).toEqual([
      'resolve:completed:failure',
      'staging:completed:skipped',
      'test:completed:skipped',
      'prod:completed:skipped',
    ]);
    expect(run.jobs[0]?.message).toMatch(
      new RegExp(
        `version ${version} .*model\\.tar\\.gz has SHA-256 [0-9a-f]{64}, but [0-9a-f]{64} was registered with the version`,
      ),
    );
    expect(await configCount()).toBe(configs);
  }, 60_000);

  it('refuses a body that is not a repository_dispatch, recording no run', async () => {
    const before = (await runs.list()).length;
    await expect(runDeployWorkflow({ client_payload: {} }, deps())).rejects.toThrow(
      /event_type must be a non-empty string/,
    );
    expect(await runs.list()).toHaveLength(before);
  });

  it('fails a run that a dead process left in progress, and runs queued dispatches one at a time in order', async () => {
    const orphan = await runs.create(
      { event_type: 'model-package-approved', client_payload: {} },
      'auto',
      project.stages,
    );
    orphan.status = 'in_progress';
    orphan.jobs[0]!.status = 'in_progress';
    await runs.save(orphan);
    const body = delivered[0];
    const [first, second] = await Promise.all([runDeployWorkflow(body, deps()), runDeployWorkflow(body, deps())]);
    const interrupted = await runs.get(orphan.number);
    expect(interrupted).toMatchObject({ status: 'completed', conclusion: 'failure' });
    expect(interrupted?.jobs[0]).toMatchObject({
      conclusion: 'failure',
      message: expect.stringMatching(/^interrupted/),
    });
    const [a, b] = [first, second].sort((x, y) => x.number - y.number) as [DeployRun, DeployRun];
    expect(b.number).toBe(a.number + 1);
    // The later run started after the earlier one completed: deploy.yml's concurrency group.
    expect(Date.parse(b.jobs[0]!.startedAt!)).toBeGreaterThanOrEqual(Date.parse(a.completedAt!));
  }, 120_000);
});
