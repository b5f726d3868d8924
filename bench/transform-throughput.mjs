#!/usr/bin/env node
// Batch transform of 100,000 reviews with the seed model through the local server's API (issue 10: ≥ 5,000
// records/s). The seed model (preprocess.py + train.py on seed/data/reviews.csv) is served by the scikit-learn
// runtime's model server, as CreateTransformJob runs it: SplitType Line, BatchStrategy MultiRecord (6 MB per
// request), MaxConcurrentTransforms 2, AssembleWith Line. The figure is CreateTransformJob → Completed as a client
// sees it (model server start included), and the runner's own records/s from the job's log.
//
// node bench/transform-throughput.mjs [--records 100000]      (npm run bench -- transform builds first)
import { readFile } from 'node:fs/promises';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { CreateTransformJobCommand, DescribeTransformJobCommand } from '@aws-sdk/client-sagemaker';
import { createDefaultRunners } from '@slipway/local';
import { root, startEndpointWorld } from './endpoint-lib/world.mjs';

const index = process.argv.indexOf('--records');
const RECORDS = index >= 0 ? Number(process.argv[index + 1]) : 100_000;
const TARGET = 5_000;

const world = await startEndpointWorld({ runners: createDefaultRunners() });
try {
  await world.createModelVersion('seed', 'AllTraffic', 'seed-config');
  // One review per line as CSV (quoted), drawn round-robin from the seed's one-line reviews.
  const rows = (await readFile(join(root, 'seed', 'data', 'reviews.csv'), 'utf8'))
    .split('\n')
    .slice(1)
    .map((line) => /^[^,"]*,[^,"]*,("(?:[^"]|"")*"|[^,"]*),\d+$/.exec(line)?.[1])
    // Reviews that are only markup or blank are refused by the model (as they should be): leave them out.
    .filter((review) => review && /[A-Za-z]/.test(review.replace(/<[^>]*>/g, '')));
  const lines = Array.from({ length: RECORDS }, (_, i) => rows[i % rows.length]);
  const body = `${lines.join('\n')}\n`;
  await world.server.objects.put('bench', 'batch/reviews.csv', body);
  process.stdout.write(
    `input: ${RECORDS} reviews, ${(body.length / 1e6).toFixed(1)} MB; seed model validation accuracy ${world.accuracy}\n`,
  );

  const started = performance.now();
  await world.sagemaker.send(
    new CreateTransformJobCommand({
      TransformJobName: 'bench-transform',
      ModelName: 'seed',
      TransformInput: {
        DataSource: { S3DataSource: { S3DataType: 'S3Prefix', S3Uri: 's3://bench/batch/reviews.csv' } },
        ContentType: 'text/csv',
        SplitType: 'Line',
      },
      TransformOutput: { S3OutputPath: 's3://bench/batch-out', Accept: 'text/csv', AssembleWith: 'Line' },
      TransformResources: { InstanceCount: 1, InstanceType: 'ml.m5.xlarge' },
      BatchStrategy: 'MultiRecord',
      MaxPayloadInMB: 6,
      MaxConcurrentTransforms: 2,
    }),
  );
  let described;
  do {
    await new Promise((resolve) => setTimeout(resolve, 50));
    described = await world.sagemaker.send(new DescribeTransformJobCommand({ TransformJobName: 'bench-transform' }));
  } while (!['Completed', 'Failed', 'Stopped'].includes(described.TransformJobStatus));
  const seconds = (performance.now() - started) / 1000;
  if (described.TransformJobStatus !== 'Completed') {
    throw new Error(`bench-transform ${described.TransformJobStatus}: ${described.FailureReason}`);
  }
  const output = (await world.server.objects.get('bench', 'batch-out/reviews.csv.out')).toString('utf8');
  const answers = output.split('\n').filter((line) => line.length > 0).length;
  if (answers !== RECORDS) throw new Error(`expected ${RECORDS} answer lines, got ${answers}`);
  const job = world.server.store.jobs.get('bench-transform');
  const log = await readFile(job.logFile, 'utf8');
  const runner = /transformed .* \(([0-9]+) records\/s\)/.exec(log)?.[1];
  const rate = RECORDS / seconds;
  process.stdout.write(
    [
      `${cpus().length} CPU(s), load average ${loadavg()[0].toFixed(1)}`,
      `CreateTransformJob → Completed: ${seconds.toFixed(1)} s, ${Math.round(rate)} records/s (model server start included)`,
      `the runner's own figure (model server start to the last answer, without the input download): ${runner ?? 'n/a'} records/s`,
      `target ≥ ${TARGET} records/s end to end: ${rate >= TARGET ? 'met' : 'NOT met'}`,
      '',
    ].join('\n'),
  );
} finally {
  await world.close();
}
