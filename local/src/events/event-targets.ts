import { spawn } from 'node:child_process';
import {
  ValidationError,
  describeValue,
  validateInputTransformer,
  type EventBridgeEvent,
  type InputTransformer,
} from '@slipway/core';

interface TargetBase {
  /** Unique within its rule, as EventBridge's target Id. */
  readonly id: string;
  /** Builds the delivered input from the event; without it the whole event is delivered as JSON. */
  readonly inputTransformer?: InputTransformer;
  /** Give up on one attempt after this long. Default 30 s. */
  readonly timeoutMs?: number;
}

/** Runs a program (no shell) with the input on stdin; exit code 0 means delivered. */
export interface CommandTarget extends TargetBase {
  readonly type: 'command';
  readonly command: readonly string[];
  readonly cwd?: string;
  readonly env?: Readonly<Record<string, string>>;
}

/** POSTs the input as JSON; any 2xx status means delivered. */
export interface HttpTarget extends TargetBase {
  readonly type: 'http';
  readonly url: string;
  readonly headers?: Readonly<Record<string, string>>;
}

/** Calls a function in this process; resolving means delivered. Not persisted across restarts. */
export interface HandlerTarget extends TargetBase {
  readonly type: 'handler';
  readonly handler: (event: EventBridgeEvent, input: string) => unknown;
}

export type EventTarget = CommandTarget | HttpTarget | HandlerTarget;

/** Targets that can be written to the database (handlers live only in memory). */
export type PersistableTarget = CommandTarget | HttpTarget;

export function validateTarget(target: EventTarget, where: string): void {
  const fail = (field: string, problem: string, fix?: string): never => {
    throw new ValidationError({ where, field, problem, ...(fix ? { fix } : {}) });
  };
  if (typeof target.id !== 'string' || !/^[.\-_A-Za-z0-9]{1,64}$/.test(target.id)) {
    fail('id', `must be 1-64 letters, digits, dots, hyphens or underscores, got ${describeValue(target.id)}`);
  }
  if (target.type === 'command') {
    if (
      !Array.isArray(target.command) ||
      target.command.length === 0 ||
      !target.command.every((a) => typeof a === 'string')
    ) {
      fail(
        'command',
        `must be a non-empty list of strings (program and arguments), got ${describeValue(target.command)}`,
      );
    }
  } else if (target.type === 'http') {
    let url: URL | undefined;
    try {
      url = new URL(target.url);
    } catch {
      url = undefined;
    }
    if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
      fail('url', `must be an http:// or https:// URL, got ${describeValue(target.url)}`);
    }
  } else if (target.type === 'handler') {
    if (typeof target.handler !== 'function') fail('handler', 'must be a function');
  } else {
    fail('type', `must be "command", "http" or "handler", got ${describeValue((target as { type?: unknown }).type)}`);
  }
  if (target.inputTransformer) validateInputTransformer(target.inputTransformer, `${where}.inputTransformer`);
}

/** Delivers one input to one target; throws with a readable reason when the target refuses it. */
export async function deliverToTarget(target: EventTarget, event: EventBridgeEvent, input: string): Promise<void> {
  const timeoutMs = target.timeoutMs ?? 30_000;
  if (target.type === 'handler') {
    await withTimeout(
      Promise.resolve().then(() => target.handler(event, input)),
      timeoutMs,
      'handler',
    );
    return;
  }
  if (target.type === 'http') {
    const response = await fetch(target.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...target.headers },
      body: input,
      signal: AbortSignal.timeout(timeoutMs),
    });
    const text = await response.text().catch(() => '');
    if (!response.ok) throw new Error(`HTTP ${response.status} from ${target.url}: ${text.slice(0, 300)}`);
    return;
  }
  await runCommand(target, input, timeoutMs);
}

function runCommand(target: CommandTarget, input: string, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const [program, ...args] = target.command as [string, ...string[]];
    const child = spawn(program, args, {
      cwd: target.cwd,
      env: { ...process.env, ...target.env },
      stdio: ['pipe', 'ignore', 'pipe'],
      timeout: timeoutMs,
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString('utf8')).slice(-2000);
    });
    child.stdin.on('error', () => {
      // The program may exit without reading its input; its exit code still decides.
    });
    child.on('error', (error) => reject(new Error(`could not run ${program}: ${error.message}`)));
    child.on('close', (code, signal) => {
      if (code === 0) resolve();
      else reject(new Error(`${program} exited with ${signal ?? `code ${code}`}${stderr ? `: ${stderr.trim()}` : ''}`));
    });
    child.stdin.end(input);
  });
}

async function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`${what} did not finish within ${ms} ms`)), ms);
        timer.unref();
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}
