#!/usr/bin/env node
// Two independent 2-second steps (real processes sleeping 2 s) must finish together in < 3 s.
import {
  ProcessRunner,
  ROLE,
  createPipeline,
  definition,
  execute,
  ms,
  startBenchServer,
} from './local-lib/harness.mjs';

const step = (name) => ({
  Name: name,
  Type: 'Processing',
  Arguments: {
    AppSpecification: {
      ImageUri: 'bench',
      ContainerEntrypoint: [process.execPath, '-e', 'setTimeout(() => {}, 2000)'],
    },
    ProcessingResources: { ClusterConfig: { InstanceCount: 1, InstanceType: 'ml.m5.large', VolumeSizeInGB: 30 } },
    RoleArn: ROLE,
  },
});
const bench = await startBenchServer({ Processing: new ProcessRunner('Processing') });
try {
  await createPipeline(bench.sagemaker, 'two', definition([step('Left'), step('Right')]));
  const result = await execute(bench, 'two');
  console.log(`two independent 2 s steps: ${result.status} in ${ms(result.wallMillis)} (target < 3000 ms)`);
} finally {
  await bench.close();
}
