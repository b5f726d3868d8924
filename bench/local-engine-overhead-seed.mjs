#!/usr/bin/env node
// Engine overhead per step on the project's real seed pipeline (Preprocess → Train → Evaluate →
// CheckAccuracy → RegisterModel + CreateModel) with the real subprocess runners: execution wall time minus the
// time the jobs' own processes ran, divided by the steps that ran. Everything else the local server does
// counts as overhead here: scheduling, expression evaluation, staging inputs, packing model.tar.gz, uploading
// outputs, registry writes. Each run reads the data from a new S3 key so no step is a cache hit.
import { readFileSync } from 'node:fs';
import { compileProjectPipeline } from '@slipway/build-pipeline';
import { createDefaultRunners } from '@slipway/local';
import { createPipeline, execute, median, ms, startBenchServer } from './local-lib/harness.mjs';
import { figure } from './lib/figures.mjs';

const RUNS = Number(process.env.RUNS ?? 5);

/** Wraps each runner so the benchmark sees every job's process time (JobResult.processMs). */
function recording(runners, into) {
  return Object.fromEntries(
    Object.entries(runners).map(([kind, runner]) => [
      kind,
      {
        kind,
        async run(spec, store) {
          const result = await runner.run(spec, store);
          into.push(result.processMs);
          return result;
        },
      },
    ]),
  );
}

const processMs = [];
const bench = await startBenchServer(recording(createDefaultRunners(), processMs));
try {
  const compiled = await compileProjectPipeline({ build: 'never' });
  const data = compiled.assets.find((asset) => asset.kind === 'data');
  for (const asset of compiled.assets) {
    await bench.server.objects.put(asset.bucket, asset.key, asset.bytes ?? readFileSync(asset.localPath));
  }
  const name = compiled.loaded.context.config.pipelineName;
  await createPipeline(bench.sagemaker, name, JSON.parse(compiled.json));
  const perStep = [];
  const walls = [];
  for (let run = 0; run < RUNS; run += 1) {
    const key = `bench/run-${run}/reviews.csv`;
    await bench.server.objects.put(data.bucket, key, (await bench.server.objects.get(data.bucket, data.key)) ?? '');
    processMs.length = 0;
    const result = await execute(bench, name, { InputDataUrl: `s3://${data.bucket}/${key}` });
    if (result.status !== 'Succeeded') throw new Error(`run ${run} ${result.status}: ${result.failureReason}`);
    if (result.steps.some((step) => step.CacheHitResult)) throw new Error(`run ${run} had a cache hit`);
    const jobs = processMs.reduce((a, b) => a + b, 0);
    walls.push(result.wallMs);
    perStep.push((result.wallMs - jobs) / result.steps.length);
  }
  figure({
    name: `engine overhead per step, the project's seed pipeline, real runners (median of ${RUNS})`,
    value: median(perStep),
    unit: 'ms',
    target: '≤ 50 ms',
    met: median(perStep) <= 50,
    detail: `max ${ms(Math.max(...perStep))}, wall median ${ms(median(walls))}`,
  });
} finally {
  await bench.close();
}
