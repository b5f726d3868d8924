import { resolve } from 'node:path';
import { Option, type Command } from 'commander';
import { SageMakerClient } from '@aws-sdk/client-sagemaker';
import {
  ValidationError,
  findProjectConfig,
  loadProjectConfig,
  type Backend,
  type LoadedProjectConfig,
} from '@slipway/core';
import { chooseBackend } from '@slipway/deploy-pipeline';
import { DEFAULT_DATA_DIR, DEFAULT_REGION, type RuleDefinition } from '@slipway/local';
import type { CliContext } from './context.js';
import { CommandFailure, connectionErrorCode } from './failure.js';
import { connectLocal, endpointCredentials, runningServer, type LocalConnection } from './local-connection.js';

/** The environment variable that stands for `--endpoint-url` when the option is not given. */
export const ENDPOINT_URL_ENV = 'SLIPWAY_ENDPOINT_URL';

/** The options of every command that talks to SageMaker, as commander parses them. */
export interface BackendFlags {
  readonly local?: boolean;
  readonly aws?: boolean;
  readonly dataDir: string;
  readonly endpointUrl?: string;
  readonly region?: string;
}

/** `--data-dir`, the same for every command that has it (the backend commands, `local`, `studio`, `demo`). */
export function dataDirOption(): Option {
  return new Option(
    '--data-dir <dir>',
    "the local server's data dir: its database, objects and server.json (where a running server is found)",
  ).default(DEFAULT_DATA_DIR);
}

/** `--endpoint-url`, for the backend commands and `deploy dispatch`. */
export function endpointUrlOption(): Option {
  return new Option(
    '--endpoint-url <url>',
    `use the SageMaker API at this URL instead of the --data-dir server (default: $${ENDPOINT_URL_ENV})`,
  );
}

/**
 * Adds the backend options, defined here once: `--local` (the default), `--aws`, `--data-dir`,
 * `--endpoint-url` and `--region`. `openBackend` gives them their one behaviour.
 */
export function withBackendOptions(command: Command): Command {
  return command
    .addOption(
      new Option(
        '--local',
        'use the local SageMaker (the default): the server running for --data-dir, else one started for this command',
      ).conflicts('aws'),
    )
    .addOption(awsOption().conflicts('endpointUrl'))
    .addOption(dataDirOption())
    .addOption(endpointUrlOption())
    .addOption(regionOption());
}

/** `--aws`: the real services, with the SDK's credentials and region. */
export function awsOption(): Option {
  return new Option(
    '--aws',
    "use AWS with your credentials and region (the SDK's: environment variables, AWS_PROFILE, ~/.aws/config)",
  );
}

/** `--region`; `awsRegion` and `openBackend` say what it defaults to. */
export function regionOption(): Option {
  return new Option(
    '--region <region>',
    "the region (default: slipway.config.json's; outside a project with --aws, the SDK's: AWS_REGION or the profile's)",
  );
}

/** The AWS region of a command: `--region`, else the project's, else the SDK's own resolution. */
export async function awsRegion(
  flags: Pick<BackendFlags, 'region'>,
  project: Pick<LoadedProjectConfig, 'region'> | undefined,
): Promise<string> {
  return flags.region ?? project?.region ?? (await sdkRegion());
}

/** Where a command's SageMaker calls go, opened from the backend options. */
export interface BackendSession {
  /** What the SDK clients are configured with. */
  readonly backend: Backend;
  readonly region: string;
  /** The project's config, when the command runs inside a Slipway project. */
  readonly project?: LoadedProjectConfig;
  /**
   * The Slipway local server behind the backend, when its data dir is known: the `--data-dir` server (running,
   * or started for this command), or the one `--endpoint-url` names.
   */
  readonly server?: LocalConnection;
  /** Stops a server started for this command. */
  close(): Promise<void>;
}

export interface OpenBackendOptions {
  /** Event rules for a server started for this command (a running server keeps the rules it was started with). */
  readonly rules?: (dataDir: string, project: LoadedProjectConfig | undefined) => readonly RuleDefinition[];
}

