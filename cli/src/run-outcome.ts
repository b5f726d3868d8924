import {
  ACCURACY_PATH,
  formatDuration,
  formatMetric,
  stepDuration,
  valueAtPath,
  type RunPipelineResult,
  type StepRecord,
} from '@slipway/build-pipeline';
import type { Output } from './output.js';

/** A step as `--json` prints it. */
export interface StepJson {
  readonly name: string;
  readonly status: string;
  readonly durationMs?: number;
  readonly cacheHit: boolean;
  readonly cacheSourceExecutionArn?: string;
  readonly failureReason?: string;
  readonly attempts?: number;
}

export function stepJson(step: StepRecord): StepJson {
  const duration = stepDuration(step);
  return {
    name: step.name,
    status: step.status,
    ...(duration !== undefined ? { durationMs: duration } : {}),
    cacheHit: step.cacheHitSource !== undefined,
    ...(step.cacheHitSource ? { cacheSourceExecutionArn: step.cacheHitSource } : {}),
    ...(step.failureReason ? { failureReason: step.failureReason } : {}),
    ...(step.attemptCount !== undefined ? { attempts: step.attemptCount } : {}),
  };
}

/** The accuracy the run's evaluation report records, when there is one. */
export function runAccuracy(result: RunPipelineResult): number | undefined {
  for (const report of result.evaluation) {
    const value = Number(valueAtPath(report.document, ACCURACY_PATH));
    if (Number.isFinite(value)) return value;
  }
  return undefined;
}

/** What `pipeline run --json` (and the demo) print for a run. */
export function runJson(result: RunPipelineResult): Record<string, unknown> {
  const accuracy = runAccuracy(result);
  return {
    pipelineName: result.pipelineName,
    pipelineArn: result.pipelineArn,
    executionArn: result.executionArn,
    status: result.status,
    ...(result.failureReason ? { failureReason: result.failureReason } : {}),
    followed: result.followed,
    timedOut: result.timedOut,
    ...(result.startedAt && result.endedAt
      ? { durationMs: result.endedAt.getTime() - result.startedAt.getTime() }
      : {}),
    steps: result.steps.map(stepJson),
    ...(accuracy !== undefined ? { accuracy } : {}),
    evaluation: result.evaluation,
    ...(result.qualityBar ? { qualityBar: result.qualityBar } : {}),
    ...(result.modelPackageArn ? { modelPackageArn: result.modelPackageArn } : {}),
    ...(result.modelApprovalStatus ? { modelApprovalStatus: result.modelApprovalStatus } : {}),
    parameters: result.parameters,
  };
}

/** The few lines a person wants after a run: outcome, accuracy, the model package and how to approve it. */
export function printRunOutcome(output: Output, result: RunPipelineResult): void {
  const elapsed =
    result.startedAt && result.endedAt
      ? ` in ${formatDuration(result.endedAt.getTime() - result.startedAt.getTime())}`
      : '';
  const tone = result.status === 'Succeeded' ? 'good' : result.status === 'Executing' ? 'plain' : 'bad';
  output.line(`${result.status}${elapsed}: ${result.executionArn}`, tone);
  if (!result.followed) output.line(`  follow it: npx slipway pipeline status ${result.executionArn}`, 'dim');
  const cached = result.steps.filter((step) => step.cacheHitSource).length;
  if (result.steps.length > 0) {
    output.line(`  ${result.steps.length} steps, ${cached} cache hits`, 'dim');
  }
  const accuracy = runAccuracy(result);
  if (accuracy !== undefined) {
    const bar = result.qualityBar ? ` (MinAccuracy ${formatMetric(result.qualityBar.effective)})` : '';
    output.line(`  accuracy ${formatMetric(accuracy)}${bar}`);
  }
  if (result.modelPackageArn) {
    output.line(`  model package ${result.modelPackageArn} (${result.modelApprovalStatus ?? 'registered'})`, 'bold');
    if (result.modelApprovalStatus === 'PendingManualApproval') {
      output.line(`  approve it: npx slipway registry approve ${result.modelPackageArn}`, 'dim');
    }
  }
  if (result.failureReason) output.line(`  ${result.failureReason}`, 'bad');
  const failed = result.steps.filter((step) => step.status === 'Failed');
  for (const step of failed) {
    output.line(
      `  logs of ${step.name}: npx slipway pipeline logs ${step.name} --execution ${result.executionArn}`,
      'dim',
    );
  }
}

/** Steps one per line: icon, name, status, duration, cache hit, failure reason. */
export function printSteps(output: Output, steps: readonly StepRecord[]): void {
  const width = Math.max(4, ...steps.map((step) => step.name.length));
  for (const step of steps) {
    const duration = stepDuration(step);
    const tone = step.status === 'Succeeded' ? 'good' : step.status === 'Failed' ? 'bad' : 'plain';
    const details = [
      duration !== undefined ? formatDuration(duration) : '',
      step.cacheHitSource ? 'cache hit' : '',
      step.failureReason ?? '',
    ].filter((part) => part.length > 0);
    output.line(`  ${step.name.padEnd(width)}  ${output.paint(step.status.padEnd(9), tone)}  ${details.join(' · ')}`);
  }
}
