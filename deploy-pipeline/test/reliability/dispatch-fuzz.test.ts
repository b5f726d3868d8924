import { afterAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { ValidationError } from '@slipway/core';
import { DeployRunStore, runDeployWorkflow, type DeployWorkflowDeps } from '../../src/index.js';
import { FakeSageMaker } from '../support/fake-sagemaker.js';
import { testProject } from '../support/project.js';
import { recordFigures, runs } from '../../../test/reliability/support/reliability.js';

/**
 * Fuzzing the deploy workflow's front door with repository_dispatch bodies: anything JSON can hold, and the
 * approval route's own body with each field replaced by something else. Whatever arrives, the workflow
 * either refuses the body (a ValidationError naming the field, no run recorded) or records a run that ends
 * in the resolve job with a message naming the payload field, or deploys the version the body names if it is
 * the newest Approved one. It never crashes, hangs or deploys anything else.
 */

const project = testProject();
const root = mkdtempSync(join(tmpdir(), 'slipway-dispatch-fuzz-'));
const samplesPath = join(root, 'positive.jsonl');
writeFileSync(samplesPath, `${JSON.stringify({ text: 'Works great, love it.', label: 'positive' })}\n`);
const RUNS = runs(200, 500);
const figures = { inputs: 0, refused: 0, failedInResolve: 0, deployed: 0, nothingToDo: 0, crashes: 0 };

afterAll(() => {
  rmSync(root, { recursive: true, force: true });
  console.log(
    `dispatch fuzzing: ${figures.inputs} bodies: ${figures.refused} refused before a run, ${figures.failedInResolve} runs failed in resolve, ${figures.nothingToDo} decided none, ${figures.deployed} deployed; ${figures.crashes} crashes`,
  );
  recordFigures('dispatch-fuzz', {
    inputs: figures.inputs,
    crashes: figures.crashes,
    dataLost: 0,
    faultsSurvived: figures.refused + figures.failedInResolve,
    notes: `${figures.refused} refused before a run, ${figures.failedInResolve} failed in resolve, ${figures.nothingToDo} none, ${figures.deployed} deployed`,
  });
});

/** What a clear error names: the body itself when it is not an object, else the body's or the payload's field. */
const FIELD =
  /^repository_dispatch body must be a JSON object|\b(event_type|client_payload|model_package_arn|model_package_group|model_package_version|approval_status|event_id)\b/;

const fake = new FakeSageMaker(project.modelPackageGroupName);
const approved = fake.register();
fake.setStatus(approved, 'Approved');
const pending = fake.register();

const validPayload = {
  model_package_arn: fake.arn(approved),
  model_package_group: project.modelPackageGroupName,
  model_package_version: String(approved),
  approval_status: 'Approved',
  event_id: '844e2571-85d4-695f-b930-0153b71dcb42',
};

/** Values that have broken parsers before: wrong types, huge, unicode, path and prototype tricks. */
const nasty = fc.oneof(
  fc.jsonValue({ maxDepth: 4 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.constantFrom(
    '',
    ' ',
    '__proto__',
    'constructor',
    '../../etc/passwd',
    'a'.repeat(70_000),
    fake.arn(pending),
    fake.arn(99),
    'arn:aws:sagemaker:us-east-1:123456789012:model-package/sentiment-models/0',
    'arn:aws:sagemaker:us-east-1:999999999999:model-package/sentiment-models/1',
    'arn:aws-cn:sagemaker:us-east-1:123456789012:model-package/sentiment-models/1',
    'arn:aws:sagemaker:us-east-1:123456789012:model-package-group/sentiment-models',
    'model-package-rejected',
    '1e3',
    '-1',
    '\u0000',
    '\ud800',
  ),
);

const body = fc.oneof(
  // Anything at all.
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 5 }) },
  // The route's body, a few fields replaced, dropped or added.
  {
    weight: 4,
    arbitrary: fc
      .record({
        eventType: fc.oneof(
          { weight: 4, arbitrary: fc.constantFrom('model-package-approved', 'model-package-rejected') },
          { weight: 1, arbitrary: nasty },
        ),
        replace: fc.dictionary(fc.constantFrom(...Object.keys(validPayload)), nasty, { maxKeys: 3 }),
        drop: fc.subarray(Object.keys(validPayload)),
        extra: fc.dictionary(fc.string({ maxLength: 12 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 6 }),
        payloadAs: fc.constantFrom('object', 'object', 'object', 'array', 'string', 'null'),
      })
      .map(({ eventType, replace, drop, extra, payloadAs }) => {
        const payload: Record<string, unknown> = Object.fromEntries(
          Object.entries({ ...validPayload, ...extra, ...replace }).filter(([key]) => !drop.includes(key)),
        );
        const client_payload =
          payloadAs === 'object' ? payload : payloadAs === 'array' ? [payload] : payloadAs === 'string' ? 'x' : null;
        return { event_type: eventType, client_payload } as unknown;
      }),
  },
);

describe('repository_dispatch bodies, fuzzed (fast-check)', () => {
  it('are refused or resolved with an error naming the field, and only the newest Approved version is ever deployed', async () => {
    await fc.assert(
      fc.asyncProperty(body, async (input) => {
        figures.inputs += 1;
        const runs = new DeployRunStore(mkdtempSync(join(root, 'runs-')));
        const deps: DeployWorkflowDeps = {
          project,
          backend: { kind: 'local', region: project.region, endpoint: 'http://127.0.0.1:9' },
          runs,
          promotion: 'auto',
          samplesPath,
          sagemaker: fake.sagemaker,
          runtime: fake.runtime,
          s3: fake.s3,
          pollSeconds: 0,
        };
        const changesBefore = fake.changes.length;
        let run;
        try {
          run = await runDeployWorkflow(input, deps);
        } catch (error) {
          if (!(error instanceof ValidationError)) figures.crashes += 1;
          expect(error).toBeInstanceOf(ValidationError);
          expect((error as Error).message).toMatch(FIELD);
          expect(await runs.list()).toEqual([]);
          figures.refused += 1;
          return;
        }
        expect(run.status).toBe('completed');
        const resolve = run.jobs[0]!;
        const changed = fake.changes.slice(changesBefore);
        if (resolve.conclusion === 'failure') {
          figures.failedInResolve += 1;
          expect(resolve.message).toMatch(FIELD);
          expect(changed).toEqual([]);
        } else if (resolve.resolution?.action === 'none') {
          figures.nothingToDo += 1;
          expect(changed).toEqual([]);
        } else {
          figures.deployed += 1;
          expect(run.conclusion).toBe('success');
          for (const change of changed) expect(change.version).toBe(approved);
        }
      }),
      { numRuns: RUNS },
    );
  }, 300_000);
});
