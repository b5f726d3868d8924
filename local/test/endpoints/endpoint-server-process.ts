import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { build } from 'esbuild';

/** Three levels below the repo root: the bundle's `import.meta.url` then resolves the repo as the sources do. */
const BUNDLE_DIR = join(process.cwd(), '.cache', 'endpoint-tests', 'child');

export interface EndpointServerProcess {
  readonly url: string;
  readonly child: ChildProcess;
  readonly exited: Promise<void>;
}

/** Starts a local server (endpoints included) in a child process on a free port. */
export async function spawnEndpointServer(dataDir: string): Promise<EndpointServerProcess> {
  mkdirSync(BUNDLE_DIR, { recursive: true });
  const script = join(BUNDLE_DIR, 'endpoint-server-child.mjs');
  await build({
    entryPoints: [join(process.cwd(), 'local', 'test', 'endpoints', 'endpoint-server-child.ts')],
    outfile: script,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    conditions: ['slipway-source'],
    external: ['better-sqlite3', 'tar', '@aws-sdk/*'],
    logLevel: 'silent',
  });
  const child = spawn(process.execPath, [script, dataDir], { stdio: ['ignore', 'pipe', 'inherit'] });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const line = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout! }).once('line', resolve);
    child.once('exit', (code) => reject(new Error(`the server process exited with ${code} before listening`)));
  });
  return { url: (JSON.parse(line) as { url: string }).url, child, exited };
}

/** Model server processes working under `dataDir` (from Linux's /proc: their --model-dir names it). */
export function modelServerProcesses(dataDir: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      const command = readFileSync(join('/proc', entry, 'cmdline'), 'utf8');
      if (command.includes('slipway_serving') && command.includes(dataDir)) pids.push(Number(entry));
    } catch {
      // The process ended meanwhile.
    }
  }
  return pids;
}
