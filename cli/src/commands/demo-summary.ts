import { formatDuration, formatMetric } from '@slipway/build-pipeline';
import { PROJECT_MODELS, type ProjectModel } from '@slipway/core';
import type { StageStatus } from '@slipway/deploy-pipeline';
import type { Output } from '../output.js';
import { printSteps, runAccuracy, runJson, stepJson } from '../run-outcome.js';
import type { DemoOutcome, StageOutcome } from './demo.js';
import type { DemoContext } from './demo-context.js';
import type { Prediction, ReusedDeployment } from './demo-loop.js';

/** What `slipway demo --json` prints: every figure of the human summary, as data. */
export interface DemoSummary {
  readonly ok: boolean;
  readonly wallMs: number;
  /** The stage that failed, when one did. */
  readonly failedStage?: string;
  readonly stages: readonly StageOutcome[];
  /** The model the pipeline trained (slipway.config.json's, or --model's). */
  readonly model: ProjectModel;
  readonly promotion: 'auto' | 'manual';
  readonly accuracy?: number;
  readonly cacheHits?: number;
  readonly modelPackageArn?: string;
  readonly modelApprovalStatus?: string;
  readonly reused?: ReusedDeployment;
  readonly deployRun?: {
    readonly number: number;
    readonly status: string;
    readonly conclusion?: string;
    readonly logFile: string;
    readonly jobs: readonly { name: string; status: string; conclusion?: string; message?: string }[];
  };
  /** Set when prod waits at the gate (`--manual-promote`). */
  readonly promoteCommand?: string;
  readonly endpoints: readonly StageStatus[];
  readonly predictions: readonly Prediction[];
  /** The pipeline run (steps with durations and cache hits, evaluation, parameters). */
  readonly run?: Record<string, unknown>;
  readonly facts: Record<string, unknown>;
}

export function demoSummary(demo: DemoContext, outcome: DemoOutcome): DemoSummary {
  const run = demo.run;
  const accuracy = run ? runAccuracy(run) : undefined;
  const failed = outcome.outcomes.find((stage) => !stage.ok);
  const deployRun = demo.deployRun;
  return {
    ok: outcome.ok,
    wallMs: outcome.ms,
    ...(failed ? { failedStage: failed.name } : {}),
    stages: outcome.outcomes,
    model: demo.config.model,
    promotion: demo.promotion,
    ...(accuracy !== undefined ? { accuracy } : {}),
    ...(run ? { cacheHits: run.steps.map(stepJson).filter((step) => step.cacheHit).length } : {}),
    ...(run?.modelPackageArn
      ? {
          modelPackageArn: run.modelPackageArn,
          modelApprovalStatus: demo.approvedArn === run.modelPackageArn ? 'Approved' : run.modelApprovalStatus,
        }
      : {}),
    ...(demo.reused ? { reused: demo.reused } : {}),
    ...(deployRun
      ? {
          deployRun: {
            number: deployRun.number,
            status: deployRun.status,
            ...(deployRun.conclusion ? { conclusion: deployRun.conclusion } : {}),
            logFile: demo.runs.logFile(deployRun.number),
            jobs: deployRun.jobs.map((job) => ({
              name: job.name,
              status: job.status,
              ...(job.conclusion ? { conclusion: job.conclusion } : {}),
              ...(job.message ? { message: job.message } : {}),
            })),
          },
        }
      : {}),
    ...(demo.waitingForPromotion ? { promoteCommand: `npx slipway deploy promote --data-dir ${demo.dataDir}` } : {}),
    endpoints: outcome.endpoints,
    predictions: demo.predictions ?? [],
    ...(run ? { run: runJson(run) } : {}),
    facts: demo.facts,
  };
}

export function printDemoSummary(output: Output, demo: DemoContext, summary: DemoSummary): void {
  output.line();
  output.line(
    `Demo ${summary.ok ? 'finished' : `stopped at ${summary.failedStage ?? 'a stage'}`} in ${(summary.wallMs / 1000).toFixed(1)} s`,
    summary.ok ? 'good' : 'bad',
  );
  const width = Math.max(...summary.stages.map((stage) => stage.name.length));
  for (const stage of summary.stages) {
    const mark = !stage.ok ? '✗' : stage.skipped ? '-' : '✓';
    const note = stage.error ?? (stage.skipped ? `skipped: ${stage.skipped}` : '');
    output.line(
      `  ${mark} ${stage.name.padEnd(width)} ${(stage.ms / 1000).toFixed(1).padStart(5)} s  ${note}`.trimEnd(),
      stage.ok ? 'plain' : 'bad',
    );
  }
  if (demo.run) {
    output.line();
    output.line(`Pipeline steps (${summary.cacheHits ?? 0} cache hits):`);
    printSteps(output, demo.run.steps);
    const elapsed =
      demo.run.startedAt && demo.run.endedAt
        ? ` in ${formatDuration(demo.run.endedAt.getTime() - demo.run.startedAt.getTime())}`
        : '';
    output.line(`  ${demo.run.status}${elapsed}: ${demo.run.executionArn}`, 'dim');
  }
  output.line();
  output.line(`Model          ${summary.model}: ${PROJECT_MODELS[summary.model]}`);
  if (summary.accuracy !== undefined) output.line(`Accuracy       ${formatMetric(summary.accuracy)}`);
  if (summary.modelPackageArn) {
    output.line(`Model package  ${summary.modelPackageArn} (${summary.modelApprovalStatus ?? 'registered'})`, 'bold');
  }
  if (summary.reused) output.line(`               ${summary.reused.reason}`, 'dim');
  if (summary.deployRun) {
    const { number, status, conclusion, logFile } = summary.deployRun;
    output.line(`Deploy run     #${number}: ${conclusion ? `${status}, ${conclusion}` : status} (log: ${logFile})`);
  }
  if (summary.endpoints.length > 0) {
    output.line('Endpoints');
    for (const endpoint of summary.endpoints) {
      const serving = endpoint.version !== undefined ? `v${endpoint.version}` : 'no model package';
      output.line(
        `  ${endpoint.stage.padEnd(8)} ${endpoint.endpointName.padEnd(22)} ${(endpoint.endpointStatus ?? 'not deployed').padEnd(10)} ${endpoint.endpointStatus ? serving : ''}`.trimEnd(),
      );
    }
  }
  if (summary.promoteCommand) output.line(`Promote to prod: ${summary.promoteCommand}`, 'warn');
  if (demo.connection?.inProcess && summary.endpoints.some((endpoint) => endpoint.endpointStatus)) {
    output.line();
    output.line(
      'The demo’s server stopped with it; `npx slipway local up` serves these endpoints again ' +
        '(then: npx slipway endpoints invoke sentiment-prod --text "…").',
      'dim',
    );
  }
}
