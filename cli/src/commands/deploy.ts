import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import {
  ValidationError,
  loadProjectConfig,
  parseJsonText,
  type Backend,
  type LoadedProjectConfig,
} from '@slipway/core';
import {
  deployStage,
  deployStatus,
  endpointTestRows,
  promote,
  promoteWaitingRun,
  cancelStaleWaitingRuns,
  stageTestOptions,
  testEndpoint,
  type DeployRun,
  type DeployRunStore,
  type DeployStageResult,
  type DeployStatus,
} from '@slipway/deploy-pipeline';
import {
  dataDirOption,
  endpointUrlOption,
  withBackend,
  withBackendOptions,
  type BackendFlags,
} from '../backend-options.js';
import type { CliContext } from '../context.js';
import { deployRunStore, dispatchToLocalWorkflow } from '../local-deploy.js';
import { printTable } from './format.js';
import { describeRun, printRun } from './deploy-run-output.js';
import { registerDeployHistory } from './deploy-history.js';
import { registerDeployRollback } from './deploy-rollback.js';
import { registerDeployWorkflow } from './deploy-workflow.js';

export interface DeployFlags extends BackendFlags {
  readonly timeoutMinutes?: string;
}

/** The backend options, and how long to wait for an endpoint. */
export function withDeployOptions(command: Command): Command {
  return withBackendOptions(command).option('--timeout-minutes <minutes>', 'how long to wait for the endpoint', '60');
}

/** Where a deploy command works: the project, the backend, and locally the deploy workflow's runs. */
export interface DeployTarget {
  readonly project: LoadedProjectConfig;
  readonly backend: Backend;
  /** Local only: the runs of the local deploy workflow. */
  readonly runs?: DeployRunStore;
  readonly timeoutSeconds: number;
  readonly log: (line: string) => void;
}

/**
 * Runs `work` against the backend the options chose (`openBackend`), with the local deploy workflow's runs
 * for the `--data-dir` server (a server started for the command keeps its endpoints in the data dir, and
 * they serve again when `slipway local up` starts).
 */
export async function withDeployTarget(
  context: CliContext,
  options: DeployFlags,
  work: (target: DeployTarget) => Promise<void>,
): Promise<void> {
  const project = loadProjectConfig({ cwd: context.cwd, env: context.env });
  const seconds = timeoutSeconds(options);
  await withBackend(context, options, async ({ backend }) =>
    work({
      project,
      backend,
      ...(backend.kind === 'local' ? { runs: deployRunStore(resolve(context.cwd, options.dataDir)) } : {}),
      timeoutSeconds: seconds,
      log: (line: string): void => context.output.line(line, 'dim'),
    }),
  );
}

function timeoutSeconds(options: DeployFlags): number {
  const minutes = Number(options.timeoutMinutes ?? '60');
  if (!Number.isInteger(minutes) || minutes < 1) {
    throw new ValidationError({
      where: '--timeout-minutes',
      field: '',
      problem: `must be a whole number of minutes, got ${JSON.stringify(options.timeoutMinutes)}`,
      fix: 'e.g. 60',
    });
  }
  return minutes * 60;
}

function printDeployment(context: CliContext, result: DeployStageResult): void {
  context.output.result(result, (value) => {
    context.output.line(value.message, value.changed ? 'good' : 'plain');
    context.output.line(`  endpoint: ${value.endpointName}${value.endpointArn ? ` (${value.endpointArn})` : ''}`);
  });
}

