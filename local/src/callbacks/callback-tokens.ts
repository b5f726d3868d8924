import { newCallbackToken } from '../engine/naming.js';

/** What SendPipelineExecutionStepSuccess/Failure tell a waiting Callback step. */
export type CallbackResult =
  | { readonly status: 'Succeeded'; readonly outputs: Readonly<Record<string, string>> }
  | { readonly status: 'Failed'; readonly failureReason: string };

interface Waiting {
  readonly executionArn: string;
  readonly stepName: string;
  readonly settle: (result: CallbackResult) => void;
}

/**
 * The tokens of Callback steps that wait: a step issues one and waits; SendPipelineExecutionStepSuccess or
 * SendPipelineExecutionStepFailure settles it. A token is good once; one of an execution that stopped or ended is
 * unknown.
 */
export class CallbackTokens {
  private readonly waiting = new Map<string, Waiting>();

  /** A new token and the promise its answer settles (or undefined when `signal` aborts first). */
  issue(
    executionArn: string,
    stepName: string,
    signal: AbortSignal,
  ): { token: string; answer: Promise<CallbackResult | undefined> } {
    const token = newCallbackToken();
    const answer = new Promise<CallbackResult | undefined>((resolve) => {
      const abort = () => {
        this.waiting.delete(token);
        resolve(undefined);
      };
      signal.addEventListener('abort', abort, { once: true });
      this.waiting.set(token, {
        executionArn,
        stepName,
        settle: (result) => {
          signal.removeEventListener('abort', abort);
          this.waiting.delete(token);
          resolve(result);
        },
      });
      if (signal.aborted) abort();
    });
    return { token, answer };
  }

  /** Settles a token; returns the execution it belonged to, or undefined for an unknown token. */
  settle(token: string, result: CallbackResult): string | undefined {
    const entry = this.waiting.get(token);
    if (!entry) return undefined;
    entry.settle(result);
    return entry.executionArn;
  }
}
