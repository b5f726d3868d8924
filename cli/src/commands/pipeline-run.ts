import { randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { ValidationError, describeValue, loadProjectConfig } from '@slipway/core';
import { explainConnectionError, openBackend, withBackendOptions, type BackendFlags } from '../backend-options.js';
import type { CliContext } from '../context.js';
import { prepareLocalRuntimes } from '../local-runtimes.js';
import { LOCAL_EXECUTION_ROLE, clientsFor, runPipelineProject } from '../project-run.js';
import { printRunOutcome, runJson } from '../run-outcome.js';
import { RunProgress } from '../run-progress.js';
import { cliSourceContext } from '../source-revision.js';

interface RunCommandOptions extends BackendFlags {
  readonly param: string[];
  readonly wait: boolean;
  readonly timeout: string;
  readonly compareWithApproved?: boolean;
  readonly role?: string;
  readonly bucket?: string;
  readonly module?: string;
  readonly seed?: string;
  readonly summary?: string;
}

const collect = (value: string, previous: string[]) => [...previous, value];

/** `--timeout` in minutes, 1 to a week. */
export function parseTimeoutMinutes(text: string, flag = '--timeout'): number {
  const minutes = Number(text);
  if (!Number.isFinite(minutes) || minutes <= 0 || minutes > 7 * 24 * 60) {
    throw new ValidationError({
      where: flag,
      field: '',
      problem: `must be a number of minutes from 1 to 10080, got ${describeValue(text)}`,
      fix: `e.g. ${flag} 120`,
    });
  }
  return minutes;
}

/** `slipway pipeline run`: the build workflow's run-pipeline action, from a terminal. */
export function registerRun(pipeline: Command, context: CliContext): void {
  withBackendOptions(
    pipeline
      .command('run')
      .description('compile, upload, upsert and start the pipeline, then follow it (local server unless --aws)'),
  )
    .option('--param <NAME=VALUE>', 'override a pipeline parameter (repeatable)', collect, [])
    .option('--no-wait', 'start the execution and return without following it')
    .option('--timeout <minutes>', 'stop following after this long (the execution keeps running)', '120')
    .option('--compare-with-approved', 'raise MinAccuracy to the accuracy of the newest Approved model package')
    .option(
      '--role <arn>',
      'SageMaker execution role (default: $SLIPWAY_SAGEMAKER_ROLE_ARN; a local role with --local)',
    )
    .option('--bucket <name>', 'artifact bucket (default: slipway.config.json)')
    .option('--module <file>', 'the pipeline module (default: build-pipeline/pipeline.ts)')
    .option('--seed <dir>', 'the folder with the ML code (default: seed/)')
    .option('--summary <file>', 'also write the Markdown run summary (the job summary of the action) to a file')
    .action((options: RunCommandOptions) => runCommand(context, options));
}

async function runCommand(context: CliContext, options: RunCommandOptions): Promise<void> {
  const {
    runPipeline,
    compilePipelineForRun,
    settleRun,
    AWS_POLL_SCHEDULE,
    LOCAL_POLL_SCHEDULE,
    ROLE_ARN_ENV,
    renderRunSummary,
    checkParameterValues,
    parseParameterLines,
  } = await import('@slipway/build-pipeline');
  const config = loadProjectConfig({ cwd: context.cwd, env: context.env });
  const region = options.region ?? config.region;
  const timeoutMinutes = parseTimeoutMinutes(options.timeout);
  const roleArn = options.role ?? context.env[ROLE_ARN_ENV] ?? (options.aws ? undefined : LOCAL_EXECUTION_ROLE);
  if (!roleArn) {
    throw new ValidationError({
      where: '--role',
      field: '',
      problem: 'is required with --aws',
      fix: `pass the SageMaker execution role ARN, or set ${ROLE_ARN_ENV}`,
    });
  }
  const compiled = await compilePipelineForRun({
    cwd: context.cwd,
    env: context.env,
    config,
    roleArn,
    region,
    ...(options.bucket ? { bucket: options.bucket } : {}),
    ...(options.module ? { modulePath: resolve(context.cwd, options.module) } : {}),
    ...(options.seed ? { seedDir: resolve(context.cwd, options.seed) } : {}),
  });
  // Every parameter problem is reported before a server starts or anything is sent.
  checkParameterValues(parseParameterLines(options.param, '--param'), compiled.definition.Parameters, '--param');
  const session = await openBackend(context, options);
  if (!options.wait && session.server?.inProcess) {
    await session.close();
    throw new ValidationError({
      where: '--no-wait',
      field: '',
      problem: 'needs a local server that outlives this command, and none is running',
      fix: 'start one with `npx slipway local up --detach`, or leave out --no-wait',
    });
  }
  const { backend, server } = session;
  const endpoint = backend.kind === 'local' ? backend.endpoint : undefined;
  const clients = clientsFor(backend);
  const progress = new RunProgress(context.output);
  try {
    // The local server on this machine runs the jobs in local runtimes: build the missing ones first.
    if (server) await prepareLocalRuntimes(compiled.definition, context.output);
    const { result, failure } = await settleRun(
      runPipeline(
        {
          compile: async () => compiled,
          region,
          parameters: options.param,
          parametersInput: '--param',
          source: cliSourceContext(context.cwd, context.env, config.githubRepository),
          project: runPipelineProject(config),
          wait: options.wait,
          timeoutMs: timeoutMinutes * 60_000,
          compareWithApproved: options.compareWithApproved === true,
          // Every CLI run is a new execution; only the GitHub action ties its start to the CI run.
          clientRequestToken: `slipway-cli-${randomUUID()}`,
          schedule: backend.kind === 'local' ? LOCAL_POLL_SCHEDULE : AWS_POLL_SCHEDULE,
          createMissingBucket: backend.kind === 'local',
        },
        { sagemaker: clients.sagemaker, s3: clients.s3, onEvent: progress.handle },
      ),
    ).catch((error: unknown) => {
      throw explainConnectionError(error, backend);
    });
    progress.stop();
    if (options.summary) {
      writeFileSync(resolve(context.cwd, options.summary), renderRunSummary(result, endpoint ? { endpoint } : {}));
    }
    context.output.result({ backend: backend.kind, ...(endpoint ? { endpoint } : {}), ...runJson(result) }, () =>
      printRunOutcome(context.output, result),
    );
    if (failure) {
      context.output.error(failure.message);
      process.exitCode = 1;
    }
  } finally {
    progress.stop();
    clients.destroy();
    await session.close();
  }
}
