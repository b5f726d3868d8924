import { Writable } from 'node:stream';
import { main } from '../src/main.js';

/** Runs the CLI in-process and captures what it prints. */
export async function runCli(
  argv: readonly string[],
  options: { env?: NodeJS.ProcessEnv; cwd?: string } = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const sink = (append: (text: string) => void): Writable =>
    new Writable({
      write(chunk: Buffer, _encoding, callback) {
        append(chunk.toString());
        callback();
      },
    });
  process.exitCode = undefined;
  const code = await main(argv, {
    stdout: sink((text) => (stdout += text)),
    stderr: sink((text) => (stderr += text)),
    env: options.env ?? {},
    ...(options.cwd ? { cwd: options.cwd } : {}),
  });
  process.exitCode = undefined;
  return { code, stdout, stderr };
}
