import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { build } from 'esbuild';

const BUNDLE_DIR = join(process.cwd(), '.cache', 'local-tests');

/**
 * Bundles `server-child.ts` (TypeScript sources through the slipway-source condition) into one ES module
 * under .cache/, so a plain `node` child can run it without a build of the workspace.
 */
async function bundleChild(): Promise<string> {
  mkdirSync(BUNDLE_DIR, { recursive: true });
  const outfile = join(BUNDLE_DIR, 'server-child.mjs');
  await build({
    entryPoints: [join(process.cwd(), 'local', 'test', 'support', 'server-child.ts')],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    conditions: ['slipway-source'],
    external: ['better-sqlite3', 'tar', '@aws-sdk/*'],
    logLevel: 'silent',
  });
  return outfile;
}

export interface ServerProcess {
  readonly url: string;
  readonly child: ChildProcess;
  /** Resolves when the process has exited. */
  readonly exited: Promise<void>;
}

export async function spawnServerProcess(dataDir: string): Promise<ServerProcess> {
  const script = await bundleChild();
  const child = spawn(process.execPath, [script, dataDir, '0'], { stdio: ['ignore', 'pipe', 'inherit'] });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const line = await new Promise<string>((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    lines.once('line', resolve);
    child.once('exit', (code) => reject(new Error(`the server process exited with ${code} before listening`)));
  });
  return { url: (JSON.parse(line) as { url: string }).url, child, exited };
}
