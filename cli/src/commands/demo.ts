import { randomUUID } from 'node:crypto';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { LOCAL_POLL_SCHEDULE, compilePipelineForRun, runPipeline, settleRun } from '@slipway/build-pipeline';
import {
  PROJECT_MODELS,
  ValidationError,
  isProjectModel,
  loadProjectConfig,
  type LoadedProjectConfig,
} from '@slipway/core';
import type { StageStatus } from '@slipway/deploy-pipeline';
import { dataDirOption } from '../backend-options.js';
import type { CliContext } from '../context.js';
import { connectLocal, localBackend } from '../local-connection.js';
import { approvalRouteRules, deployRunStore, dispatchHandlerTarget } from '../local-deploy.js';
import { DEFAULT_RETRAIN_PERIOD_HOURS, driftRouteRule, retrainHandlerTarget } from '../local-monitoring.js';
import { prepareLocalRuntimes } from '../local-runtimes.js';
import { LOCAL_EXECUTION_ROLE, clientsFor, runPipelineProject } from '../project-run.js';
import { RunProgress } from '../run-progress.js';
import { cliSourceContext } from '../source-revision.js';
import { required, type DemoContext, type DemoStage } from './demo-context.js';
import { deployStages, readEndpoints } from './demo-loop.js';
import { driftStage } from './demo-drift.js';
import { demoSummary, printDemoSummary } from './demo-summary.js';

export interface StageOutcome {
  readonly name: string;
  readonly title: string;
  readonly ok: boolean;
  /** How long the stage took; for a deploy job the demo watched, the job's own duration from the run. */
  readonly ms: number;
  /** Why a stage had nothing to do. */
  readonly skipped?: string;
  readonly error?: string;
}

const compileStage: DemoStage = {
  name: 'compile',
  title: 'Compile the pipeline (build-pipeline/pipeline.ts → definition JSON)',
  async run(context) {
    context.compiled = await compilePipelineForRun({
      cwd: context.cli.cwd,
      env: context.cli.env,
      config: context.config,
      roleArn: LOCAL_EXECUTION_ROLE,
    });
    context.facts['compile'] = {
      pipelineName: context.compiled.pipelineName,
      steps: context.compiled.definition.Steps.length,
      assets: context.compiled.assets.length,
    };
  },
};

const runtimeStage: DemoStage = {
  name: 'runtimes',
  title: 'Prepare the local Python runtimes for the pipeline images (built once, then cached)',
  async run(context) {
    context.facts['runtimes'] = await prepareLocalRuntimes(
      required(context.compiled, 'compile').definition,
      context.cli.output,
    );
  },
};

const serverStage: DemoStage = {
  name: 'server',
  title: 'Start the local SageMaker',
  async run(context) {
    context.connection = await connectLocal({
      cwd: context.cli.cwd,
      dataDir: context.dataDir,
      output: context.cli.output,
      region: context.config.region,
      // An in-process server gets the approval route with the deploy workflow as an in-process handler.
      rules: (dataDir) => [
        ...approvalRouteRules(
          context.config,
          // The workflow's own lines go to the run's log; the stages below report each job as it ends.
          dispatchHandlerTarget({ project: context.config, dataDir, promotion: context.promotion }),
        ),
        // The drift route, with the retrain as an in-process handler (`--drift` sends it an event).
        driftRouteRule(
          context.config,
          retrainHandlerTarget({
            dataDir,
            cwd: context.config.rootDir,
            periodHours: DEFAULT_RETRAIN_PERIOD_HOURS,
            log: (line) => context.cli.output.line(`  ${line}`, 'dim'),
          }),
        ),
      ],
    });
    context.clients = clientsFor(localBackend(context.connection, context.config.region));
    context.facts['server'] = {
      url: context.connection.url,
      dataDir: context.dataDir,
      inProcess: context.connection.inProcess,
    };
    context.cli.output.line(
      `${context.connection.inProcess ? 'Started' : 'Using'} the local server at ${context.connection.url} (data in ${context.dataDir})`,
      'dim',
    );
  },
};

const pipelineStage: DemoStage = {
  name: 'pipeline',
  title: 'Run the pipeline: upload, upsert, start, follow; register the model',
  async run(context) {
    const compiled = required(context.compiled, 'compile');
    const clients = required(context.clients, 'server');
    const progress = new RunProgress(context.cli.output);
    const settled = await settleRun(
      runPipeline(
        {
          compile: async () => compiled,
          region: context.config.region,
          source: cliSourceContext(context.cli.cwd, context.cli.env, context.config.githubRepository),
          project: runPipelineProject(context.config),
          wait: true,
          timeoutMs: 30 * 60_000,
          compareWithApproved: false,
          // Every CLI run is a new execution; only the GitHub action ties its start to the CI run.
          clientRequestToken: `slipway-cli-${randomUUID()}`,
          schedule: LOCAL_POLL_SCHEDULE,
          createMissingBucket: true,
        },
        { sagemaker: clients.sagemaker, s3: clients.s3, onEvent: progress.handle },
      ),
    ).finally(() => progress.stop());
    context.run = settled.result;
    if (settled.failure) throw settled.failure;
    if (context.run.modelApprovalStatus !== 'PendingManualApproval') {
      throw new Error(
        `the run registered no PendingManualApproval model package (got ${context.run.modelPackageArn ?? 'none'})`,
      );
    }
  },
};

