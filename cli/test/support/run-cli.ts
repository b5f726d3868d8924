import { PassThrough } from 'node:stream';
import { main } from '@slipway/cli';

/** Runs the CLI in-process and returns its exit code, stdout (with --json the result document) and stderr. */
export async function runCli(
  args: readonly string[],
  options: { readonly cwd?: string; readonly env?: NodeJS.ProcessEnv } = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const out: string[] = [];
  const err: string[] = [];
  stdout.on('data', (chunk: Buffer) => out.push(chunk.toString()));
  stderr.on('data', (chunk: Buffer) => err.push(chunk.toString()));
  const previous = process.exitCode;
  const code = await main(args, { ...options, stdout, stderr });
  process.exitCode = previous;
  return { code, stdout: out.join(''), stderr: err.join('') };
}
