import { resolve } from 'node:path';
import { signRequest, type AwsCredentials, type Backend } from '@slipway/core';
import {
  DEFAULT_DATA_DIR,
  isProcessAlive,
  readServerFile,
  startLocalServer,
  type Logger,
  type RuleDefinition,
  type ServerFile,
} from '@slipway/local';
import type { Output } from './output.js';

/** A local server to talk to: one already running for the data dir, or one started in this process. */
export interface LocalConnection {
  readonly url: string;
  readonly dataDir: string;
  /** What requests to it are signed with (its secret, from server.json or the server started here). */
  readonly credentials: AwsCredentials;
  /** True when this process started the server (it stops when the command ends). */
  readonly inProcess: boolean;
  close(): Promise<void>;
}

async function answers(url: string): Promise<boolean> {
  try {
    return (await fetch(`${url}/_slipway/health`, { signal: AbortSignal.timeout(2000) })).ok;
  } catch {
    return false;
  }
}

/** The server recorded in the data dir's server.json, if its process is alive. */
export async function runningServer(dataDir: string): Promise<ServerFile | undefined> {
  const file = await readServerFile(dataDir);
  return file !== undefined && isProcessAlive(file.pid) ? file : undefined;
}

/**
 * What calls to a SageMaker API given by URL (`--endpoint-url`) are signed with: the local server's secret when
 * the URL is the server running for `dataDir`, else AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY from the command's
 * environment, else nothing (the SDK's default chain: profiles and the rest).
 */
export async function endpointCredentials(
  url: string,
  dataDir: string,
  env: NodeJS.ProcessEnv,
): Promise<AwsCredentials | undefined> {
  const running = await runningServer(dataDir);
  if (running && new URL(running.url).origin === new URL(url).origin) return running.credentials;
  const accessKeyId = env.AWS_ACCESS_KEY_ID;
  const secretAccessKey = env.AWS_SECRET_ACCESS_KEY;
  return accessKeyId && secretAccessKey ? { accessKeyId, secretAccessKey } : undefined;
}

/** The backend for SDK clients of this connection: its URL and its credentials. */
export function localBackend(connection: Pick<LocalConnection, 'url' | 'credentials'>, region: string): Backend {
  return { kind: 'local', region, endpoint: connection.url, credentials: connection.credentials };
}

/**
 * Calls one of Slipway's own JSON-protocol operations (`Slipway.*`, which no SDK knows), signed with the
 * server's secret like every other request. Resolves with the status and the parsed body. AWS operations go
 * through the SDK's clients.
 */
export async function callLocalOperation(
  connection: Pick<LocalConnection, 'url' | 'credentials'>,
  target: string,
  input: object,
  region = 'us-east-1',
): Promise<{ ok: boolean; status: number; body: Record<string, unknown> }> {
  const body = JSON.stringify(input);
  const headers = signRequest({
    method: 'POST',
    url: connection.url,
    headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': target },
    body,
    credentials: connection.credentials,
    region,
    service: 'sagemaker',
  });
  const response = await fetch(connection.url, { method: 'POST', headers, body });
  const text = await response.text();
  let parsed: Record<string, unknown> = {};
  try {
    parsed = text ? (JSON.parse(text) as Record<string, unknown>) : {};
  } catch {
    parsed = { message: text.slice(0, 200) };
  }
  return { ok: response.ok, status: response.status, body: parsed };
}

/** The server's own chatter stays out of the command's output; its warnings and errors do not. */
function quietLogger(output: Output): Logger {
  return {
    info: () => {},
    warn: (message) => output.warn(`local server: ${message}`),
    error: (message, error) =>
      output.error(`local server: ${message}${error instanceof Error ? `: ${error.message}` : ''}`),
  };
}

/**
 * Uses the server `slipway local up` started for the data dir (its `server.json`), or starts one in this
 * process on a free port for the command's lifetime.
 */
export async function connectLocal(options: {
  readonly cwd: string;
  readonly dataDir?: string;
  readonly output: Output;
  readonly region?: string;
  /** The account of a server started here: the project's build account, when it names one. @default LOCAL_ACCOUNT_ID */
  readonly accountId?: string;
  /** Event rules for a server started here (a running server keeps the rules it was started with). */
  readonly rules?: (dataDir: string) => readonly RuleDefinition[];
}): Promise<LocalConnection> {
  const dataDir = resolve(options.cwd, options.dataDir ?? DEFAULT_DATA_DIR);
  const running = await runningServer(dataDir);
  if (running && (await answers(running.url))) {
    return { url: running.url, dataDir, credentials: running.credentials, inProcess: false, close: async () => {} };
  }
  const server = await startLocalServer({
    dataDir,
    port: 0,
    logger: quietLogger(options.output),
    ...(options.region ? { region: options.region } : {}),
    ...(options.accountId ? { accountId: options.accountId } : {}),
    ...(options.rules ? { rules: options.rules(dataDir) } : {}),
  });
  return {
    url: server.url,
    dataDir,
    credentials: server.credentials,
    inProcess: true,
    close: () => server.close(),
  };
}
