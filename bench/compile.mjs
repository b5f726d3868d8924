#!/usr/bin/env node
// Compile-speed benchmark for the pipeline SDK, on the built package (run `npx tsc -b` first):
//   1. the project's pipeline (build-pipeline/pipeline.ts), warm: target ≤ 50 ms;
//   2. a generated 500-step pipeline, built, compiled and validated: target ≤ 500 ms.
// Prints the figures; `--strict` exits 1 when a target is missed. `--runs N` sets the warm repetitions.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { figure } from './lib/figures.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const built = {
  sdk: join(root, 'build-pipeline', 'dist', 'index.js'),
  pipeline: join(root, 'build-pipeline', 'dist', 'project', 'pipeline.js'),
  core: join(root, 'core', 'dist', 'index.js'),
};
for (const file of Object.values(built)) {
  if (!existsSync(file)) {
    process.stderr.write(`bench: ${file} is missing; run \`npx tsc -b\` at the repository root first.\n`);
    process.exit(1);
  }
}
const argument = (name, fallback) => {
  const index = process.argv.indexOf(name);
  return index >= 0 ? Number(process.argv[index + 1]) : fallback;
};
const strict = process.argv.includes('--strict');
const runs = argument('--runs', 100);

const importStart = process.hrtime.bigint();
const sdk = await import(pathToFileURL(built.sdk).href);
const importMs = Number(process.hrtime.bigint() - importStart) / 1e6;
const { definePipeline } = await import(pathToFileURL(built.pipeline).href);
const { loadProjectConfig } = await import(pathToFileURL(built.core).href);

/** Milliseconds of each of `count` calls of `run`, after `warmup` unmeasured calls. */
function measure(run, count, warmup) {
  for (let index = 0; index < warmup; index++) run();
  const times = [];
  for (let index = 0; index < count; index++) {
    const start = process.hrtime.bigint();
    run();
    times.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  return times.sort((a, b) => a - b);
}

const percentile = (sorted, fraction) => sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * fraction))];
const ms = (value) => `${value.toFixed(2)} ms`;
let missed = false;

function report(name, times, target, first) {
  const median = percentile(times, 0.5);
  const ok = median <= target;
  missed ||= !ok;
  const firstText = first === undefined ? '' : `first ${ms(first)}, `;
  process.stdout.write(
    `${name}: ${firstText}median ${ms(median)}, p95 ${ms(percentile(times, 0.95))}, max ${ms(times.at(-1))} ` +
      `over ${times.length} runs — target ≤ ${target} ms: ${ok ? 'met' : 'MISSED'}\n`,
  );
  figure({ name: `${name} (median)`, value: median, unit: 'ms', target: `≤ ${target} ms`, met: ok });
}

// 1. The project's pipeline, with the real seed code when it is there.
const config = loadProjectConfig({ cwd: root });
const seedFiles = ['preprocess.py', 'train.py', 'evaluate.py', 'inference.py', 'data/reviews.csv'];
const realSeed = join(root, 'seed');
const seedDir = seedFiles.every((file) => existsSync(join(realSeed, file)))
  ? realSeed
  : join(root, 'build-pipeline', 'test', 'fixtures', 'seed');
const context = { config, roleArn: 'arn:aws:iam::123456789012:role/bench', seedDir };
const options = sdk.compileOptionsFor(config);
const compileProject = () => sdk.compile(definePipeline(context), options);
const projectStart = process.hrtime.bigint();
const projectResult = compileProject();
const projectFirst = Number(process.hrtime.bigint() - projectStart) / 1e6;
process.stdout.write(
  `node ${process.version}; importing the SDK took ${ms(importMs)} (once per process)\n` +
    `project pipeline ${config.pipelineName}: ${projectResult.definition.Steps.length} top-level steps, ` +
    `${projectResult.json.length} characters, ${projectResult.assets.length} assets; seed: ${seedDir}\n`,
);
report('project pipeline, warm (definePipeline + compile)', measure(compileProject, runs, 20), 50, projectFirst);

// 2. A generated pipeline of 500 steps: 100 rounds of preprocess → train → evaluate → condition → (fail).
function largePipeline() {
  const role = context.roleArn;
  const code = join(root, 'build-pipeline', 'test', 'fixtures', 'seed');
  const threshold = new sdk.ParameterFloat('Threshold', { defaultValue: 0.5 });
  const instanceType = new sdk.ParameterString('InstanceType', { defaultValue: 'ml.m5.large' });
  const processor = new sdk.SKLearnProcessor({ frameworkVersion: '1.2-1', role, instanceType });
  const steps = [];
  let data = new sdk.ParameterString('InputDataUrl', { defaultValue: 's3://bucket/data.csv' });
  const parameters = [threshold, instanceType, data];
  for (let round = 0; round < 100; round++) {
    const prep = new sdk.ProcessingStep(`Prep${round}`, {
      processor,
      code: join(code, 'preprocess.py'),
      inputs: [{ inputName: 'data', source: data, destination: '/opt/ml/processing/input' }],
      outputs: [{ outputName: 'train', source: '/opt/ml/processing/train' }],
      cacheConfig: { enableCaching: true, expireAfter: 'P30D' },
    });
    const train = new sdk.TrainingStep(`Train${round}`, {
      estimator: new sdk.SKLearn({
        frameworkVersion: '1.2-1',
        entryPoint: join(code, 'train.py'),
        role,
        instanceType: 'ml.m5.large',
        hyperparameters: { round, threshold },
      }),
      inputs: { train: prep.properties.ProcessingOutputConfig.Outputs.train.S3Output.S3Uri },
    });
    const report = new sdk.PropertyFile({ name: 'Report', outputName: 'evaluation', path: 'evaluation.json' });
    const evaluate = new sdk.ProcessingStep(`Evaluate${round}`, {
      processor,
      code: join(code, 'evaluate.py'),
      inputs: [
        {
          inputName: 'model',
          source: train.properties.ModelArtifacts.S3ModelArtifacts,
          destination: '/opt/ml/processing/model',
        },
      ],
      outputs: [{ outputName: 'evaluation', source: '/opt/ml/processing/evaluation' }],
      propertyFiles: [report],
    });
    const accuracy = new sdk.JsonGet({ step: evaluate, propertyFile: report, jsonPath: 'accuracy' });
    const check = new sdk.ConditionStep(`Check${round}`, {
      conditions: [new sdk.ConditionGreaterThanOrEqualTo(accuracy, threshold)],
      elseSteps: [
        new sdk.FailStep(`Fail${round}`, { errorMessage: new sdk.Join({ on: ' ', values: ['accuracy', accuracy] }) }),
      ],
    });
    steps.push(prep, train, evaluate, check);
    data = prep.properties.ProcessingOutputConfig.Outputs.train.S3Output.S3Uri;
  }
  return new sdk.Pipeline('bench-500', { parameters, steps });
}
const compileLarge = () => sdk.compile(largePipeline(), options);
const firstStart = process.hrtime.bigint();
const large = compileLarge();
const first = Number(process.hrtime.bigint() - firstStart) / 1e6;
const stepCount = large.definition.Steps.reduce(
  (count, step) => count + 1 + (step.Arguments.ElseSteps?.length ?? 0) + (step.Arguments.IfSteps?.length ?? 0),
  0,
);
process.stdout.write(`generated pipeline: ${stepCount} steps, ${large.json.length} characters\n`);
report(
  '500-step pipeline (build + compile + validate)',
  measure(compileLarge, Math.max(5, Math.floor(runs / 5)), 3),
  500,
  first,
);

if (strict && missed) process.exit(1);
