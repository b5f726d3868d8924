#!/usr/bin/env node
// Engine overhead per step on the seed pipeline's shape: execution wall time (from the server's own
// CreationTime and end time) minus the time the steps' processes ran, divided by the steps. Target:
// median ≤ 50 ms. Two runners: real trivial processes (node -e '') and in-process sleeps of 100 ms.
import {
  ProcessRunner,
  SleepRunner,
  createPipeline,
  definition,
  execute,
  median,
  ms,
  seedShapedPipeline,
  startBenchServer,
} from './local-lib/harness.mjs';
import { figure } from './lib/figures.mjs';

const RUNS = Number(process.env.RUNS ?? 10);

async function processes() {
  const processing = new ProcessRunner('Processing');
  const training = new ProcessRunner('Training');
  const bench = await startBenchServer({ Processing: processing, Training: training });
  try {
    await createPipeline(bench.sagemaker, 'seed-shaped', seedShapedPipeline({ cacheable: false }));
    const perStep = [];
    for (let run = 0; run < RUNS; run += 1) {
      const result = await execute(bench, 'seed-shaped', { Run: String(run) });
      if (result.status !== 'Succeeded') throw new Error(`run ${run} ${result.status}: ${result.failureReason}`);
      // The job steps run one after another on this pipeline; the others run no process.
      const jobMs = [...processing.processMs.values(), ...training.processMs.values()].reduce((a, b) => a + b, 0);
      processing.processMs.clear();
      training.processMs.clear();
      perStep.push((result.wallMs - jobMs) / result.steps.length);
    }
    return perStep;
  } finally {
    await bench.close();
  }
}

async function sleeps() {
  const bench = await startBenchServer({ Processing: new SleepRunner('Processing') });
  const STEPS = 6;
  const chain = Array.from({ length: STEPS }, (_, i) => ({
    Name: `S${i}`,
    Type: 'Processing',
    ...(i > 0 ? { DependsOn: [`S${i - 1}`] } : {}),
    Arguments: {
      AppSpecification: { ImageUri: 'bench' },
      ProcessingResources: { ClusterConfig: { InstanceCount: 1, InstanceType: 'ml.m5.large', VolumeSizeInGB: 30 } },
      RoleArn: 'arn:aws:iam::000000000000:role/Bench',
      Environment: { SLEEP_MS: '100', RUN: { Get: 'Parameters.Run' } },
    },
  }));
  try {
    await createPipeline(
      bench.sagemaker,
      'chain',
      definition(chain, [{ Name: 'Run', Type: 'String', DefaultValue: '0' }]),
    );
    const perStep = [];
    for (let run = 0; run < RUNS; run += 1) {
      const result = await execute(bench, 'chain', { Run: String(run) });
      perStep.push((result.wallMs - STEPS * 100) / STEPS);
    }
    return perStep;
  } finally {
    await bench.close();
  }
}

const real = await processes();
const slept = await sleeps();
figure({
  name: `engine overhead per step, seed-shaped pipeline, real processes (median of ${RUNS})`,
  value: median(real),
  unit: 'ms',
  target: '≤ 50 ms',
  met: median(real) <= 50,
  detail: `max ${ms(Math.max(...real))}`,
});
console.log(
  `engine overhead per step, chain of 6 × 100 ms in-process jobs, ${RUNS} runs: median ${ms(median(slept))}, max ${ms(Math.max(...slept))}`,
);
