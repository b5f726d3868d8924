import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawnServerChild, type ServerProcess } from '../support/server-process.js';

/** Three levels below the repo root: the bundle's `import.meta.url` then resolves the repo as the sources do. */
const BUNDLE_DIR = join(process.cwd(), '.cache', 'endpoint-tests', 'child');

export type EndpointServerProcess = ServerProcess;

/** Starts a local server (endpoints included) in a child process on a free port. */
export function spawnEndpointServer(dataDir: string): Promise<EndpointServerProcess> {
  return spawnServerChild(join(process.cwd(), 'local', 'test', 'endpoints', 'endpoint-server-child.ts'), BUNDLE_DIR, [
    dataDir,
  ]);
}

/**
 * Model server processes working under `dataDir` (from Linux's /proc: their --model-dir names it): one per
 * instance, or with `workers: true` their extra worker processes too.
 */
export function modelServerProcesses(dataDir: string, { workers = false } = {}): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      const command = readFileSync(join('/proc', entry, 'cmdline'), 'utf8');
      const worker = command.split('\0').includes('--worker');
      if (command.includes('slipway_serving') && command.includes(dataDir) && (workers || !worker)) {
        pids.push(Number(entry));
      }
    } catch {
      // The process ended meanwhile.
    }
  }
  return pids;
}
