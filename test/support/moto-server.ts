import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * moto's server for the tests of every room (local/, deploy-pipeline/, the actions and the CLI), so both
 * implementations of an API are held to the same cases by one harness.
 */

/** The repository root, found from this file. */
export const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const TOOLS_BIN = join(REPO_ROOT, '.venv-tools', 'bin');

/** Why tests that need the tool venv cannot run, or undefined when they can. */
export function toolsMissing(tool: string): string | undefined {
  return existsSync(join(TOOLS_BIN, tool))
    ? undefined
    : `.venv-tools/bin/${tool} is missing; run \`npm run setup\` to create the test tooling venv`;
}

export interface MotoServer {
  readonly url: string;
  readonly region: string;
  /** Credentials moto accepts (it checks none, but the SDK insists on some). */
  readonly credentials: { accessKeyId: string; secretAccessKey: string };
  stop(): Promise<void>;
}

/** Starts moto's server on 127.0.0.1, on a port the OS picks, and waits until it answers. */
export async function startMoto(): Promise<MotoServer> {
  // moto's own server, started through a launcher that gives UpdateModelPackage SageMaker's semantics
  // (members a request leaves out stay as they are; see moto_server_sagemaker.py).
  const launcher = join(REPO_ROOT, 'test', 'support', 'moto_server_sagemaker.py');
  const child: ChildProcess = spawn(join(TOOLS_BIN, 'python'), [launcher, '-H', '127.0.0.1', '-p', '0'], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const url = await new Promise<string>((resolve, reject) => {
    let output = '';
    const timer = setTimeout(() => reject(new Error(`moto_server did not start within 20 s:\n${output}`)), 20_000);
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (chunk: string) => {
      output += chunk;
      const match = /Running on (http:\/\/127\.0\.0\.1:\d+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(match[1] as string);
      }
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`moto_server exited (${code}) before it started:\n${output}`));
    });
  });
  child.stderr?.resume();
  return {
    url,
    region: 'us-east-1',
    credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

/** Client configuration for any `@aws-sdk/client-*` pointed at moto. */
export function motoClientConfig(moto: MotoServer): {
  region: string;
  endpoint: string;
  credentials: { accessKeyId: string; secretAccessKey: string };
  maxAttempts: number;
} {
  return { region: moto.region, endpoint: moto.url, credentials: moto.credentials, maxAttempts: 1 };
}