/**
 * The one behaviour of the backend options. `--aws`: AWS with the SDK's default credentials, in `--region`,
 * else the project's region, else the SDK's own (AWS_REGION, the profile's). Otherwise the local SageMaker:
 * `--endpoint-url` (or $SLIPWAY_ENDPOINT_URL) names one, else the server running for `--data-dir`, else a
 * server started in this process for the command (its data stays in the data dir; a person is told).
 */
export async function openBackend(
  context: CliContext,
  flags: BackendFlags,
  options: OpenBackendOptions = {},
): Promise<BackendSession> {
  const project = findProjectConfig(context.cwd, context.env)
    ? loadProjectConfig({ cwd: context.cwd, env: context.env })
    : undefined;
  const withProject = project ? { project } : {};
  if (flags.aws) {
    const region = await awsRegion(flags, project);
    return { backend: { kind: 'aws', region }, region, ...withProject, close: async () => {} };
  }
  const dataDir = resolve(context.cwd, flags.dataDir);
  const url = flags.endpointUrl ?? context.env[ENDPOINT_URL_ENV];
  if (url !== undefined) {
    const running = await runningServer(dataDir);
    const region = flags.region ?? project?.region ?? running?.region ?? DEFAULT_REGION;
    const chosen = chooseBackend(
      { kind: 'local', endpointUrl: url, region },
      { kind: '--aws', endpointUrl: `--endpoint-url (or ${ENDPOINT_URL_ENV})` },
    );
    const credentials = await endpointCredentials(url, dataDir, context.env);
    const backend = chosen.kind === 'local' && credentials ? { ...chosen, credentials } : chosen;
    const isDataDirServer = running !== undefined && new URL(running.url).origin === new URL(url).origin;
    const server: LocalConnection | undefined = isDataDirServer
      ? { url: running.url, dataDir, credentials: running.credentials, inProcess: false, close: async () => {} }
      : undefined;
    return { backend, region, ...withProject, ...(server ? { server } : {}), close: async () => {} };
  }
  const running = await runningServer(dataDir);
  const region = flags.region ?? project?.region ?? running?.region ?? DEFAULT_REGION;
  const server = await connectLocal({
    cwd: context.cwd,
    dataDir,
    output: context.output,
    region,
    ...(project?.buildAccount ? { accountId: project.buildAccount } : {}),
    ...(options.rules ? { rules: (dir: string) => options.rules!(dir, project) } : {}),
  });
  if (server.inProcess) {
    context.output.line(`No local server runs for ${dataDir}: started one for this command at ${server.url}`, 'dim');
  }
  return {
    backend: { kind: 'local', region, endpoint: server.url, credentials: server.credentials },
    region,
    ...withProject,
    server,
    close: () => server.close(),
  };
}

/** Runs `work` with an open backend, and closes it (a server started for the command stops) whatever happens. */
export async function withBackend<T>(
  context: CliContext,
  flags: BackendFlags,
  work: (session: BackendSession) => Promise<T>,
  options: OpenBackendOptions = {},
): Promise<T> {
  const session = await openBackend(context, flags, options);
  try {
    return await work(session);
  } catch (error) {
    throw explainConnectionError(error, session.backend);
  } finally {
    await session.close();
  }
}

/** A refused or reset connection as one line naming the API and what to check; any other error as it is. */
export function explainConnectionError(error: unknown, backend: Backend): unknown {
  const code = connectionErrorCode(error);
  if (code === undefined) return error;
  return backend.kind === 'local'
    ? new CommandFailure(
        `could not reach the SageMaker API at ${backend.endpoint} (${code})`,
        'is the local server still running? (npx slipway local status)',
        { cause: error },
      )
    : new CommandFailure(`could not reach AWS (${code})`, 'check your network and the region', { cause: error });
}

/**
 * The AWS region as the SDK resolves it for any client: AWS_REGION, else the region of the profile
 * (AWS_PROFILE, or default) in the shared config files. A ValidationError when none is set.
 */
export async function sdkRegion(): Promise<string> {
  const client = new SageMakerClient({});
  try {
    return await client.config.region();
  } catch {
    throw new ValidationError({
      where: '--region',
      field: '',
      problem:
        "is not set, and neither slipway.config.json nor the AWS SDK's configuration (AWS_REGION, the profile's region) names one",
      fix: 'pass --region REGION (e.g. --region eu-west-1), set AWS_REGION, or run inside the project',
    });
  } finally {
    client.destroy();
  }
}
