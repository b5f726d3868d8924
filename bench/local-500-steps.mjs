#!/usr/bin/env node
// 500 trivial steps scheduled and finished: target ≤ 10 s. Fan-out (500 independent steps, default
// parallelism 50) and a chain (each step depends on the previous one), with jobs that return at once.
import { ROLE, SleepRunner, createPipeline, definition, execute, ms, startBenchServer } from './local-lib/harness.mjs';

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
    console.log(
      `500 trivial steps, ${chained ? 'chained' : 'independent'}: ${result.status}, ${succeeded} succeeded, in ${ms(result.wallMillis)} (target ≤ 10000 ms)`,
    );
  }
} finally {
  await bench.close();
}
