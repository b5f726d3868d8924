import type { Command } from 'commander';
import { ValidationError, loadProjectConfig, type Backend, type LoadedProjectConfig } from '@slipway/core';
import {
  chooseBackend,
  defaultSamplesPath,
  deployStage,
  endpointName,
  endpointTestRows,
  loadLabelledSamples,
  loadStageConfig,
  promote,
  testEndpoint,
  type DeployStageResult,
} from '@slipway/deploy-pipeline';
import type { CliContext } from '../context.js';

/** The environment variable that names the local server's URL when --endpoint-url is not given. */
export const LOCAL_URL_ENV = 'SLIPWAY_ENDPOINT_URL';

interface BackendOptions {
  local?: boolean;
  aws?: boolean;
  endpointUrl?: string;
  timeoutMinutes?: string;
}

function withBackendOptions(command: Command): Command {
  return command
    .option('--local', 'deploy through the SageMaker API of the local server (the default)')
    .option('--aws', 'deploy to AWS with the CDK, using your AWS credentials')
    .option('--endpoint-url <url>', `the local server's URL (default: $${LOCAL_URL_ENV})`)
    .option('--timeout-minutes <minutes>', 'how long to wait for the endpoint', '60');
}

function backendFor(options: BackendOptions, project: LoadedProjectConfig, context: CliContext): Backend {
  if (options.local && options.aws) {
    throw new ValidationError({
      where: '--local/--aws',
      field: '',
      problem: 'were both given',
      fix: 'choose one backend',
    });
  }
  return chooseBackend(
    {
      kind: options.aws ? 'aws' : 'local',
      endpointUrl: options.endpointUrl ?? context.env[LOCAL_URL_ENV],
      region: project.region,
    },
    { kind: '--aws', endpointUrl: `--endpoint-url (or ${LOCAL_URL_ENV})` },
  );
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
  const log = (line: string): void => context.output.line(line, 'dim');
  const project = (): LoadedProjectConfig => loadProjectConfig({ cwd: context.cwd, env: context.env });
  /** What every deploy subcommand passes to the shared logic. */
  const common = (options: BackendOptions) => {
    const loaded = project();
    return {
      project: loaded,
      backend: backendFor(options, loaded, context),
      timeoutSeconds: timeoutSeconds(options),
      log,
    };
  };

  const deploy = program
    .command('deploy')
    .description('deploy model package versions to stages, promote them, test their endpoints');

  // The default subcommand, so that `slipway deploy <arn> --stage S` works while `promote` and `test`
  // keep their own options (commander lets a parent's option shadow a subcommand's of the same name).
  withBackendOptions(
    deploy
      .command('version', { isDefault: true })
      .description('deploy one exact, Approved version to a stage (idempotent: the same version again changes nothing)')
      .argument('<model-package-arn>', 'the version to deploy')
      .requiredOption('--stage <stage>', 'the stage to deploy to'),
  ).action(async (arn: string, options: BackendOptions & { stage: string }) => {
    printDeployment(context, await deployStage({ stage: options.stage, modelPackageArn: arn, ...common(options) }));
  });

  withBackendOptions(
    deploy
      .command('promote')
      .description('deploy to the next stage exactly the version the previous stage serves (prod after staging)')
      .option('--from <stage>', "the stage whose version is promoted (default: the project's first stage)")
      .option('--to <stage>', 'the stage to deploy to (default: the stage after --from)'),
  ).action(async (options: BackendOptions & { from?: string; to?: string }) => {
    const stages = { ...(options.from ? { from: options.from } : {}), ...(options.to ? { to: options.to } : {}) };
    printDeployment(context, await promote({ ...stages, ...common(options) }));
  });

  withBackendOptions(
    deploy
      .command('test')
      .description("send the labelled sample reviews to a stage's endpoint and check accuracy and latency")
      .requiredOption('--stage <stage>', 'the stage whose endpoint to test')
      .option('--samples <file>', 'JSON Lines file of {"text", "label"} reviews'),
  ).action(async (options: BackendOptions & { stage: string; samples?: string }) => {
    const loaded = project();
    const thresholds = loadStageConfig(loaded, options.stage).endpointTests;
    const result = await testEndpoint({
      endpointName: endpointName(loaded, options.stage),
      samples: loadLabelledSamples(options.samples ?? defaultSamplesPath(loaded.rootDir)),
      thresholds,
      backend: backendFor(options, loaded, context),
      log,
    });
    context.output.result(result, (value) => {
      for (const row of endpointTestRows(value)) context.output.line(row.join('  '));
      for (const failure of value.failures) context.output.line(failure, 'bad');
    });
    if (!result.passed) process.exitCode = 1;
  });
}
