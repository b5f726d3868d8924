import { createRequire } from 'node:module';
import { Command, CommanderError } from 'commander';
import { Output } from './output.js';
import type { CliContext } from './context.js';
import { DEBUG_ENV, EXIT_CODES, describeFailure, failureLine, type FailureReport } from './failure.js';
import { registerInit } from './commands/init.js';
import { registerPipeline } from './commands/pipeline.js';
import { registerLocal } from './commands/local.js';
import { registerBootstrap } from './commands/bootstrap.js';
import { registerDeploy } from './commands/deploy.js';
import { registerRegistry } from './commands/registry.js';
import { registerEndpoints } from './commands/endpoints.js';
import { registerDemo } from './commands/demo.js';
import { registerStudio } from './commands/studio.js';
import { registerCompletion } from './commands/completion.js';
import { registerDoctor } from './commands/doctor.js';
import { registerNew } from './commands/new.js';
import { registerMonitor } from './commands/monitor.js';

export interface MainOptions {
  readonly stdout?: NodeJS.WritableStream;
  readonly stderr?: NodeJS.WritableStream;
  readonly env?: NodeJS.ProcessEnv;
  readonly cwd?: string;
}

/** The CLI's version: its package's. */
export const VERSION = (createRequire(import.meta.url)('../package.json') as { version: string }).version;

const HELP_FOOTER = `
Exit codes:
  ${EXIT_CODES.success}  success
  ${EXIT_CODES.failure}  failure: bad input (the error names the field and the fix), a service's error, a failed run or test
  ${EXIT_CODES.usage}  usage: an unknown command or option, a missing argument, options that conflict

Environment:
  NO_COLOR=1       plain output (colour is also off where a stream is not a terminal, for each stream)
  FORCE_COLOR=1    colour on both streams, even redirected, unless NO_COLOR is set (FORCE_COLOR=0: never)
  ${DEBUG_ENV}=1   print the stack trace of an unexpected error
With --json, the result is one JSON document on stdout, and a failure is {"error": {...}} there.`;

/**
 * The whole command tree, with every command registered. Commands print through `context`; nothing runs
 * until the program is parsed.
 */
export function buildProgram(context: CliContext, streams: Pick<MainOptions, 'stdout' | 'stderr'> = {}): Command {
  const program = new Command('slipway')
    .description(
      'Slipway: SageMaker pipelines from TypeScript, built on push, deployed on approval, runnable on one machine.',
    )
    .version(VERSION, '-V, --version', 'print the version')
    .option('--json', 'print the result as one JSON document on stdout (a failure as {"error": {...}})')
    // Every subcommand's help lists --json, --version and --help (commander copies this to each subcommand).
    .configureHelp({ showGlobalOptions: true })
    .exitOverride()
    .configureOutput({
      writeOut: (text) => (streams.stdout ?? process.stdout).write(text),
      writeErr: (text) => (streams.stderr ?? process.stderr).write(text),
    })
    .addHelpText('afterAll', HELP_FOOTER);
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
  registerDoctor(program, context);
  registerNew(program, context);
  registerCompletion(program, context);
  return program;
}

/** Runs the CLI with `argv` (without node and the script) and resolves to the exit code. */
export async function main(argv: readonly string[], options: MainOptions = {}): Promise<number> {
  const env = options.env ?? process.env;
  const output = new Output({
    json: argv.includes('--json'),
    ...(options.stdout ? { stdout: options.stdout } : {}),
    ...(options.stderr ? { stderr: options.stderr } : {}),
    env,
  });
  const context: CliContext = { output, cwd: options.cwd ?? process.cwd(), env };
  return runProgram(buildProgram(context, options), argv, context);
}

/**
 * Parses `argv` with `program` and runs the command, turning what it throws into the exit code and the
 * report of `reportFailure`.
 */
export async function runProgram(program: Command, argv: readonly string[], context: CliContext): Promise<number> {
  const { output } = context;
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return typeof process.exitCode === 'number' ? process.exitCode : EXIT_CODES.success;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Help and --version end with code 0; every other commander error is a usage error, already printed.
      if (error.exitCode === 0) return EXIT_CODES.success;
      if (output.json) output.document({ error: { kind: 'usage', message: error.message.replace(/^error: /, '') } });
      return EXIT_CODES.usage;
    }
    reportFailure(output, describeFailure(error), error, context.env);
    return EXIT_CODES.failure;
  }
}

/**
 * A failed command: one line (or one per problem) on stderr, never a stack trace for what a person can fix;
 * with --json also `{"error": report}` on stdout. An unexpected error says how to see its stack.
 */
function reportFailure(output: Output, report: FailureReport, error: unknown, env: NodeJS.ProcessEnv): void {
  if (output.json) output.document({ error: report });
  output.error(failureLine(report));
  if ('hint' in report && report.hint) output.note(`  ${report.hint}`);
  if (report.kind !== 'unexpected') return;
  if (env[DEBUG_ENV] && error instanceof Error && error.stack) output.note(error.stack);
  else output.note(`  (an unexpected error: run again with ${DEBUG_ENV}=1 to see where it happened)`);
}