export function registerDeploy(program: Command, context: CliContext): void {
  const deploy = program
    .command('deploy')
    .description('deploy model package versions to stages, promote them, test their endpoints, show what is live');

  // The default subcommand, so that `slipway deploy <arn> --stage S` works while `promote` and `test`
  // keep their own options (commander lets a parent's option shadow a subcommand's of the same name).
  withDeployOptions(
    deploy
      .command('version', { isDefault: true })
      .description('deploy one exact, Approved version to a stage (idempotent: the same version again changes nothing)')
      .argument('<model-package-arn>', 'the version to deploy')
      .requiredOption('--stage <stage>', 'the stage to deploy to'),
  ).action((arn: string, options: DeployFlags & { stage: string }) =>
    withDeployTarget(context, options, async ({ runs, ...target }) => {
      // A person names the version: an older one may replace a newer one on purpose.
      const result = await deployStage({
        stage: options.stage,
        modelPackageArn: arn,
        allowDowngrade: true,
        deployedBy: `slipway deploy by ${context.env.USER ?? 'a person'}`,
        ...target,
      });
      if (runs && result.changed) {
        const cancelled = await cancelStaleWaitingRuns({ ...target, runs }, result);
        for (const run of cancelled) {
          context.output.line(
            `Deploy run #${run.number} no longer waits for promotion: ${run.jobs.at(-1)?.message}`,
            'dim',
          );
        }
      }
      printDeployment(context, result);
    }),
  );

  withDeployOptions(
    deploy
      .command('promote')
      .description(
        'open the production gate: deploy to prod the version that passed staging in the run waiting for promotion ' +
          '(locally), or exactly what the previous stage serves (--aws, --from/--to)',
      )
      .option('--from <stage>', "the stage whose version is promoted (default: the project's first stage)")
      .option('--to <stage>', 'the stage to deploy to (default: the stage after --from)'),
  ).action((options: DeployFlags & { from?: string; to?: string }) =>
    withDeployTarget(context, options, async ({ runs, ...target }) => {
      const explicit = options.from !== undefined || options.to !== undefined;
      const promoted = runs && !explicit ? await promoteWaitingRun({ ...target, runs }) : undefined;
      if (promoted) return printPromotedRun(context, promoted);
      if (runs && !explicit) {
        context.output.line('No deploy run waits for promotion: promoting what the first stage serves now.', 'dim');
      }
      const stages = { ...(options.from ? { from: options.from } : {}), ...(options.to ? { to: options.to } : {}) };
      printDeployment(context, await promote({ ...stages, ...target }));
    }),
  );

  withDeployOptions(
    deploy
      .command('test')
      .description("send the labelled sample reviews to a stage's endpoint and check accuracy and latency")
      .requiredOption('--stage <stage>', 'the stage whose endpoint to test')
      .option('--samples <file>', 'JSON Lines file of {"text", "label"} reviews'),
  ).action((options: DeployFlags & { stage: string; samples?: string }) =>
    withDeployTarget(context, options, async ({ project, backend, log }) => {
      const result = await testEndpoint(
        stageTestOptions({
          stage: options.stage,
          project,
          backend,
          log,
          ...(options.samples ? { samplesPath: resolve(context.cwd, options.samples) } : {}),
        }),
      );
      context.output.result(result, (value) => {
        for (const row of endpointTestRows(value)) context.output.line(row.join('  '));
        for (const failure of value.failures) context.output.line(failure, 'bad');
      });
      if (!result.passed) process.exitCode = 1;
    }),
  );

  withDeployOptions(
    deploy
      .command('status')
      .description("what each stage's endpoint serves, what waits for promotion, and the latest deploy runs"),
  ).action((options: DeployFlags) =>
    withDeployTarget(context, options, async ({ project, backend, runs }) => {
      const status = await deployStatus({ project, backend, ...(runs ? { runs } : {}) });
      context.output.result(status, (value) => printStatus(context, value));
    }),
  );

  registerDeployWorkflow(deploy, context);

  deploy
    .command('dispatch')
    .description(
      'run the deploy workflow for one repository_dispatch body (what the local event bus delivers on approval)',
    )
    .addOption(dataDirOption())
    .option('--input <file>', 'read the body from this file instead of stdin')
    .addOption(endpointUrlOption())
    .option('--auto-promote', 'deploy the later stages without waiting for `slipway deploy promote`')
    .action(async (options: { dataDir: string; input?: string; endpointUrl?: string; autoPromote?: boolean }) => {
      const where = options.input ?? 'stdin';
      const text = options.input ? await readFile(resolve(context.cwd, options.input), 'utf8') : await readStdin();
      const run = await dispatchToLocalWorkflow(parseJsonText(text, where, 'send a repository_dispatch body'), {
        project: loadProjectConfig({ cwd: context.cwd, env: context.env }),
        dataDir: resolve(context.cwd, options.dataDir),
        promotion: options.autoPromote ? 'auto' : 'manual',
        endpointUrl: options.endpointUrl,
        env: context.env,
      });
      context.output.result(run, (value) => printRun(context.output, value));
    });

  registerDeployHistory(deploy, context);
  registerDeployRollback(deploy, context);
}

function printPromotedRun(context: CliContext, run: DeployRun): void {
  const last = [...run.jobs].reverse().find((job) => job.deployment);
  context.output.result({ ...(last?.deployment ?? {}), run }, () => printRun(context.output, run));
  if (run.conclusion !== 'success') process.exitCode = 1;
}

function printStatus(context: CliContext, status: DeployStatus): void {
  const { output } = context;
  printTable(
    output,
    ['STAGE', 'ENDPOINT', 'STATUS', 'VERSION', 'MODEL PACKAGE'],
    status.stages.map((stage) => [
      stage.stage,
      stage.endpointName,
      stage.endpointStatus ?? '(none)',
      stage.version !== undefined ? `v${stage.version}` : '-',
      stage.modelPackageArn ?? '',
    ]),
  );
  output.line();
  if (status.waiting) {
    output.line(`Waiting for promotion: ${describeRun(status.waiting)}`, 'warn');
    output.line('  promote it: npx slipway deploy promote', 'dim');
  } else {
    output.line('Nothing waits for promotion.');
  }
  if (status.runs.length > 0) {
    output.line();
    output.line('Latest deploy runs:');
    for (const run of status.runs) output.line(`  ${describeRun(run)}`);
  }
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
