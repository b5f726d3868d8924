import { spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';

const REPO = join(import.meta.dirname, '..', '..', '..');

/** Builds the CLI the bin runs (incremental: quick when current); returns tsc's output, empty when it built. */
export function buildCliBin(): string {
  const built = spawnSync(process.execPath, [join('node_modules', 'typescript', 'bin', 'tsc'), '-b', 'cli'], {
    cwd: REPO,
    encoding: 'utf8',
  });
  return built.stdout + built.stderr;
}

/**
 * Runs `cli/bin/slipway.js` in a process of its own with exactly `env` (plus PATH): what a person's shell runs,
 * with Node's own errors (not the test runner's), for what the in-process `runCli` cannot show.
 */
export function runBin(
  args: readonly string[],
  options: { readonly cwd: string; readonly env: NodeJS.ProcessEnv },
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [join(REPO, 'cli', 'bin', 'slipway.js'), ...args], {
    cwd: options.cwd,
    env: { PATH: process.env.PATH, ...options.env },
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
}
