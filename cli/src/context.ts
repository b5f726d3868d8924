import type { Output } from './output.js';

/** What every command receives: how to print, and the environment it runs in (injectable for tests). */
export interface CliContext {
  readonly output: Output;
  readonly cwd: string;
  readonly env: NodeJS.ProcessEnv;
}
