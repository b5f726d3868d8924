import { userInfo } from 'node:os';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { SageMakerClient } from '@aws-sdk/client-sagemaker';
import { SageMakerRuntimeClient } from '@aws-sdk/client-sagemaker-runtime';
import {
  ValidationError,
  awsClientConfig,
  type AwsCredentials,
  findProjectConfig,
  loadProjectConfig,
  type ProjectConfig,
} from '@slipway/core';
import { DEFAULT_DATA_DIR, isProcessAlive, readServerFile } from '@slipway/local';
import type { CliContext } from '../context.js';

/** The options every command that talks to SageMaker takes: a running local server, or AWS with `--aws`. */
export interface ConnectionOptions {
  readonly aws?: boolean;
  readonly dataDir: string;
  readonly region?: string;
}

export interface ServiceConnection {
  readonly kind: 'local' | 'aws';
  readonly region: string;
  /** The local server's URL (local only). */
  readonly url?: string;
  /** What requests to the local server are signed with (local only): its secret, from server.json. */
  readonly credentials?: AwsCredentials;
  readonly sagemaker: SageMakerClient;
  readonly runtime: SageMakerRuntimeClient;
  /** The project's config, when the command runs inside a Slipway project. */
  readonly project?: ProjectConfig;
  close(): void;
}

/** Adds `--aws`, `--data-dir` and `--region` to a command. */
export function withConnectionOptions(command: Command): Command {
  return command
    .option('--aws', 'talk to AWS (default credentials and region) instead of the local server')
    .option('--data-dir <dir>', 'the data dir of the local server to talk to', DEFAULT_DATA_DIR)
    .option('--region <region>', 'the AWS region (default: the project’s, else AWS_REGION)');
}

/**
 * Connects the SDK clients: to the local server recorded in `<data-dir>/server.json` (as `slipway local up`
 * writes it), or with `--aws` to AWS with the SDK's default credentials. The same calls go to either.
 */
export async function connect(context: CliContext, options: ConnectionOptions): Promise<ServiceConnection> {
  const project = findProjectConfig(context.cwd, context.env)
    ? loadProjectConfig({ cwd: context.cwd, env: context.env })
    : undefined;
  const region =
    options.region ?? project?.region ?? context.env.AWS_REGION ?? context.env.AWS_DEFAULT_REGION ?? 'us-east-1';
  if (options.aws) {
    const config = awsClientConfig({ kind: 'aws', region });
    return clients('aws', region, undefined, project, config);
  }
  const dataDir = resolve(context.cwd, options.dataDir);
  const server = await readServerFile(dataDir);
  if (!server || !isProcessAlive(server.pid)) {
    throw new ValidationError({
      where: dataDir,
      field: '',
      problem: 'has no local server running',
      fix: 'start one with `npx slipway local up --detach`, pass --data-dir DIR for another one, or --aws for AWS',
    });
  }
  const config = {
    ...awsClientConfig({ kind: 'local', region, endpoint: server.url, credentials: server.credentials }),
    maxAttempts: 1,
  };
  const connection = { ...clients('local', region, server.url, project, config), credentials: server.credentials };
  // The local server records who approved what (the approval history) from this header.
  const actor = localActor(context.env);
  connection.sagemaker.middlewareStack.add(
    (next) => (args) => {
      const request = args.request as { headers?: Record<string, string> };
      if (request.headers) request.headers[ACTOR_HEADER] = actor;
      return next(args);
    },
    { step: 'build', name: 'slipwayActor' },
  );
  return connection;
}

export const ACTOR_HEADER = 'x-slipway-actor';

/** Who is at the keyboard: SLIPWAY_ACTOR, else the login name. */
export function localActor(env: NodeJS.ProcessEnv): string {
  if (env.SLIPWAY_ACTOR) return env.SLIPWAY_ACTOR;
  try {
    return userInfo().username || 'slipway-cli';
  } catch {
    return 'slipway-cli';
  }
}

function clients(
  kind: 'local' | 'aws',
  region: string,
  url: string | undefined,
  project: ProjectConfig | undefined,
  config: ReturnType<typeof awsClientConfig>,
): ServiceConnection {
  const sagemaker = new SageMakerClient(config);
  const runtime = new SageMakerRuntimeClient(config);
  return {
    kind,
    region,
    ...(url ? { url } : {}),
    ...(project ? { project } : {}),
    sagemaker,
    runtime,
    close() {
      sagemaker.destroy();
      runtime.destroy();
    },
  };
}

/**
 * Runs `work` with a connection and closes it. A service's error (an SDK exception) or an unreachable server
 * is printed as one line naming the error, and the exit code is 1; bad input (ValidationError) is left to
 * the CLI's own handling (exit code 2).
 */
export async function withConnection(
  context: CliContext,
  options: ConnectionOptions,
  work: (connection: ServiceConnection) => Promise<void>,
): Promise<void> {
  const connection = await connect(context, options);
  try {
    await work(connection);
  } catch (error) {
    const message = serviceErrorMessage(error, connection);
    if (message === undefined) throw error;
    context.output.error(message);
    process.exitCode = 1;
  } finally {
    connection.close();
  }
}

/** One line for an SDK exception or a connection failure; undefined for anything else. */
export function serviceErrorMessage(
  error: unknown,
  connection: Pick<ServiceConnection, 'kind' | 'url'>,
): string | undefined {
  if (!(error instanceof Error)) return undefined;
  const metadata = (error as { $metadata?: { httpStatusCode?: number } }).$metadata;
  if (metadata !== undefined && error.name !== 'Error') return `${error.name}: ${error.message}`;
  const code = (error as NodeJS.ErrnoException).code ?? (error.cause as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'ECONNREFUSED' || code === 'ECONNRESET') {
    return connection.kind === 'local'
      ? `could not reach the local server at ${connection.url} (${code}); is it still running? (npx slipway local status)`
      : `could not reach AWS (${code})`;
  }
  return undefined;
}
