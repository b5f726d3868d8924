import { randomUUID } from 'node:crypto';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import {
  LOCAL_POLL_SCHEDULE,
  compilePipelineForRun,
  runPipeline,
  settleRun,
  type CompiledPipeline,
  type RunPipelineResult,
} from '@slipway/build-pipeline';
import { loadProjectConfig, type LoadedProjectConfig } from '@slipway/core';
import { DEFAULT_DATA_DIR } from '@slipway/local';
import type { CliContext } from '../context.js';
import { connectLocal, type LocalConnection } from '../local-connection.js';
import { prepareLocalRuntimes } from '../local-runtimes.js';
import { LOCAL_EXECUTION_ROLE, clientsFor, type SageMakerClients } from '../project-run.js';
import { printRunOutcome, printSteps, runJson } from '../run-outcome.js';
import { RunProgress } from '../run-progress.js';
import { cliSourceContext } from '../source-revision.js';

/** What the demo's stages share: each stage reads what earlier ones left and adds its own. */
export interface DemoContext {
  readonly cli: CliContext;
  readonly config: LoadedProjectConfig;
  readonly dataDir: string;
  compiled?: CompiledPipeline;
  connection?: LocalConnection;
  clients?: SageMakerClients;
  run?: RunPipelineResult;
  /** Anything a stage wants in the final summary and in --json, under its own name. */
  readonly facts: Record<string, unknown>;
}

/** One stage of the demo: a name for --json, a title for people, and the work. */
export interface DemoStage {
  readonly name: string;
  readonly title: string;
  run(context: DemoContext): Promise<void>;
}

interface StageOutcome {
  readonly name: string;
  readonly title: string;
  readonly ok: boolean;
  readonly ms: number;
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
    });
    context.clients = clientsFor({ kind: 'local', region: context.config.region, endpoint: context.connection.url });
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
          project: { name: context.config.projectName, id: context.config.projectId },
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
 * The demo, stage by stage. Later stages (approve → staging → test → prod → predictions) append here; each
 * finds what it needs on the context.
 */
export const DEMO_STAGES: readonly DemoStage[] = [compileStage, runtimeStage, serverStage, pipelineStage];

function required<T>(value: T | undefined, stage: string): T {
  if (value === undefined) throw new Error(`the ${stage} stage did not run`);
  return value;
}

/** Runs the stages in order, stopping at the first failure; always releases the server and clients. */
export async function runDemo(
  context: DemoContext,
  stages: readonly DemoStage[] = DEMO_STAGES,
): Promise<{ outcomes: StageOutcome[]; ok: boolean; ms: number }> {
  const output = context.cli.output;
  const outcomes: StageOutcome[] = [];
  const started = Date.now();
  try {
    for (const [index, stage] of stages.entries()) {
      output.line(`[${index + 1}/${stages.length}] ${stage.title}`, 'bold');
      const stageStarted = Date.now();
      try {
        await stage.run(context);
        outcomes.push({ name: stage.name, title: stage.title, ok: true, ms: Date.now() - stageStarted });
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
    context.clients?.destroy();
    await context.connection?.close();
  }
  return {
    outcomes,
    ok: outcomes.length === stages.length && outcomes.every((outcome) => outcome.ok),
    ms: Date.now() - started,
  };
}

/** `slipway demo` (`npm run demo`): the whole local loop on a fresh clone, no AWS account needed. */
export function registerDemo(program: Command, context: CliContext): void {
  program
    .command('demo')
    .description('run the loop on the local SageMaker: compile, run the pipeline, register a model for approval')
    .option('--data-dir <dir>', 'where the local server keeps its data', DEFAULT_DATA_DIR)
    .action(async (options: { dataDir: string }) => {
      const demo: DemoContext = {
        cli: context,
        config: loadProjectConfig({ cwd: context.cwd, env: context.env }),
        dataDir: resolve(context.cwd, options.dataDir),
        facts: {},
      };
      const { outcomes, ok, ms } = await runDemo(demo);
      context.output.result(
        { ok, wallMs: ms, stages: outcomes, facts: demo.facts, ...(demo.run ? { run: runJson(demo.run) } : {}) },
        () => {
          context.output.line();
          context.output.line(
            `Demo ${ok ? 'finished' : 'stopped'} in ${(ms / 1000).toFixed(1)} s`,
            ok ? 'good' : 'bad',
          );
          for (const outcome of outcomes) {
            context.output.line(
              `  ${outcome.ok ? '✓' : '✗'} ${outcome.name.padEnd(9)} ${(outcome.ms / 1000).toFixed(1).padStart(5)} s`,
              outcome.ok ? 'plain' : 'bad',
            );
          }
          if (demo.run) {
            context.output.line();
            printSteps(context.output, demo.run.steps);
            printRunOutcome(context.output, demo.run);
          }
        },
      );
      if (!ok) process.exitCode = 1;
    });
}
