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
  chooseBackend,
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
import { DEFAULT_DATA_DIR } from '@slipway/local';
import type { CliContext } from '../context.js';
import { connectLocal, endpointCredentials, localBackend } from '../local-connection.js';
import { deployRunStore, dispatchToLocalWorkflow } from '../local-deploy.js';
import { printTable } from './format.js';
import { describeRun, printRun } from './deploy-run-output.js';
import { registerDeployHistory } from './deploy-history.js';
import { registerDeployRollback } from './deploy-rollback.js';

/** The environment variable that names the local server's URL when --endpoint-url is not given. */
export const LOCAL_URL_ENV = 'SLIPWAY_ENDPOINT_URL';

export interface BackendOptions {
  local?: boolean;
  aws?: boolean;
  endpointUrl?: string;
  dataDir: string;
  timeoutMinutes?: string;
}

export function withBackendOptions(command: Command): Command {
  return command
    .option('--local', 'deploy through the SageMaker API of the local server (the default)')
    .option('--aws', 'deploy to AWS with the CDK, using your AWS credentials')
    .option('--data-dir <dir>', 'the local server’s data dir (its server.json says where it runs)', DEFAULT_DATA_DIR)
    .option('--endpoint-url <url>', `the SageMaker API to use instead (default: $${LOCAL_URL_ENV})`)
    .option('--timeout-minutes <minutes>', 'how long to wait for the endpoint', '60');
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
 * Runs `work` against the chosen backend: `--aws`; `--endpoint-url` (or $SLIPWAY_ENDPOINT_URL); else the
 * local server of `--data-dir`, or, when none runs, one started for this command (its endpoints are kept and
 * serve again when `slipway local up` starts).
 */
export async function withDeployTarget(
  context: CliContext,
  options: BackendOptions,
  work: (target: DeployTarget) => Promise<void>,
): Promise<void> {
  if (options.local && options.aws) {
    throw new ValidationError({
      where: '--local/--aws',
      field: '',
      problem: 'were both given',
      fix: 'choose one backend',
    });
  }
  const project = loadProjectConfig({ cwd: context.cwd, env: context.env });
  const common = {
    project,
    timeoutSeconds: timeoutSeconds(options),
    log: (line: string): void => context.output.line(line, 'dim'),
  };
  if (options.aws) return work({ ...common, backend: { kind: 'aws', region: project.region } });
  const dataDir = resolve(context.cwd, options.dataDir);
  const runs = deployRunStore(dataDir);
  const url = options.endpointUrl ?? context.env[LOCAL_URL_ENV];
  if (url !== undefined) {
    const chosen = chooseBackend(
      { kind: 'local', endpointUrl: url, region: project.region },
      { kind: '--aws', endpointUrl: `--endpoint-url (or ${LOCAL_URL_ENV})` },
    );
    const credentials = await endpointCredentials(url, dataDir, context.env);
    const backend = chosen.kind === 'local' && credentials ? { ...chosen, credentials } : chosen;
    return work({ ...common, backend, runs });
  }
  const connection = await connectLocal({ cwd: context.cwd, dataDir, output: context.output, region: project.region });
  try {
    if (connection.inProcess) {
      context.output.line(
        `No local server runs for ${dataDir}: started one for this command at ${connection.url}`,
        'dim',
      );
    }
    await work({ ...common, backend: localBackend(connection, project.region), runs });
  } finally {
    await connection.close();
  }
}

function timeoutSeconds(options: BackendOptions): number {
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
  withBackendOptions(
    deploy
      .command('version', { isDefault: true })
      .description('deploy one exact, Approved version to a stage (idempotent: the same version again changes nothing)')
      .argument('<model-package-arn>', 'the version to deploy')
      .requiredOption('--stage <stage>', 'the stage to deploy to'),
  ).action((arn: string, options: BackendOptions & { stage: string }) =>
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

  withBackendOptions(
    deploy
      .command('promote')
      .description(
        'open the production gate: deploy to prod the version that passed staging in the run waiting for promotion ' +
          '(locally), or exactly what the previous stage serves (--aws, --from/--to)',
      )
      .option('--from <stage>', "the stage whose version is promoted (default: the project's first stage)")
      .option('--to <stage>', 'the stage to deploy to (default: the stage after --from)'),
  ).action((options: BackendOptions & { from?: string; to?: string }) =>
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

  withBackendOptions(
    deploy
      .command('test')
      .description("send the labelled sample reviews to a stage's endpoint and check accuracy and latency")
      .requiredOption('--stage <stage>', 'the stage whose endpoint to test')
      .option('--samples <file>', 'JSON Lines file of {"text", "label"} reviews'),
  ).action((options: BackendOptions & { stage: string; samples?: string }) =>
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

  withBackendOptions(
    deploy
      .command('status')
      .description("what each stage's endpoint serves, what waits for promotion, and the latest deploy runs"),
  ).action((options: BackendOptions) =>
    withDeployTarget(context, options, async ({ project, backend, runs }) => {
      const status = await deployStatus({ project, backend, ...(runs ? { runs } : {}) });
      context.output.result(status, (value) => printStatus(context, value));
    }),
  );

  deploy
    .command('dispatch')
    .description(
      'run the deploy workflow for one repository_dispatch body (what the local event bus delivers on approval)',
    )
    .option('--data-dir <dir>', 'the local server’s data dir', DEFAULT_DATA_DIR)
    .option('--input <file>', 'read the body from this file instead of stdin')
    .option('--endpoint-url <url>', 'the SageMaker API to deploy through (default: the server of --data-dir)')
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
