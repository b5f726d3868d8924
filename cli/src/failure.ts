import { ValidationError, type ValidationIssue } from '@slipway/core';

/**
 * The exit codes of every slipway command, as `slipway --help` and the README list them: the common
 * convention of command-line tools (2 for a command line the tool could not parse, 1 for everything else).
 */
export const EXIT_CODES = Object.freeze({
  /** The command did what was asked (for `deploy test`: the endpoint passed). */
  success: 0,
  /** Bad input (a ValidationError), a service's error, an unreachable server, a failed run or test. */
  failure: 1,
  /** The command line itself: an unknown command or option, a missing argument, conflicting options. */
  usage: 2,
});

/** Set to print the stack trace of an unexpected error. */
export const DEBUG_ENV = 'SLIPWAY_DEBUG';

/**
 * An expected failure the CLI reports in one line, without a stack: a service's answer, a server that does
 * not answer. `hint` says what to do about it.
 */
export class CommandFailure extends Error {
  override readonly name = 'CommandFailure';

  constructor(
    message: string,
    readonly hint?: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** How a failed command is reported: on stderr for a person, and as `{"error": …}` on stdout with --json. */
export type FailureReport =
  | { readonly kind: 'usage'; readonly message: string }
  | { readonly kind: 'validation'; readonly message: string; readonly issues: readonly ValidationIssue[] }
  | { readonly kind: 'service'; readonly name: string; readonly message: string; readonly hint?: string }
  | { readonly kind: 'failure'; readonly message: string; readonly hint?: string }
  | { readonly kind: 'unexpected'; readonly name: string; readonly message: string };

/** An error from AWS (or the local server) rather than from Slipway: the SDK's exceptions carry `$metadata`. */
export function isServiceError(error: unknown): error is Error {
  return (
    error instanceof Error &&
    (('$metadata' in error && error.name !== 'Error') ||
      error.name === 'CredentialsProviderError' ||
      error.name === 'TimeoutError')
  );
}

/** The errno code of a failed connection (ECONNREFUSED, ...), from the error or its cause. */
export function connectionErrorCode(error: unknown): string | undefined {
  if (!(error instanceof Error)) return undefined;
  const code = (error as NodeJS.ErrnoException).code ?? (error.cause as NodeJS.ErrnoException | undefined)?.code;
  return code === 'ECONNREFUSED' || code === 'ECONNRESET' ? code : undefined;
}

/** What went wrong, in the terms the CLI reports it in. */
export function describeFailure(error: unknown): FailureReport {
  if (error instanceof ValidationError) return { kind: 'validation', message: error.message, issues: error.issues };
  if (error instanceof CommandFailure) {
    return { kind: 'failure', message: error.message, ...(error.hint ? { hint: error.hint } : {}) };
  }
  if (isServiceError(error)) {
    return {
      kind: 'service',
      name: error.name,
      message: error.message,
      ...(error.name === 'CredentialsProviderError'
        ? { hint: 'configure AWS credentials (aws configure, AWS_PROFILE or environment variables), or use --local' }
        : {}),
    };
  }
  if (error instanceof Error) return { kind: 'unexpected', name: error.name, message: error.message };
  return { kind: 'unexpected', name: typeof error, message: String(error) };
}

/** The report's one line for a person (after `error: `). */
export function failureLine(report: FailureReport): string {
  return report.kind === 'service' || report.kind === 'unexpected'
    ? `${report.name}: ${report.message}`
    : report.message;
}
