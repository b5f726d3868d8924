import { userInfo } from 'node:os';
import { SageMakerClient } from '@aws-sdk/client-sagemaker';
import { SageMakerRuntimeClient } from '@aws-sdk/client-sagemaker-runtime';
import { awsClientConfig, type AwsCredentials, type ProjectConfig } from '@slipway/core';
import { withBackend, type BackendFlags, type BackendSession } from '../backend-options.js';
import type { CliContext } from '../context.js';

export interface ServiceConnection {
  readonly kind: 'local' | 'aws';
  readonly region: string;
  /** The SageMaker API's URL (local only). */
  readonly url?: string;
  /** What requests to it are signed with (local only): the local server's secret. */
  readonly credentials?: AwsCredentials;
  readonly sagemaker: SageMakerClient;
  readonly runtime: SageMakerRuntimeClient;
  /** The project's config, when the command runs inside a Slipway project. */
  readonly project?: ProjectConfig;
}

/**
 * Runs `work` with SageMaker and SageMaker Runtime clients on the backend the options chose (see
 * `openBackend`), then closes them.
 */
export async function withConnection(
  context: CliContext,
  flags: BackendFlags,
  work: (connection: ServiceConnection) => Promise<void>,
): Promise<void> {
  await withBackend(context, flags, async (session) => {
    const connection = serviceClients(session, context.env);
    try {
      await work(connection);
    } finally {
      connection.sagemaker.destroy();
      connection.runtime.destroy();
    }
  });
}

function serviceClients(session: BackendSession, env: NodeJS.ProcessEnv): ServiceConnection {
  const { backend } = session;
  const config = { ...awsClientConfig(backend), ...(backend.kind === 'local' ? { maxAttempts: 1 } : {}) };
  const sagemaker = new SageMakerClient(config);
  const runtime = new SageMakerRuntimeClient(config);
  if (backend.kind === 'local') {
    // The local server records who approved what (the approval history) from this header.
    const actor = localActor(env);
    sagemaker.middlewareStack.add(
      (next) => (args) => {
        const request = args.request as { headers?: Record<string, string> };
        if (request.headers) request.headers[ACTOR_HEADER] = actor;
        return next(args);
      },
      { step: 'build', name: 'slipwayActor' },
    );
  }
  return {
    kind: backend.kind,
    region: session.region,
    ...(backend.kind === 'local' ? { url: backend.endpoint } : {}),
    ...(backend.kind === 'local' && backend.credentials ? { credentials: backend.credentials } : {}),
    ...(session.project ? { project: session.project } : {}),
    sagemaker,
    runtime,
  };
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
