import type { StudioBackend } from '../backend/studio-backend.js';
import type { ExecutionListItem } from '../views.js';

/** What every API function works with: the backend, and what is worth remembering between requests. */
export interface ConsoleContext {
  readonly backend: StudioBackend;
  /** Executions that have ended never change again: their summaries are read once. */
  readonly endedExecutions: Map<string, ExecutionListItem>;
  /** Evaluation reports by S3 URI: a registered version's report is written once. */
  readonly reports: Map<string, unknown>;
  /** Reviews the invoke form offers (the deploy tests' labelled samples). */
  readonly samples: readonly string[];
}

export function consoleContext(backend: StudioBackend, samples: readonly string[] = []): ConsoleContext {
  return { backend, endedExecutions: new Map(), reports: new Map(), samples };
}
