import { SageMakerClient } from '@aws-sdk/client-sagemaker';
import { S3Client } from '@aws-sdk/client-s3';
import { LOCAL_ACCOUNT_ID, ValidationError, awsClientConfig, loadProjectConfig, type Backend } from '@slipway/core';
import type { CliContext } from './context.js';

/** The execution role local runs use when none is given: the local server runs jobs as the caller. */
export const LOCAL_EXECUTION_ROLE = `arn:aws:iam::${LOCAL_ACCOUNT_ID}:role/slipway-local-execution`;

/** The options every command that talks to SageMaker shares. */
export interface BackendFlags {
  readonly local?: boolean;
  readonly aws?: boolean;
  readonly region?: string;
  readonly dataDir?: string;
}

export interface SageMakerClients {
  readonly sagemaker: SageMakerClient;
  readonly s3: S3Client;
  destroy(): void;
}

/** `--local` (the default) or `--aws`, refusing both. */
export function backendKind(flags: BackendFlags): 'local' | 'aws' {
  if (flags.local && flags.aws) {
    throw new ValidationError({
      where: '--aws',
      field: '',
      problem: 'and --local were both given',
      fix: 'pick one: --local runs on the local server (the default), --aws on SageMaker',
    });
  }
  return flags.aws ? 'aws' : 'local';
}

/** The project config's region unless --region overrides it. */
export function regionFor(context: CliContext, flags: BackendFlags): string {
  return flags.region ?? loadProjectConfig({ cwd: context.cwd, env: context.env }).region;
}

export function clientsFor(backend: Backend): SageMakerClients {
  const config = awsClientConfig(backend);
  const sagemaker = new SageMakerClient(config);
  const s3 = new S3Client(config);
  return {
    sagemaker,
    s3,
    destroy() {
      sagemaker.destroy();
      s3.destroy();
    },
  };
}

/** An error from AWS (or the local server) rather than from Slipway: it carries the SDK's metadata. */
function isAwsError(error: unknown): error is Error {
  return (
    error instanceof Error &&
    ('$metadata' in error || error.name === 'CredentialsProviderError' || error.name === 'TimeoutError')
  );
}

/**
 * Runs a command body; an AWS error (no credentials, access denied, a service error) ends the command with
 * one line saying what the service said, instead of a stack trace.
 */
export async function reportingAwsErrors(context: CliContext, body: () => Promise<void>): Promise<void> {
  try {
    await body();
  } catch (error) {
    if (!isAwsError(error)) throw error;
    context.output.error(`${error.name}: ${error.message}`);
    if (error.name === 'CredentialsProviderError') {
      context.output.line(
        '  configure AWS credentials (aws configure, AWS_PROFILE or environment variables), or use --local',
        'dim',
      );
    }
    process.exitCode = 1;
  }
}
