import type { DeployJob, DeployRun } from '@slipway/deploy-pipeline';
import type { Output, Tone } from '../output.js';

/** One line: `#3 model-package-approved v7: completed, success (resolve ✓ staging ✓ test ✓ prod ✓)`. */
export function describeRun(run: DeployRun): string {
  const version = run.modelPackageArn ? ` v${run.modelPackageArn.split('/').at(-1)}` : '';
  const state = run.conclusion ? `${run.status}, ${run.conclusion}` : run.status;
  const jobs = run.jobs.map((job) => `${job.name} ${jobMark(job)}`).join(' ');
  return `#${run.number} ${run.dispatch.event_type}${version}: ${state} (${jobs})`;
}

/** The run and each job with its one-line message. */
export function printRun(output: Output, run: DeployRun): void {
  output.line(`Deploy run ${describeRun(run)}`, runTone(run));
  for (const job of run.jobs) {
    output.line(
      `  ${jobMark(job)} ${job.name.padEnd(8)} ${job.message ?? job.status}`,
      job.conclusion === 'failure' ? 'bad' : 'plain',
    );
  }
}

function jobMark(job: DeployJob): string {
  if (job.status === 'waiting') return '⏸';
  if (job.status !== 'completed') return '…';
  return job.conclusion === 'success' ? '✓' : job.conclusion === 'failure' ? '✗' : '-';
}

function runTone(run: DeployRun): Tone {
  if (run.status === 'waiting') return 'warn';
  return run.conclusion === 'success' ? 'good' : run.conclusion === 'failure' ? 'bad' : 'plain';
}
