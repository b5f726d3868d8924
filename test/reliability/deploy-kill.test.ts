import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SageMakerClient } from '@aws-sdk/client-sagemaker';
import {
  DeployRunStore,
  deployStatus,
  endpointName,
  readDeployments,
  readLiveDeployment,
  runDeployWorkflow,
  type RepositoryDispatchBody,
} from '@slipway/deploy-pipeline';
import { invokeJson, runtimeClient } from '../../local/test/endpoints/endpoint-fixtures.js';
import { testProject } from '../../deploy-pipeline/test/support/project.js';
import { startSeedServer, type SeedServer } from '../../deploy-pipeline/test/support/seed-registry.js';
import { REPO_ROOT } from '../support/moto-server.js';
import { recordFigures, runs } from './support/reliability.js';

/**
 * kill -9 during a local deploy. Each round approves a new version and runs `slipway deploy dispatch` (the
 * local event bus's target) in its own process against a local server with the real seed model, then kills
 * that process at a random moment of its deploy. Afterwards every stage must serve a whole version (its
 * endpoint settles InService on a registered, Approved package and answers a review), and the delivery made
 * again, as the server's outbox would, must finish the deploy: both stages serve the round's version.
 */
const KILLS = runs(5, 20);
const CLI = join(REPO_ROOT, 'cli', 'bin', 'slipway.js');

