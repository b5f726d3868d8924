import { isAbsolute, relative, resolve } from 'node:path';
import { LAMBDA_HANDLER_FILES, PROJECT_CONFIG_FILE, type LocalLambdaFunction } from '@slipway/core';

/** The project's `local.lambdaFunctions`, and the folder its handler files are relative to. */
export interface LambdaFunctionsConfig {
  /** The repository root (the folder of `slipway.config.json`). */
  readonly rootDir: string;
  readonly functions: Readonly<Record<string, LocalLambdaFunction>>;
}

/** A Lambda function's local handler, ready to run. */
export interface LocalLambdaHandler {
  /** The `local.lambdaFunctions` key it was found under. */
  readonly key: string;
  readonly language: 'python' | 'node';
  /** Absolute path of the handler file. */
  readonly file: string;
  readonly functionName: string;
  /** Python only: the runtime named in the config. */
  readonly runtime?: string;
  /** The folder the handler runs in (the repository root). */
  readonly rootDir: string;
}

/** Where a missing function goes, for messages. */
export const LAMBDA_FUNCTIONS_SETTING = `local.lambdaFunctions in ${PROJECT_CONFIG_FILE}`;

/**
 * The function name in a Lambda ARN (`arn:aws:lambda:REGION:ACCOUNT:function:NAME[:QUALIFIER]`), or the text
 * itself when it is a name already.
 */
export function lambdaFunctionName(arnOrName: string): string {
  const match = /^arn:[^:]+:lambda:[^:]*:[^:]*:function:([^:]+)(?::[^:]+)?$/.exec(arnOrName);
  return match ? match[1]! : arnOrName;
}

/** Looks up a Lambda step's FunctionArn in the project's `local.lambdaFunctions`. */
export class LocalLambdaFunctions {
  private readonly config: LambdaFunctionsConfig | undefined;

  constructor(config?: LambdaFunctionsConfig) {
    this.config = config;
  }

  /** The configured keys, for messages. */
  get keys(): string[] {
    return Object.keys(this.config?.functions ?? {});
  }

  /** The handler for an ARN: an entry under the exact ARN first, else one under its function name. */
  find(functionArn: string): LocalLambdaHandler | undefined {
    if (!this.config) return undefined;
    const functions = this.config.functions;
    const name = lambdaFunctionName(functionArn);
    const key = [functionArn, name].find((candidate) => Object.prototype.hasOwnProperty.call(functions, candidate));
    if (key === undefined) return undefined;
    const entry = functions[key]!;
    const file = resolve(this.config.rootDir, entry.file);
    const inside = relative(this.config.rootDir, file);
    if (inside.startsWith('..') || isAbsolute(inside)) return undefined;
    return {
      key,
      language: LAMBDA_HANDLER_FILES.python.test(entry.file) ? 'python' : 'node',
      file,
      functionName: entry.function ?? 'handler',
      rootDir: this.config.rootDir,
      ...(entry.runtime !== undefined ? { runtime: entry.runtime } : {}),
    };
  }

  /** What to add to the config for an unmapped function, in words. */
  static fix(functionArn: string): string {
    const example = JSON.stringify({
      local: {
        lambdaFunctions: { [lambdaFunctionName(functionArn)]: { file: 'lambdas/handler.py', function: 'handler' } },
      },
    });
    return `map it to a local handler in ${LAMBDA_FUNCTIONS_SETTING}, e.g. ${example}, and restart \`slipway local up\``;
  }
}
