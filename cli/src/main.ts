import { Command, CommanderError } from 'commander';
import { ValidationError } from '@slipway/core';
import { Output } from './output.js';
import type { CliContext } from './context.js';
import { registerInit } from './commands/init.js';
import { registerPipeline } from './commands/pipeline.js';
import { registerLocal } from './commands/local.js';
import { registerBootstrap } from './commands/bootstrap.js';
import { registerDeploy } from './commands/deploy.js';
import { registerRegistry } from './commands/registry.js';
import { registerEndpoints } from './commands/endpoints.js';
import { registerDemo } from './commands/demo.js';
import { registerStudio } from './commands/studio.js';
import { registerMonitor } from './commands/monitor.js';

export interface MainOptions {
  readonly stdout?: NodeJS.WritableStream;
  readonly stderr?: NodeJS.WritableStream;
  readonly env?: NodeJS.ProcessEnv;
  readonly cwd?: string;
}

/** Runs the CLI with `argv` (without node and the script) and resolves to the exit code. */
export async function main(argv: readonly string[], options: MainOptions = {}): Promise<number> {
  const json = argv.includes('--json');
  const output = new Output({
    json,
    ...(options.stdout ? { stdout: options.stdout } : {}),
    ...(options.stderr ? { stderr: options.stderr } : {}),
    ...(options.env ? { env: options.env } : {}),
  });
  const context: CliContext = { output, cwd: options.cwd ?? process.cwd(), env: options.env ?? process.env };
  const program = new Command('slipway')
    .description(
      'Slipway: SageMaker pipelines from TypeScript, built on push, deployed on approval, runnable on one machine.',
    )
    .option('--json', 'print the result as JSON on stdout')
    .exitOverride()
    .configureOutput({
      writeOut: (text) => (options.stdout ?? process.stdout).write(text),
      writeErr: (text) => (options.stderr ?? process.stderr).write(text),
    });
  registerInit(program, context);
  registerPipeline(program, context);
  registerLocal(program, context);
  registerBootstrap(program, context);
  registerDeploy(program, context);
  registerRegistry(program, context);
  registerEndpoints(program, context);
  registerDemo(program, context);
  registerStudio(program, context);
  registerMonitor(program, context);
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode;
    if (error instanceof ValidationError) {
      output.error(error.message);
      return 2;
    }
    output.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
    return 1;
  }
}
