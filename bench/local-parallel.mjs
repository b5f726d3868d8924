#!/usr/bin/env node
// Two independent 2-second steps (real processes sleeping 2 s) must finish together in < 3 s.
import { ProcessRunner, ROLE, createPipeline, definition, execute, startBenchServer } from './local-lib/harness.mjs';
import { figure } from './lib/figures.mjs';

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
  figure({
    name: 'two independent 2 s steps',
    value: result.wallMs / 1000,
    unit: 's',
    target: '< 3 s',
    met: result.wallMs < 3000 && result.status === 'Succeeded',
    detail: result.status,
  });
} finally {
  await bench.close();
}