/** A small deterministic random source, so that a failing round can be replayed from the printed seed. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state * 1664525 + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

describe(`kill -9 during a local deploy, ${KILLS} times`, () => {
  const project = testProject();
  let seed: SeedServer;
  let sagemaker: SageMakerClient;
  let runs: DeployRunStore;
  const figures = { kills: 0, killedMidDeploy: 0, survived: 0, recovered: 0, lostVersions: 0 };
  const seedValue = Number(process.env.SLIPWAY_RELIABILITY_SEED ?? Date.now() % 100_000);
  const next = random(seedValue);

  beforeAll(async () => {
    seed = await startSeedServer({ group: project.modelPackageGroupName });
    sagemaker = seed.sagemaker;
    runs = new DeployRunStore(join(seed.dataDir, 'deploy'));
  }, 120_000);

  afterAll(async () => {
    console.log(
      `kill -9 during a local deploy (seed ${seedValue}): ${figures.kills} kills (${figures.killedMidDeploy} mid-deploy), ${figures.survived} left every stage serving a whole version, ${figures.recovered} deploys finished by the next delivery, ${figures.lostVersions} versions lost`,
    );
    recordFigures('deploy-kill', {
      inputs: figures.kills,
      crashes: 0,
      dataLost: figures.lostVersions,
      faultsSurvived: figures.survived,
      notes: `seed ${seedValue}; ${figures.killedMidDeploy} mid-deploy; ${figures.recovered} finished by the next delivery`,
    });
    await seed?.close();
  });

  const backend = () => ({
    kind: 'local' as const,
    region: project.region,
    endpoint: seed.server.url,
    credentials: seed.server.credentials,
  });

  /** Runs `slipway deploy dispatch` for `body`; with `killAfterMs`, kill -9s it then. Resolves when it ended. */
  function dispatch(body: RepositoryDispatchBody, killAfterMs?: number): Promise<{ killed: boolean; ms: number }> {
    const file = join(seed.dataDir, `dispatch-${randomUUID()}.json`);
    writeFileSync(file, JSON.stringify(body));
    const started = Date.now();
    const child = spawn(
      process.execPath,
      [CLI, 'deploy', 'dispatch', '--input', file, '--data-dir', seed.dataDir, '--auto-promote', '--json'],
      { cwd: REPO_ROOT, stdio: 'ignore' },
    );
    let killed = false;
    const timer =
      killAfterMs === undefined
        ? undefined
        : setTimeout(() => {
            killed = child.kill('SIGKILL');
          }, killAfterMs);
    return new Promise((resolve) =>
      child.on('exit', () => {
        if (timer) clearTimeout(timer);
        resolve({ killed, ms: Date.now() - started });
      }),
    );
  }

  /** Waits until no stage is Creating or Updating, then checks each serves a whole version. */
  async function everyStageServesAWholeVersion(): Promise<void> {
    for (const stage of project.stages) {
      const name = endpointName(project, stage);
      let live = await readLiveDeployment(sagemaker, name);
      for (let waited = 0; live && !['InService', 'Failed'].includes(live.status) && waited < 120; waited += 1) {
        await new Promise((resolve) => setTimeout(resolve, 250));
        live = await readLiveDeployment(sagemaker, name);
      }
      if (!live) continue; // the stage was never deployed: nothing half-made either
      expect([stage, live.status, live.modelPackageArn?.includes(':model-package/')]).toEqual([
        stage,
        'InService',
        true,
      ]);
      const runtime = runtimeClient(seed.server);
      const answer = await invokeJson(runtime, name, { instances: ['Broke after one day.'] });
      runtime.destroy();
      expect([stage, answer.body.predictions.length]).toEqual([stage, 1]);
    }
  }

  const body = (arn: string, version: number): RepositoryDispatchBody => ({
    event_type: 'model-package-approved',
    client_payload: {
      model_package_arn: arn,
      model_package_group: project.modelPackageGroupName,
      model_package_version: String(version),
      approval_status: 'Approved',
      event_id: randomUUID(),
    },
  });

  it(
    'leaves every stage serving a whole version, and the next delivery finishes the deploy',
    async () => {
      // A round that is not killed says how long a deploy takes: kills land anywhere from start to 120 % of it.
      const first = await seed.registry.register('Approved');
      const baseline = await dispatch(body(first, 1));
      expect((await deployStatus({ project, backend: backend(), sagemaker })).stages.map((s) => s.version)).toEqual([
        1, 1,
      ]);
      for (let round = 0; round < KILLS; round += 1) {
        const version = round + 2;
        const arn = await seed.registry.register('Approved');
        const delivery = body(arn, version);
        const killAfterMs = Math.floor(next() * baseline.ms * 1.2);
        const outcome = await dispatch(delivery, killAfterMs);
        figures.kills += outcome.killed ? 1 : 0;
        const last = (await runs.list()).at(-1);
        if (outcome.killed && last?.status === 'in_progress') figures.killedMidDeploy += 1;

        await everyStageServesAWholeVersion();
        figures.survived += 1;

        // The outbox delivers again (the same event id): the interrupted run does not count as handled.
        const again = await runDeployWorkflow(delivery, {
          project,
          backend: backend(),
          runs,
          promotion: 'auto',
          sagemaker,
        });
        expect([round, again.conclusion]).toEqual([round, 'success']);
        const served = (await deployStatus({ project, backend: backend(), sagemaker })).stages.map((s) => s.version);
        if (served.some((servedVersion) => servedVersion !== version)) figures.lostVersions += 1;
        expect([round, killAfterMs, served]).toEqual([round, killAfterMs, [version, version]]);
        figures.recovered += 1;
      }
      expect(figures.recovered).toBe(KILLS);
    },
    (KILLS + 2) * 60_000,
  );

  /** Runs `slipway deploy rollback` for `stage`; with `killAfterMs`, kill -9s it then. */
  function rollback(stage: string, to: number, killAfterMs?: number): Promise<{ killed: boolean; ms: number }> {
    const started = Date.now();
    const child = spawn(
      process.execPath,
      [CLI, 'deploy', 'rollback', '--stage', stage, '--to', String(to), '--endpoint-url', seed.server.url, '--json'],
      {
        cwd: REPO_ROOT,
        stdio: 'ignore',
        env: {
          ...process.env,
          AWS_ACCESS_KEY_ID: seed.server.credentials.accessKeyId,
          AWS_SECRET_ACCESS_KEY: seed.server.credentials.secretAccessKey,
        },
      },
    );
    let killed = false;
    const timer =
      killAfterMs === undefined ? undefined : setTimeout(() => (killed = child.kill('SIGKILL')), killAfterMs);
    return new Promise((resolve) =>
      child.on('exit', () => {
        if (timer) clearTimeout(timer);
        resolve({ killed, ms: Date.now() - started });
      }),
    );
  }

  it(
    'kill -9 during a rollback leaves every stage serving a whole version; the rollback run again finishes it, journal included',
    async () => {
      const rollbacks = { kills: 0, survived: 0, recovered: 0 };
      // Both stages serve the newest version (the test above); each round rolls one stage back by one.
      let current = (await deployStatus({ project, backend: backend(), sagemaker })).stages.map((s) => s.version);
      const baseline = await rollback('staging', current[0]! - 1);
      current = (await deployStatus({ project, backend: backend(), sagemaker })).stages.map((s) => s.version);
      const rounds = Math.min(KILLS, current[1]! - 2);
      for (let round = 0; round < rounds; round += 1) {
        const stage = project.stages[round % project.stages.length]!;
        const index = project.stages.indexOf(stage);
        const target = current[index]! - 1;
        const killAfterMs = Math.floor(next() * baseline.ms * 1.2);
        const outcome = await rollback(stage, target, killAfterMs);
        rollbacks.kills += outcome.killed ? 1 : 0;
        await everyStageServesAWholeVersion();
        rollbacks.survived += 1;
        // The person runs the rollback again: it finishes (or finds the stage done and records it).
        await rollback(stage, target);
        const status = await deployStatus({ project, backend: backend(), sagemaker });
        current = status.stages.map((s) => s.version);
        expect([round, stage, killAfterMs, current[index]]).toEqual([round, stage, killAfterMs, target]);
        const s3 = seed.registry.s3();
        const journal = await readDeployments(s3, project, stage);
        s3.destroy();
        expect([round, journal.at(-1)?.version, journal.at(-1)?.kind]).toEqual([round, target, 'rollback']);
        rollbacks.recovered += 1;
      }
      console.log(
        `kill -9 during a local rollback (seed ${seedValue}): ${rollbacks.kills} kills, ${rollbacks.survived} left every stage serving a whole version, ${rollbacks.recovered} finished by running it again`,
      );
      recordFigures('rollback-kill', {
        inputs: rollbacks.kills,
        crashes: 0,
        dataLost: rounds - rollbacks.recovered,
        faultsSurvived: rollbacks.survived,
        notes: `seed ${seedValue}; ${rounds} rollbacks, ${rollbacks.recovered} finished by running them again`,
      });
      expect(rollbacks.recovered).toBe(rounds);
    },
    (KILLS + 2) * 60_000,
  );
});
