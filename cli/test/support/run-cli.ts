import { PassThrough } from 'node:stream';
import { main } from '@slipway/cli';

/**
 * The environment of a CLI run from a person's terminal, not from CI (the source is the checked-out commit),
 * with plain text: FORCE_COLOR is cleared, which jest's workers inherit when jest runs on a terminal.
 */
export const TERMINAL_ENV: NodeJS.ProcessEnv = {
  ...process.env,
  FORCE_COLOR: '',
  GITHUB_ACTIONS: '',
  CI: '',
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
};

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
