import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import { createInterface } from 'node:readline';
import { build } from 'esbuild';
import type { AwsCredentials } from '@slipway/core';

/** A server in a child process: where it listens and what its requests are signed with. */
export interface ServerProcess {
  readonly url: string;
  readonly region: string;
  readonly credentials: AwsCredentials;
  readonly child: ChildProcess;
  /** Resolves when the process has exited. */
  readonly exited: Promise<void>;
}

/**
 * Bundles a child script (TypeScript sources through the slipway-source condition) into one ES module in
 * `bundleDir`, so a plain `node` child runs it without a build of the workspace. Resolves with its path.
 */
export async function bundleChild(entry: string, bundleDir: string): Promise<string> {
  mkdirSync(bundleDir, { recursive: true });
  const script = join(bundleDir, `${basename(entry, '.ts')}.mjs`);
  await build({
    entryPoints: [entry],
    outfile: script,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    conditions: ['slipway-source'],
    external: ['better-sqlite3', 'tar', '@aws-sdk/*'],
    logLevel: 'silent',
  });
  return script;
}

/**
 * Bundles a server child script (`bundleChild`), starts it and waits for the `{"url", "region", "credentials"}`
 * line it prints once it listens.
 */
export async function spawnServerChild(
  entry: string,
  bundleDir: string,
  args: readonly string[],
): Promise<ServerProcess> {
  const script = await bundleChild(entry, bundleDir);
  const child = spawn(process.execPath, [script, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const line = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout! }).once('line', resolve);
    child.once('exit', (code) => reject(new Error(`the server process exited with ${code} before listening`)));
  });
  const started = JSON.parse(line) as { url: string; region: string; credentials: AwsCredentials };
  return { url: started.url, region: started.region, credentials: started.credentials, child, exited };
}

/** A local server with in-process sleeping jobs, in a child process, for the crash-safety tests. */
export function spawnServerProcess(dataDir: string): Promise<ServerProcess> {
  return spawnServerChild(
    join(process.cwd(), 'local', 'test', 'support', 'server-child.ts'),
    join(process.cwd(), '.cache', 'local-tests'),
    [dataDir, '0'],
  );
}
