#!/usr/bin/env node
// A hyperparameter tuning job through the local server's API (issue 10: 4 training jobs of 2 s with
// MaxParallelTrainingJobs=2 in ≤ 5 s). Each training job is a real process that runs 2 s and prints its objective;
// the figure is CreateHyperParameterTuningJob → DescribeHyperParameterTuningJob Completed, as a client sees it.
//
// node bench/local-tuning.mjs      (npm run bench -- local-tuning builds first)
import { spawn } from 'node:child_process';
import { cpus, loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { createWriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import {
  CreateHyperParameterTuningJobCommand,
  DescribeHyperParameterTuningJobCommand,
  ListTrainingJobsForHyperParameterTuningJobCommand,
} from '@aws-sdk/client-sagemaker';
import { ROLE, startBenchServer } from './local-lib/harness.mjs';

const JOB_SECONDS = 2;
const TARGET_SECONDS = 5;

/** Runs a process for JOB_SECONDS, printing `score=<-(x-3)²>` into the job's log, and reports the metric. */
class TimedTrainingRunner {
  kind = 'Training';
  processMs = new Map();

  async run(spec) {
    const startTime = new Date();
    const x = Number(spec.request.HyperParameters.x);
    await mkdir(dirname(spec.logFile), { recursive: true });
    const log = createWriteStream(spec.logFile, { flags: 'a' });
    const started = performance.now();
    // A shell, not node: its own start-up is milliseconds, so the job takes its 2 s even on a loaded machine.
    const script = `sleep ${JOB_SECONDS}; echo score=${-((x - 3) ** 2)}`;
    const code = await new Promise((resolve, reject) => {
      const child = spawn('/bin/sh', ['-c', script], { stdio: ['ignore', 'pipe', 'inherit'] });
      child.stdout.pipe(log);
      spec.signal.addEventListener('abort', () => child.kill(), { once: true });
      child.on('error', reject);
      child.on('close', resolve);
    });
    const processMs = performance.now() - started;
    this.processMs.set(spec.jobName, processMs);
    const value = -((x - 3) ** 2);
    return code === 0
      ? {
          status: 'Completed',
          modelArtifactsS3Uri: `s3://bench/tuning/${spec.jobName}/output/model.tar.gz`,
          finalMetricDataList: [{ MetricName: 'score', Value: value, Timestamp: new Date() }],
          startTime,
          endTime: new Date(),
          processMs,
        }
      : { status: 'Failed', failureReason: `exit ${code}`, startTime, endTime: new Date(), processMs };
  }
}

const runner = new TimedTrainingRunner();
const bench = await startBenchServer({ Training: runner });
try {
  const runs = [];
  const overheads = [];
  for (let run = 0; run < 3; run += 1) {
    const name = `bench-tune-${run}`;
    const started = performance.now();
    await bench.sagemaker.send(
      new CreateHyperParameterTuningJobCommand({
        HyperParameterTuningJobName: name,
        HyperParameterTuningJobConfig: {
          Strategy: 'Random',
          HyperParameterTuningJobObjective: { Type: 'Maximize', MetricName: 'score' },
          ResourceLimits: { MaxNumberOfTrainingJobs: 4, MaxParallelTrainingJobs: 2 },
          ParameterRanges: { ContinuousParameterRanges: [{ Name: 'x', MinValue: '0', MaxValue: '6' }] },
        },
        TrainingJobDefinition: {
          AlgorithmSpecification: {
            TrainingImage: 'bench',
            TrainingInputMode: 'File',
            MetricDefinitions: [{ Name: 'score', Regex: 'score=(-?[0-9.]+)' }],
          },
          OutputDataConfig: { S3OutputPath: 's3://bench/tuning' },
          ResourceConfig: { InstanceCount: 1, InstanceType: 'ml.m5.large', VolumeSizeInGB: 30 },
          RoleArn: ROLE,
          StoppingCondition: { MaxRuntimeInSeconds: 600 },
        },
      }),
    );
    let described;
    do {
      await new Promise((resolve) => setTimeout(resolve, 20));
      described = await bench.sagemaker.send(
        new DescribeHyperParameterTuningJobCommand({ HyperParameterTuningJobName: name }),
      );
    } while (!['Completed', 'Failed', 'Stopped'].includes(described.HyperParameterTuningJobStatus));
    const seconds = (performance.now() - started) / 1000;
    if (described.HyperParameterTuningJobStatus !== 'Completed') {
      throw new Error(`${name} ${described.HyperParameterTuningJobStatus}: ${described.FailureReason}`);
    }
    runs.push(seconds);
    // Where the time went: each training job's span from the tuning job's creation, and its process time.
    const children = await bench.sagemaker.send(
      new ListTrainingJobsForHyperParameterTuningJobCommand({
        HyperParameterTuningJobName: name,
        SortBy: 'CreationTime',
        SortOrder: 'Ascending',
      }),
    );
    const t0 = described.CreationTime.getTime();
    const spans = children.TrainingJobSummaries.map(
      (job) =>
        `${((job.CreationTime.getTime() - t0) / 1000).toFixed(2)}–${((job.TrainingEndTime.getTime() - t0) / 1000).toFixed(2)} s ` +
        `(process ${(runner.processMs.get(job.TrainingJobName) / 1000).toFixed(2)} s)`,
    );
    const processes = children.TrainingJobSummaries.map((job) => runner.processMs.get(job.TrainingJobName) / 1000);
    // Two waves of two: what the processes alone needed; the rest is the server's (API, tuner, job service).
    const processSeconds = Math.max(processes[0], processes[1]) + Math.max(processes[2], processes[3]);
    overheads.push(seconds - processSeconds);
    process.stdout.write(
      `  training jobs: ${spans.join(', ')}; not in a process: ${(seconds - processSeconds).toFixed(2)} s\n`,
    );
    process.stdout.write(
      `run ${run + 1}: ${seconds.toFixed(2)} s, ${described.TrainingJobStatusCounters.Completed} training jobs, ` +
        `best ${described.BestTrainingJob.TrainingJobName} (score ${described.BestTrainingJob.FinalHyperParameterTuningJobObjectiveMetric.Value.toFixed(3)})\n`,
    );
  }
  const worst = Math.max(...runs);
  process.stdout.write(
    `4 training jobs of ${JOB_SECONDS} s, 2 at a time (ideal ${2 * JOB_SECONDS} s): median ` +
      `${runs.sort((a, b) => a - b)[1].toFixed(2)} s, worst ${worst.toFixed(2)} s; target ≤ ${TARGET_SECONDS} s: ` +
      `${worst <= TARGET_SECONDS ? 'met' : 'NOT met'}; time not in a training process: median ` +
      `${overheads.sort((a, b) => a - b)[1].toFixed(2)} s; load average ${loadavg()[0].toFixed(1)} on ${cpus().length} CPU(s)\n`,
  );
} finally {
  await bench.close();
}
