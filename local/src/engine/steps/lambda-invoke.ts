import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findBasePython } from '../../runtimes/python.js';
import { LOCAL_PYTHON_DIR, RuntimeManager } from '../../runtimes/runtime-manager.js';
import { lambdaFunctionName, type LocalLambdaHandler } from './lambda-functions.js';

/** What a handler did: returned a value, raised an error, ran out of time, or was stopped. */
export type LambdaInvocation =
  | { readonly kind: 'returned'; readonly result: unknown; readonly log: string }
  | { readonly kind: 'raised'; readonly errorType: string; readonly errorMessage: string; readonly log: string }
  | { readonly kind: 'timedOut'; readonly log: string }
  | { readonly kind: 'stopped'; readonly log: string };

export interface InvokeOptions {
  readonly functionArn: string;
  readonly timeoutMs: number;
  readonly signal: AbortSignal;
  /** Finds a named runtime's interpreter. @default a RuntimeManager with default options */
  readonly runtimes?: RuntimeManager;
}

/** Lambda's error type for a handler its module does not define; both invokers report it. */
export const HANDLER_NOT_FOUND = 'Runtime.HandlerNotFound';

/** Keeps the end of the handler's output for the step's failure reason and the server log. */
const LOG_TAIL_BYTES = 16 * 1024;

/**
 * The Node counterpart of `slipway_lambda/invoke.py`: imports the module, awaits `handler(event, context)`,
 * writes `{result}` or `{errorType, errorMessage}` to the result file.
 */
const NODE_INVOKER = `
import { readFileSync, writeFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { randomUUID } from 'node:crypto';
const [file, name, resultFile] = process.argv.slice(-3);
const write = (document) => writeFileSync(resultFile, JSON.stringify(document));
const deadline = Number(process.env.SLIPWAY_LAMBDA_DEADLINE_MS);
try {
  const event = JSON.parse(readFileSync(0, 'utf8'));
  const module = await import(pathToFileURL(file).href);
  const handler = module[name] ?? module.default?.[name];
  if (typeof handler !== 'function') {
    write({ errorType: 'Runtime.HandlerNotFound', errorMessage: file + ' exports no function ' + JSON.stringify(name) });
    process.exit(1);
  }
  const context = {
    functionName: process.env.AWS_LAMBDA_FUNCTION_NAME, functionVersion: '$LATEST',
    invokedFunctionArn: process.env.SLIPWAY_LAMBDA_FUNCTION_ARN, memoryLimitInMB: '128', awsRequestId: randomUUID(),
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
  };
  const result = await handler(event, context);
  write({ result: result === undefined ? null : result });
} catch (error) {
  console.error(error);
  write({ errorType: error?.name ?? 'Error', errorMessage: error?.message ?? String(error) });
  process.exitCode = 1;
}
`;

/** Runs a Lambda function's local handler once in a subprocess of its own, with the event on stdin. */
export async function invokeLocalLambda(
  handler: LocalLambdaHandler,
  event: unknown,
  options: InvokeOptions,
): Promise<LambdaInvocation> {
  const command = await interpreter(handler, options.runtimes);
  const scratch = await mkdtemp(join(tmpdir(), 'slipway-lambda-'));
  const resultFile = join(scratch, 'result.json');
  const args =
    handler.language === 'python'
      ? [join(LOCAL_PYTHON_DIR, 'slipway_lambda', 'invoke.py'), handler.file, handler.functionName, resultFile]
      : ['--input-type=module', '-e', NODE_INVOKER, '--', handler.file, handler.functionName, resultFile];
  try {
    const ended = await runProcess(command, args, handler, event, options);
    if (ended.kind !== 'exited') return { kind: ended.kind, log: ended.log };
    let document: { result?: unknown; errorType?: string; errorMessage?: string };
    try {
      document = JSON.parse(await readFile(resultFile, 'utf8')) as typeof document;
    } catch {
      return {
        kind: 'raised',
        errorType: 'Runtime.ExitError',
        errorMessage: `the handler's process ended (exit code ${ended.code}) without returning`,
        log: ended.log,
      };
    }
    if (document.errorMessage !== undefined || document.errorType !== undefined) {
      return {
        kind: 'raised',
        errorType: document.errorType ?? 'Error',
        errorMessage: document.errorMessage ?? '',
        log: ended.log,
      };
    }
    return { kind: 'returned', result: document.result, log: ended.log };
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

async function interpreter(handler: LocalLambdaHandler, runtimes?: RuntimeManager): Promise<string> {
  if (handler.language === 'node') return process.execPath;
  if (handler.runtime === undefined) return (await findBasePython()).executable;
  const manager = runtimes ?? new RuntimeManager();
  const definition = (await manager.definitions()).definitions.find((entry) => entry.name === handler.runtime);
  if (!definition) {
    const known = (await manager.definitions()).definitions.map((entry) => entry.name);
    throw new Error(
      `the runtime ${JSON.stringify(handler.runtime)} named for it is not a local runtime (known: ` +
        `${[...new Set(known)].join(', ')}); fix its "runtime" in local.lambdaFunctions`,
    );
  }
  return manager.interpreterFor(definition);
}

function runProcess(
  command: string,
  args: string[],
  handler: LocalLambdaHandler,
  event: unknown,
  options: InvokeOptions,
): Promise<{ kind: 'exited'; code: number | null; log: string } | { kind: 'timedOut' | 'stopped'; log: string }> {
  return new Promise((done, fail) => {
    const child = spawn(command, args, {
      cwd: handler.rootDir,
      detached: true,
      stdio: ['pipe', 'pipe', 'pipe'],
      env: {
        ...process.env,
        AWS_LAMBDA_FUNCTION_NAME: lambdaFunctionName(options.functionArn),
        SLIPWAY_LAMBDA_FUNCTION_ARN: options.functionArn,
        SLIPWAY_LAMBDA_DEADLINE_MS: String(Date.now() + options.timeoutMs),
        PYTHONUNBUFFERED: '1',
      },
    });
    let log = '';
    const keep = (chunk: Buffer) => {
      log = (log + chunk.toString('utf8')).slice(-LOG_TAIL_BYTES);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    let ending: 'timedOut' | 'stopped' | undefined;
    const kill = (why: 'timedOut' | 'stopped') => {
      ending ??= why;
      try {
        // The whole group: a handler's own subprocesses end with it.
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        child.kill('SIGKILL');
      }
    };
    const timer = setTimeout(() => kill('timedOut'), options.timeoutMs);
    const onAbort = () => kill('stopped');
    options.signal.addEventListener('abort', onAbort, { once: true });
    child.once('error', (error) => {
      clearTimeout(timer);
      options.signal.removeEventListener('abort', onAbort);
      fail(new Error(`could not start ${command}: ${error.message}`));
    });
    child.once('close', (code) => {
      clearTimeout(timer);
      options.signal.removeEventListener('abort', onAbort);
      done(ending ? { kind: ending, log } : { kind: 'exited', code, log });
    });
    child.stdin.on('error', () => undefined);
    child.stdin.end(JSON.stringify(event ?? {}));
    if (options.signal.aborted) onAbort();
  });
}
