import { join } from 'node:path';
import type { LoadedProjectConfig } from '@slipway/core';

/** The keys the local server verifies its callers' signatures with. */
type LocalServerCredentials = { readonly accessKeyId: string; readonly secretAccessKey: string };
import { promoteWaitingRun, type DeployRunStore } from '@slipway/deploy-pipeline';
import type { DeployWorkflowAccess } from './studio-backend.js';

/**
 * The local deploy workflow for the console: the runs `slipway deploy dispatch` records, and the production
 * gate opened with the same `promoteWaitingRun` that `slipway deploy promote` calls, deploying through the
 * server's SageMaker API (`server()`: its URL and the credentials its requests are signed with).
 */
export function localDeployWorkflow(options: {
  readonly project: LoadedProjectConfig;
  readonly runs: DeployRunStore;
  readonly server: () => { readonly url: string; readonly credentials: LocalServerCredentials };
}): DeployWorkflowAccess {
  const { project, runs } = options;
  return {
    runsDir: join(runs.dir, 'runs'),
    listRuns: () => runs.list(),
    async promote() {
      const server = options.server();
      await promoteWaitingRun({
        project,
        runs,
        backend: { kind: 'local', region: project.region, endpoint: server.url, credentials: server.credentials },
      });
    },
  };
}