/**
 * The demo, stage by stage, for the project's deploy stages: build the model, then the deployment half of the
 * loop; each stage finds what it needs on the context.
 */
export function demoStages(deployTo: readonly string[]): DemoStage[] {
  return [compileStage, runtimeStage, serverStage, pipelineStage, ...deployStages(deployTo)];
}

export interface DemoOutcome {
  readonly outcomes: StageOutcome[];
  readonly ok: boolean;
  readonly ms: number;
  /** What each stage's endpoint served at the end. */
  readonly endpoints: readonly StageStatus[];
}

/** Runs the stages in order, stopping at the first failure; always releases the server and clients. */
export async function runDemo(
  context: DemoContext,
  stages: readonly DemoStage[] = demoStages(context.config.stages),
): Promise<DemoOutcome> {
  const output = context.cli.output;
  const outcomes: StageOutcome[] = [];
  const started = Date.now();
  let endpoints: readonly StageStatus[] = [];
  try {
    for (const [index, stage] of stages.entries()) {
      output.line(`[${index + 1}/${stages.length}] ${stage.title}`, 'bold');
      const stageStarted = Date.now();
      try {
        const report = await stage.run(context);
        outcomes.push({
          name: stage.name,
          title: stage.title,
          ok: true,
          ms: report?.workMs ?? Date.now() - stageStarted,
          ...(report?.skipped ? { skipped: report.skipped } : {}),
        });
        if (report?.skipped) output.line(`  skipped: ${report.skipped}`, 'dim');
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        outcomes.push({
          name: stage.name,
          title: stage.title,
          ok: false,
          ms: Date.now() - stageStarted,
          error: message,
        });
        output.error(`${stage.name}: ${message}`);
        break;
      }
    }
  } finally {
    // What each stage serves, read while the server still runs (an in-process one stops with the demo).
    endpoints = await readEndpoints(context).catch((error: unknown) => {
      output.warn(`could not read the endpoints: ${error instanceof Error ? error.message : String(error)}`);
      return [];
    });
    context.clients?.destroy();
    await context.connection?.close();
  }
  return {
    outcomes,
    ok: outcomes.length === stages.length && outcomes.every((outcome) => outcome.ok),
    ms: Date.now() - started,
    endpoints,
  };
}

/** The project's config with `--model` in place of its own model, for one run. */
export function withModel(config: LoadedProjectConfig, model: string | undefined): LoadedProjectConfig {
  if (model === undefined) return config;
  if (!isProjectModel(model)) {
    throw new ValidationError({
      where: '--model',
      field: '',
      problem: `must be one of ${Object.keys(PROJECT_MODELS).join(', ')}, got ${JSON.stringify(model)}`,
      fix: 'e.g. npm run demo -- --model bert',
    });
  }
  return Object.freeze({ ...config, model });
}

/** `slipway demo` (`npm run demo`): the whole local loop on a fresh clone, no AWS account needed. */
export function registerDemo(program: Command, context: CliContext): void {
  program
    .command('demo')
    .description(
      'run the whole loop on the local SageMaker: pipeline → registry → approval → staging → tests → prod → predictions',
    )
    .addOption(dataDirOption())
    .option('--manual-promote', 'stop at the production gate and print the command that promotes to prod')
    .option(
      '--model <model>',
      `the model to train for this run, instead of slipway.config.json's (${Object.keys(PROJECT_MODELS).join(' | ')}); the config is not changed`,
    )
    .option('--drift', 'then send normal and shifted reviews to prod: the drift check fires and retrains')
    .action(async (options: { dataDir: string; manualPromote?: boolean; model?: string; drift?: boolean }) => {
      const dataDir = resolve(context.cwd, options.dataDir);
      const demo: DemoContext = {
        cli: context,
        config: withModel(loadProjectConfig({ cwd: context.cwd, env: context.env }), options.model),
        dataDir,
        promotion: options.manualPromote ? 'manual' : 'auto',
        runs: deployRunStore(dataDir),
        facts: {},
      };
      const stages = demoStages(demo.config.stages);
      const { outcomes, ok, ms, endpoints } = await runDemo(demo, options.drift ? [...stages, driftStage] : stages);
      const summary = demoSummary(demo, { outcomes, ok, ms, endpoints });
      context.output.result(summary, () => printDemoSummary(context.output, demo, summary));
      if (!ok) process.exitCode = 1;
    });
}
