import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, describe, expect, it } from '@jest/globals';
import { Ajv } from 'ajv';
import { main } from '@slipway/cli';
import { MODEL_PACKAGE_MODEL_CARD_SCHEMA } from '@slipway/core';
import { EXIT_CODES } from '../src/failure.js';
import { TERMINAL_ENV } from './support/run-cli.js';

const REPO = join(import.meta.dirname, '..', '..');
const env = TERMINAL_ENV;
const scratch = mkdtempSync(join(tmpdir(), 'slipway-cli-run-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

async function slipway(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  stdout.on('data', (chunk: Buffer) => out.push(chunk));
  stderr.on('data', (chunk: Buffer) => err.push(chunk));
  const previous = process.exitCode;
  const code = await main(args, { stdout, stderr, cwd: REPO, env });
  process.exitCode = previous;
  return { code, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') };
}

describe('slipway pipeline run / status / logs on the local server', () => {
  const dataDir = join(scratch, 'data');
  let executionArn = '';
  let runAccuracy = 0;

  it('refuses bad parameters before a server starts, naming --param and each problem', async () => {
    const result = await slipway([
      'pipeline',
      'run',
      '--data-dir',
      dataDir,
      '--param',
      'MaxFeatures=many',
      '--param',
      'Nope=1',
    ]);
    expect(result.code).toBe(EXIT_CODES.failure);
    expect(result.stderr).toContain(
      '--param: MaxFeatures must be a whole number, e.g. 3 (the parameter is Integer), got "many"',
    );
    expect(result.stderr).toContain('--param: Nope is not a parameter of the pipeline');
    expect(existsSync(dataDir)).toBe(false);
  });

  it('needs a role for --aws, and a server that outlives the command for --no-wait', async () => {
    const aws = await slipway(['pipeline', 'run', '--aws']);
    expect(aws.code).toBe(EXIT_CODES.failure);
    expect(aws.stderr).toMatch(
      /--role is required with --aws: pass the SageMaker execution role ARN, or set SLIPWAY_SAGEMAKER_ROLE_ARN/,
    );
    const noWait = await slipway(['pipeline', 'run', '--no-wait', '--data-dir', join(scratch, 'no-wait')]);
    expect(noWait.code).toBe(EXIT_CODES.failure);
    expect(noWait.stderr).toMatch(
      /--no-wait needs a local server that outlives this command.*slipway local up --detach/,
    );
  });

  it('runs the seed pipeline to a registered package and reports it as JSON, with a Markdown summary', async () => {
    const summary = join(scratch, 'summary.md');
    const result = await slipway(['pipeline', 'run', '--local', '--data-dir', dataDir, '--json', '--summary', summary]);
    expect(result.stderr).not.toMatch(/^error:/m);
    expect(result.code).toBe(0);
    const run = JSON.parse(result.stdout);
    expect(run).toMatchObject({
      backend: 'local',
      status: 'Succeeded',
      modelPackageArn: expect.stringMatching(/:model-package\/sentiment-models\/1$/),
      modelApprovalStatus: 'PendingManualApproval',
      parameters: { SourceRevision: expect.stringMatching(/^[0-9a-f]{40}(-dirty)?$/) },
    });
    expect(run.accuracy).toBeGreaterThan(0.7);
    const names = run.steps.map((step: { name: string }) => step.name);
    // Evaluate, ChecksumModel and Baseline all follow Train and run side by side.
    expect(names.slice(0, 2)).toEqual(['Preprocess', 'Train']);
    expect(names.slice(2, 5).sort()).toEqual(['Baseline', 'ChecksumModel', 'Evaluate']);
    expect(names[5]).toBe('CheckAccuracy');
    expect(names.slice(6).sort()).toEqual(['CreateModel', 'RegisterModel']);
    // The plain progress (not a terminal) goes to stderr with --json, one line per transition.
    expect(result.stderr).toMatch(/^Step Train: Executing → Succeeded \(/m);
    expect(readFileSync(summary, 'utf8')).toContain('```mermaid');
    executionArn = run.executionArn;
    runAccuracy = run.accuracy;
  }, 240_000);

  it('writes the version a model card with its evaluation metrics, which registry card prints', async () => {
    const result = await slipway(['registry', 'card', '1', '--data-dir', dataDir, '--json']);
    expect(result.stderr).not.toMatch(/^error:/m);
    expect(result.code).toBe(0);
    const card = JSON.parse(result.stdout);
    expect(card).toMatchObject({ arn: expect.stringMatching(/sentiment-models\/1$/), status: 'Draft' });
    const validate = new Ajv({ allErrors: true, strict: true }).compile(MODEL_PACKAGE_MODEL_CARD_SCHEMA);
    expect(validate(card.content) ? [] : validate.errors).toEqual([]);
    const metrics = card.content.evaluation_details[0].metric_groups[0].metric_data;
    const accuracy = metrics.find((metric: { name: string }) => metric.name === 'accuracy');
    expect(accuracy.value).toBe(runAccuracy);
    expect(card.content.training_details.training_job_details.training_arn).toMatch(/:training-job\//);
    expect(card.content.additional_information.custom_details).toMatchObject({
      model_package_arn: card.arn,
    });
    const human = await slipway(['registry', 'card', '1', '--data-dir', dataDir]);
    expect(human.stdout).toMatch(/^Model card of .*sentiment-models\/1 \(Draft\)/m);
    expect(human.stdout).toMatch(/multiclass_classification_metrics +accuracy +0\.\d{4}/);
    const missing = await slipway(['registry', 'card', '7', '--data-dir', dataDir]);
    expect(missing.code).toBe(EXIT_CODES.failure);
    expect(missing.stderr).toMatch(/sentiment-models\/7 does not exist/);
  }, 60_000);

  it('shows the latest execution and its steps', async () => {
    const result = await slipway(['pipeline', 'status', '--data-dir', dataDir, '--json']);
    expect(result.code).toBe(0);
    const status = JSON.parse(result.stdout);
    expect(status).toMatchObject({ executionArn, status: 'Succeeded' });
    expect(status.steps).toHaveLength(8);
    const byArn = await slipway(['pipeline', 'status', executionArn, '--data-dir', dataDir]);
    expect(byArn.stdout).toMatch(/^ {2}Evaluate +Succeeded/m);
    const bad = await slipway(['pipeline', 'status', 'exec-1', '--data-dir', dataDir]);
    expect(bad.code).toBe(EXIT_CODES.failure);
    expect(bad.stderr).toMatch(/execution must be a pipeline execution ARN or "latest", got "exec-1"/);
  });

  it("prints a step's job log, says when a step ran no job, and lists the steps for an unknown one", async () => {
    const train = await slipway(['pipeline', 'logs', 'Train', '--data-dir', dataDir]);
    expect(train.code).toBe(0);
    expect(train.stdout).toMatch(/^train_accuracy=0\.\d+$/m);
    const condition = await slipway(['pipeline', 'logs', 'CheckAccuracy', '--data-dir', dataDir]);
    expect(condition.stdout).toMatch(/CheckAccuracy ran no job, so it has no log .*"Outcome":"True"/);
    const unknown = await slipway(['pipeline', 'logs', 'Training', '--data-dir', dataDir]);
    expect(unknown.code).toBe(EXIT_CODES.failure);
    expect(unknown.stderr).toMatch(/"Training" is not a step of .*: use one of: Preprocess, Train, Evaluate/);
  });
});
