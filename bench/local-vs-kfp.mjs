#!/usr/bin/env node
// Per-step cost of a pipeline of trivial Python steps, Slipway's local engine against kfp's local runner (the
// peer: SubprocessRunner without a venv per step, from the tools venv), run alternately on the same machine.
// Slipway runs each step as a Processing job with its real runner (a `python3 -c pass` process in the
// scikit-learn runtime, inputs staged, logs written); kfp runs each component in a subprocess of its own.
// Each side's time is its pipeline run alone (the execution's CreationTime to its end; kfp's pipeline call),
// divided by the steps.
//
// node bench/local-vs-kfp.mjs [--steps 5] [--runs 3]
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createDefaultRunners } from '@slipway/local';
import { ROLE, createPipeline, definition, execute, median, startBenchServer } from './local-lib/harness.mjs';
import { figure } from './lib/figures.mjs';

const root = join(fileURLToPath(new URL('.', import.meta.url)), '..');
const argument = (name, fallback) => {
  const index = process.argv.indexOf(`--${name}`);
  return index >= 0 ? Number(process.argv[index + 1]) : fallback;
};
const STEPS = argument('steps', 5);
const RUNS = argument('runs', 3);
const IMAGE = '683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-scikit-learn:1.2-1-cpu-py3';
const toolsPython = join(root, '.venv-tools', 'bin', 'python');

const chain = definition(
  Array.from({ length: STEPS }, (_, i) => ({
    Name: `Step${i + 1}`,
    Type: 'Processing',
    ...(i > 0 ? { DependsOn: [`Step${i}`] } : {}),
    Arguments: {
      AppSpecification: { ImageUri: IMAGE, ContainerEntrypoint: ['python3', '-c', 'pass'] },
      ProcessingResources: { ClusterConfig: { InstanceCount: 1, InstanceType: 'ml.m5.large', VolumeSizeInGB: 30 } },
      RoleArn: ROLE,
      Environment: { RUN: { Get: 'Parameters.Run' } },
    },
  })),
  [{ Name: 'Run', Type: 'String', DefaultValue: '0' }],
);

/** One kfp run in its own process; asynchronous, so the server in this process keeps answering meanwhile. */
async function kfpRun(scratch) {
  const pipelineRoot = mkdtempSync(join(scratch, 'kfp-'));
  const { stdout: output } = await promisify(execFile)(
    toolsPython,
    [join(root, 'bench', 'peers', 'kfp_chain.py'), String(STEPS), pipelineRoot],
    {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    },
  );
  return JSON.parse(output.trim().split('\n').at(-1)).seconds * 1000;
}

if (!existsSync(toolsPython)) {
  process.stdout.write('the tools venv is missing: run `npm run setup` (it installs kfp, the peer)\n');
  process.exit(1);
}
const scratch = mkdtempSync(join(tmpdir(), 'slipway-bench-kfp-'));
const bench = await startBenchServer(createDefaultRunners({ stopGraceMs: 2000 }));
try {
  await createPipeline(bench.sagemaker, 'chain', chain);
  await execute(bench, 'chain', { Run: 'warm-up' }); // the runtime resolved, files cached
  await kfpRun(scratch);
  const slipway = [];
  const kfp = [];
  for (let run = 0; run < RUNS; run += 1) {
    const result = await execute(bench, 'chain', { Run: String(run) });
    if (result.status !== 'Succeeded') throw new Error(`run ${run}: ${result.status} ${result.failureReason}`);
    slipway.push(result.wallMs / STEPS);
    kfp.push((await kfpRun(scratch)) / STEPS);
  }
  process.stdout.write(
    `a chain of ${STEPS} trivial Python steps, ${RUNS} runs each, alternated: Slipway ` +
      `${slipway.map((ms) => ms.toFixed(0)).join(', ')} ms/step; kfp local ${kfp.map((ms) => ms.toFixed(0)).join(', ')} ms/step\n`,
  );
  figure({
    name: `time per step, a chain of ${STEPS} trivial Python steps (median of ${RUNS})`,
    value: median(slipway),
    unit: 'ms',
    peer: { name: "kfp's local runner", value: median(kfp) },
    better: 'lower',
  });
} finally {
  await bench.close();
  rmSync(scratch, { recursive: true, force: true });
}
