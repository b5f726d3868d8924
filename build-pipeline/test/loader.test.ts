import { afterAll, describe, expect, it } from '@jest/globals';
import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Pipeline, ROLE_ARN_ENV, compileProjectPipeline, loadPipeline } from '@slipway/build-pipeline';
import { ValidationError, loadProjectConfig } from '@slipway/core';

const HERE = import.meta.dirname;
const REPO = join(HERE, '..', '..');
const MODULES = join(HERE, 'fixtures', 'modules');
const config = loadProjectConfig({ path: join(HERE, 'fixtures', 'project', 'slipway.config.json') });
const role = 'arn:aws:iam::123456789012:role/loader-test';

// TypeScript modules are written at test time under node_modules/.cache: there they resolve
// @slipway/build-pipeline like any module in the repository, and no type-check or lint of the repo sees them.
const scratch = join(REPO, 'node_modules', '.cache');
mkdirSync(scratch, { recursive: true });
const created: string[] = [];
afterAll(() => {
  for (const dir of created) rmSync(dir, { recursive: true, force: true });
});

function tsModule(source: string): string {
  const dir = mkdtempSync(join(scratch, 'slipway-loader-test-'));
  created.push(dir);
  writeFileSync(join(dir, 'pipeline.ts'), source);
  writeFileSync(
    join(dir, 'tsconfig.pipeline.json'),
    JSON.stringify({
      extends: join(REPO, 'tsconfig.base.json'),
      compilerOptions: { rootDir: '.', outDir: 'dist', tsBuildInfoFile: 'dist/.tsbuildinfo' },
      files: ['pipeline.ts'],
      references: [{ path: join(REPO, 'build-pipeline', 'tsconfig.json') }, { path: join(REPO, 'core') }],
    }),
  );
  return join(dir, 'pipeline.ts');
}

async function loadError(options: Parameters<typeof loadPipeline>[0]): Promise<string> {
  try {
    await loadPipeline(options);
  } catch (error) {
    if (error instanceof ValidationError) return error.message;
    throw error;
  }
  throw new Error('loadPipeline succeeded');
}

