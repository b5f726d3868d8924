#!/usr/bin/env node
// 500 trivial steps scheduled and finished: target ≤ 10 s. Fan-out (500 independent steps, default
// parallelism 50) and a chain (each step depends on the previous one), with jobs that return at once.
import { ROLE, SleepRunner, createPipeline, definition, execute, startBenchServer } from './local-lib/harness.mjs';
import { figure } from './lib/figures.mjs';

const step = (i, chained) => ({
  Name: `Step${i}`,
  Type: 'Processing',
  ...(chained && i > 0 ? { DependsOn: [`Step${i - 1}`] } : {}),
  Arguments: {
    AppSpecification: { ImageUri: 'bench' },
    ProcessingResources: { ClusterConfig: { InstanceCount: 1, InstanceType: 'ml.m5.large', VolumeSizeInGB: 30 } },
    RoleArn: ROLE,
  },
});
const bench = await startBenchServer({ Processing: new SleepRunner('Processing') });
try {
  for (const chained of [false, true]) {
    const name = chained ? 'chain-500' : 'fan-500';
    await createPipeline(bench.sagemaker, name, definition(Array.from({ length: 500 }, (_, i) => step(i, chained))));
    const result = await execute(bench, name);
    const succeeded = result.steps.filter((s) => s.StepStatus === 'Succeeded').length;
    figure({
      name: `500 trivial steps, ${chained ? 'chained' : 'independent'}`,
      value: result.wallMs / 1000,
      unit: 's',
      target: '≤ 10 s, all succeeded',
      met: result.wallMs <= 10_000 && succeeded === 500,
      detail: `${result.status}, ${succeeded} succeeded`,
    });
  }
} finally {
  await bench.close();
}
