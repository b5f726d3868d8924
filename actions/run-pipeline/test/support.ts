import { join } from 'node:path';
import { runAction } from '../../../test/support/run-action.js';

export const REPO = join(import.meta.dirname, '..', '..', '..');
export const DIST = join(REPO, 'actions', 'run-pipeline', 'dist', 'index.js');

export interface ActionRun {
  readonly code: number | null;
  readonly log: string;
  readonly outputs: Record<string, string>;
  readonly summary: string;
}

/**
 * Runs the bundled action the way the runner does (through the repository's one runner emulation,
 * `test/support/run-action.ts`), in the workspace, with a push's GITHUB_* context.
 * Asynchronous, so a server in the test's own process keeps answering.
 */
export async function runBundledAction(
  inputs: Record<string, string>,
  /** More environment: GITHUB_* context, and the AWS credentials a run against `endpoint-url` signs with. */
  github: Record<string, string> = {},
): Promise<ActionRun> {
  const run = await runAction(DIST, inputs, {
    cwd: REPO,
    env: {
      GITHUB_ACTIONS: 'true',
      GITHUB_SERVER_URL: 'https://github.com',
      GITHUB_REPOSITORY: 'acme/sentiment',
      GITHUB_SHA: '5ca1ab1e00000000000000000000000000000000',
      GITHUB_RUN_ID: '1001',
      GITHUB_RUN_ATTEMPT: '1',
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      ...github,
    },
  });
  const separator = run.stdout && run.stderr && !run.stdout.endsWith('\n') ? '\n' : '';
  return {
    code: run.exitCode,
    log: `${run.stdout}${separator}${run.stderr}`,
    outputs: run.outputs,
    summary: run.summary,
  };
}
