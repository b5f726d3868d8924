#!/usr/bin/env node
// `cdk synth` of every Slipway stack (ProjectStack and one EndpointStack per stage), timed two ways:
// in-process (buildApp + synth, cdk-nag included) and through the real CDK CLI as `slipway bootstrap` and the
// deploy workflow run it. Target: ≤ 15 s. Needs `npm run build` first (it runs the compiled app).
// Usage: node bench/deploy-synth.mjs [runs]
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { figure } from './lib/figures.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const runs = Number(process.argv[2] ?? 3);
const arn = 'arn:aws:sagemaker:us-east-1:123456789012:model-package/sentiment-models/3';

// A copy of the project with a GitHub repository set (ProjectStack needs one).
const project = mkdtempSync(join(tmpdir(), 'slipway-bench-'));
const config = JSON.parse(readFileSync(join(root, 'slipway.config.json'), 'utf8'));
writeFileSync(
  join(project, 'slipway.config.json'),
  JSON.stringify({ ...config, githubRepository: 'octo-org/sentiment-reviews' }),
);
mkdirSync(join(project, 'deploy-pipeline'));
cpSync(join(root, 'deploy-pipeline', 'config'), join(project, 'deploy-pipeline', 'config'), { recursive: true });
process.env.SLIPWAY_CONFIG = join(project, 'slipway.config.json');

const { buildApp } = await import(join(root, 'deploy-pipeline', 'dist', 'cdk', 'app.js'));
const { loadProjectConfig } = await import(join(root, 'core', 'dist', 'index.js'));

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

const inProcess = [];
for (let i = 0; i < runs; i += 1) {
  const started = performance.now();
  const { app } = buildApp({
    project: loadProjectConfig(),
    appProps: { outdir: mkdtempSync(join(tmpdir(), 'slipway-synth-')), context: { modelPackageArn: arn } },
  });
  const assembly = app.synth();
  inProcess.push(performance.now() - started);
  if (assembly.stacks.length !== 1 + config.stages.length)
    throw new Error(`expected ${1 + config.stages.length} stacks`);
}

const cli = createRequire(join(root, 'deploy-pipeline', 'package.json')).resolve('aws-cdk/bin/cdk');
const viaCli = [];
for (let i = 0; i < runs; i += 1) {
  const started = performance.now();
  const run = spawnSync(
    process.execPath,
    [
      cli,
      'synth',
      '--all',
      '--quiet',
      '--no-notices',
      '--output',
      mkdtempSync(join(tmpdir(), 'slipway-cli-')),
      '--context',
      `modelPackageArn=${arn}`,
    ],
    {
      cwd: join(root, 'deploy-pipeline'),
      env: { ...process.env, CDK_DISABLE_CLI_TELEMETRY: 'true' },
      encoding: 'utf8',
    },
  );
  viaCli.push(performance.now() - started);
  if (run.status !== 0) throw new Error(`cdk synth failed:\n${run.stderr}`);
}

const seconds = (ms) => (ms / 1000).toFixed(2);
console.log(`cdk synth, all ${1 + config.stages.length} stacks, ${runs} runs each (target ≤ 15 s)`);
console.log(
  `  in-process (buildApp + synth + cdk-nag): median ${seconds(median(inProcess))} s, max ${seconds(Math.max(...inProcess))} s`,
);
console.log(
  `  CDK CLI (node cdk synth --all):         median ${seconds(median(viaCli))} s, max ${seconds(Math.max(...viaCli))} s`,
);
figure({
  name: `cdk synth, all ${1 + config.stages.length} stacks, with the CDK CLI (median)`,
  value: median(viaCli) / 1000,
  unit: 's',
  target: '≤ 15 s',
  met: median(viaCli) <= 15_000,
});
