import { afterAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import {
  DeployRunStore,
  endpointName,
  promoteWaitingRun,
  runDeployWorkflow,
  type DeployWorkflowDeps,
  type PromotionMode,
  type RepositoryDispatchBody,
} from '../../src/index.js';
import { FakeSageMaker } from '../support/fake-sagemaker.js';
import { testProject } from '../support/project.js';
import { recordFigures, runs } from '../../../test/reliability/support/reliability.js';

/**
 * Property: whatever order, delay and repetition EventBridge delivers approval events in, the deploy workflow
 * deploys each stage at most once per version and never to an older version than it serves, prod only gets
 * what staging serves, and once every event has arrived (and the gate is opened) both stages serve the newest
 * Approved version. The real `runDeployWorkflow`, `resolveDeployment`, `deployStage` and run store run against
 * an in-memory SageMaker (see FakeSageMaker), so each case is a whole sequence of runs in milliseconds.
 */

/** One thing that happens: a person approves the next version; a delivery of an emitted event; the gate opens. */
type Step = { kind: 'approve' } | { kind: 'deliver'; pick: number } | { kind: 'promote' };

interface Scenario {
  readonly versions: number;
  readonly promotion: PromotionMode;
  readonly approvalOrder: readonly number[];
  readonly steps: readonly Step[];
  readonly finalOrder: readonly number[];
}

const scenario: fc.Arbitrary<Scenario> = fc.record({
  versions: fc.integer({ min: 2, max: 5 }),
  promotion: fc.constantFrom<PromotionMode>('auto', 'manual'),
  /** The order people approve versions in: any versions, any order (an older one after a newer one). */
  approvalOrder: fc.uniqueArray(fc.integer({ min: 1, max: 5 }), { minLength: 1, maxLength: 5 }),
  steps: fc.array(
    fc.oneof(
      { weight: 3, arbitrary: fc.constant<Step>({ kind: 'approve' }) },
      { weight: 5, arbitrary: fc.nat({ max: 50 }).map<Step>((pick) => ({ kind: 'deliver', pick })) },
      { weight: 2, arbitrary: fc.constant<Step>({ kind: 'promote' }) },
    ),
    { maxLength: 24 },
  ),
  /** The order the still-undelivered events finally arrive in. */
  finalOrder: fc.array(fc.nat({ max: 50 }), { maxLength: 5 }),
});

const project = testProject();
const STAGING = endpointName(project, 'staging');
const PROD = endpointName(project, 'prod');
const root = mkdtempSync(join(tmpdir(), 'slipway-approval-events-'));
/** The endpoint tests pass: the fake endpoint answers "positive", and so are all these samples. */
const samplesPath = join(root, 'positive.jsonl');
writeFileSync(samplesPath, `${JSON.stringify({ text: 'Works great, love it.', label: 'positive' })}\n`);
/** Scenarios per run: `npm test` a few dozen, `npm run test:reliability` more. */
const RUNS = runs(60, 500);
let cases = 0;
let deliveries = 0;
let promotions = 0;

afterAll(() => {
  rmSync(root, { recursive: true, force: true });
  console.log(
    `approval events: ${cases} scenarios, ${deliveries} deliveries (duplicated, delayed, reordered), ${promotions} gate openings; no downgrade, at most one deploy per stage and version`,
  );
  // A failed property stops the test before here, so what is recorded is a run that held.
  recordFigures('approval-events', {
    inputs: deliveries,
    crashes: 0,
    dataLost: 0,
    faultsSurvived: deliveries,
    notes: `${cases} scenarios, ${promotions} gate openings; 0 downgrades, 0 double deploys`,
  });
});

async function play(input: Scenario): Promise<void> {
  cases += 1;
  const fake = new FakeSageMaker(project.modelPackageGroupName);
  for (let version = 1; version <= input.versions; version += 1) fake.register();
  const approvals = [...new Set(input.approvalOrder.map((version) => ((version - 1) % input.versions) + 1))];
  const runs = new DeployRunStore(mkdtempSync(join(root, 'runs-')));
  const deps: DeployWorkflowDeps = {
    project,
    backend: { kind: 'local', region: project.region, endpoint: 'http://127.0.0.1:9' },
    runs,
    promotion: input.promotion,
    samplesPath,
    sagemaker: fake.sagemaker,
    runtime: fake.runtime,
    s3: fake.s3,
    pollSeconds: 0,
  };
  const emitted: RepositoryDispatchBody[] = [];
  const delivered = new Set<number>();
  const approve = (): void => {
    const version = approvals[emitted.length];
    if (version === undefined) return;
    fake.setStatus(version, 'Approved');
    emitted.push({
      event_type: 'model-package-approved',
      client_payload: {
        model_package_arn: fake.arn(version),
        model_package_group: project.modelPackageGroupName,
        model_package_version: String(version),
        approval_status: 'Approved',
        event_id: randomUUID(),
      },
    });
  };
  const deliver = async (index: number): Promise<void> => {
    const body = emitted[index];
    if (!body) return;
    delivered.add(index);
    deliveries += 1;
    const run = await runDeployWorkflow(body, deps);
    // A run fails only where a person must act; with approvals only, no run may fail.
    expect([run.number, run.conclusion ?? run.status, run.jobs.map((job) => job.message)]).toEqual([
      run.number,
      run.status === 'waiting' ? 'waiting' : 'success',
      run.jobs.map((job) => job.message),
    ]);
  };

  for (const step of input.steps) {
    if (step.kind === 'approve') approve();
    else if (step.kind === 'deliver' && emitted.length > 0) await deliver(step.pick % emitted.length);
    else if (step.kind === 'promote' && (await promoteWaitingRun(deps))) promotions += 1;
  }
  // Every approval happens, and every event arrives at least once, some of them late.
  while (emitted.length < approvals.length) approve();
  const undelivered = emitted.map((_, index) => index).filter((index) => !delivered.has(index));
  for (const pick of input.finalOrder) {
    if (undelivered.length === 0) break;
    const [index] = undelivered.splice(pick % undelivered.length, 1);
    await deliver(index!);
  }
  for (const index of undelivered) await deliver(index);
  if (input.promotion === 'manual' && (await promoteWaitingRun(deps))) promotions += 1;

  // Never a downgrade, and each stage deploys each version at most once.
  for (const endpoint of [STAGING, PROD]) {
    const served = fake.changes.filter((change) => change.endpoint === endpoint).map((change) => change.version);
    expect([endpoint, served]).toEqual([
      endpoint,
      [...served].sort((a, b) => a - b).filter((v, i, all) => all.indexOf(v) === i),
    ]);
  }
  // Prod only ever got the version staging served at that moment.
  for (const change of fake.changes.filter((entry) => entry.endpoint === PROD)) {
    expect(change.others[STAGING]).toBe(change.version);
  }
  // In the end both stages serve the newest Approved version.
  const newest = Math.max(...approvals);
  expect([fake.serving(STAGING), fake.serving(PROD)]).toEqual([newest, newest]);
}

describe('approval events delivered at least once, late and out of order (property-based, fast-check)', () => {
  it('deploy each stage once per version, never downgrade, promote only what staging serves, end on the newest', async () => {
    await fc.assert(fc.asyncProperty(scenario, play), { numRuns: RUNS });
  }, 120_000);

  it("the audit's case: v3 waiting at the gate, then v1's approval arrives late and v3's again", async () => {
    await play({
      versions: 3,
      promotion: 'manual',
      approvalOrder: [1, 3],
      // v1 and v3 approved; v3's event arrives (staging v3, waiting at the gate); v1's arrives late, v3's
      // again; then the gate opens.
      steps: [
        { kind: 'approve' },
        { kind: 'approve' },
        { kind: 'deliver', pick: 1 },
        { kind: 'deliver', pick: 0 },
        { kind: 'deliver', pick: 1 },
        { kind: 'promote' },
      ],
      finalOrder: [],
    });
  });
});