describe('loadPipeline', () => {
  it('imports a module, calls definePipeline with the project context, and compiles with the config', async () => {
    const result = await compileProjectPipeline({
      config,
      modulePath: join(MODULES, 'tiny-pipeline.mjs'),
      roleArn: role,
      seedDir: '/srv/seed',
    });
    expect(result.loaded.pipeline).toBeInstanceOf(Pipeline);
    // No training role given: training jobs run as the execution role (the local server's case).
    expect(result.loaded.context).toEqual({ config, roleArn: role, trainingRoleArn: role, seedDir: '/srv/seed' });
    expect(result.loaded.warnings).toEqual([]);
    expect(result.definition.Steps[0]!.Arguments).toEqual({ ErrorMessage: `role ${role}, seed /srv/seed` });
  });

  it('gives the pipeline the training role from the option or SLIPWAY_TRAINING_ROLE_ARN, and refuses a malformed one', async () => {
    const training = 'arn:aws:iam::123456789012:role/slipway-sentiment-sagemaker-training';
    const module = join(MODULES, 'tiny-pipeline.mjs');
    const fromEnv = await loadPipeline({
      config,
      modulePath: module,
      roleArn: role,
      env: { SLIPWAY_TRAINING_ROLE_ARN: training },
    });
    expect(fromEnv.context.trainingRoleArn).toBe(training);
    const fromOption = await loadPipeline({
      config,
      modulePath: module,
      roleArn: role,
      trainingRoleArn: training,
      env: {},
    });
    expect(fromOption.context).toMatchObject({ roleArn: role, trainingRoleArn: training });
    expect(
      await loadError({ config, modulePath: module, roleArn: role, trainingRoleArn: 'role/training', env: {} }),
    ).toMatch(/trainingRoleArn must be an IAM role ARN .*got "role\/training".*SageMaker training role/);
  });

  it('takes the role from the environment, or uses a placeholder and says so', async () => {
    const fromEnv = await loadPipeline({
      config,
      modulePath: join(MODULES, 'tiny-pipeline.mjs'),
      env: { [ROLE_ARN_ENV]: role },
    });
    expect(fromEnv.context.roleArn).toBe(role);
    const placeholder = await loadPipeline({ config, modulePath: join(MODULES, 'tiny-pipeline.mjs'), env: {} });
    expect(placeholder.context.roleArn).toBe('arn:aws:iam::000000000000:role/golden-sagemaker-execution');
    expect(placeholder.context.seedDir).toBe(join(config.rootDir, 'seed'));
    expect(placeholder.warnings).toEqual([expect.stringMatching(/no SageMaker execution role given.*--role ARN/)]);
  });

  it('fails when the role, the module or its export is not what it must be', async () => {
    expect(await loadError({ config, modulePath: join(MODULES, 'tiny-pipeline.mjs'), roleArn: 'admin' })).toMatch(
      /roleArn must be an IAM role ARN/,
    );
    expect(await loadError({ config, modulePath: join(MODULES, 'missing.mjs'), roleArn: role })).toMatch(
      /missing\.mjs does not exist/,
    );
    expect(await loadError({ config, modulePath: join(MODULES, 'no-define.mjs'), roleArn: role })).toMatch(
      /definePipeline is not exported as a function/,
    );
    expect(await loadError({ config, modulePath: join(MODULES, 'not-a-pipeline.mjs'), roleArn: role })).toMatch(
      /definePipeline did not return a Pipeline/,
    );
  });

  it('compiles a TypeScript module whose JavaScript is missing or older, and then uses it as it is', async () => {
    const modulePath = tsModule(
      [
        "import { FailStep, Pipeline, type PipelineContext } from '@slipway/build-pipeline';",
        'export function definePipeline(context: PipelineContext): Pipeline {',
        "  return new Pipeline(context.config.pipelineName, { steps: [new FailStep('Stop')] });",
        '}',
        '',
      ].join('\n'),
    );
    expect(await loadError({ config, modulePath, roleArn: role, build: 'never' })).toMatch(
      /has no up-to-date JavaScript/,
    );
    const first = await loadPipeline({ config, modulePath, roleArn: role });
    expect(first.rebuilt).toBe(true);
    expect(first.importedPath).toBe(join(modulePath, '..', 'dist', 'pipeline.js'));
    expect(first.pipeline.steps.map((step) => step.name)).toEqual(['Stop']);
    const second = await loadPipeline({ config, modulePath, roleArn: role });
    expect(second.rebuilt).toBe(false);
    const later = new Date(Date.now() + 60_000);
    utimesSync(modulePath, later, later);
    expect((await loadPipeline({ config, modulePath, roleArn: role, build: 'auto' })).rebuilt).toBe(true);
  });

  it('fails with the type checker’s message when a property path is misspelt', async () => {
    const modulePath = tsModule(
      [
        "import { FailStep, Pipeline, SKLearn, TrainingStep, type PipelineContext } from '@slipway/build-pipeline';",
        'export function definePipeline(context: PipelineContext): Pipeline {',
        "  const estimator = new SKLearn({ frameworkVersion: '1.2-1', entryPoint: 'train.py', role: context.roleArn, instanceType: 'ml.m5.large' });",
        "  const train = new TrainingStep('Train', { estimator });",
        "  const stop = new FailStep('Stop', { errorMessage: train.properties.ModelArtifacts.S3ModelArtifact });",
        '  return new Pipeline(context.config.pipelineName, { steps: [train, stop] });',
        '}',
        '',
      ].join('\n'),
    );
    const message = await loadError({ config, modulePath, roleArn: role });
    expect(message).toMatch(/pipeline\.ts does not compile:/);
    expect(message).toMatch(/Property 'S3ModelArtifact' does not exist.*Did you mean 'S3ModelArtifacts'/s);
  });
});
