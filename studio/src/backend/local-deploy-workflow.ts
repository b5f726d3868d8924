import { join } from 'node:path';
import type { LoadedProjectConfig } from '@slipway/core';
import { promoteWaitingRun, type DeployRunStore } from '@slipway/deploy-pipeline';
import type { DeployWorkflowAccess } from './studio-backend.js';

/**
 * The local deploy workflow for the console: the runs `slipway deploy dispatch` records, and the production
 * gate opened with the same `promoteWaitingRun` that `slipway deploy promote` calls, deploying through the
 * server's SageMaker API at `serverUrl()`.
 */
export function localDeployWorkflow(options: {
  readonly project: LoadedProjectConfig;
  readonly runs: DeployRunStore;
  readonly serverUrl: () => string;
}): DeployWorkflowAccess {
  const { project, runs } = options;
  return {
    runsDir: join(runs.dir, 'runs'),
    listRuns: () => runs.list(),
    async promote() {
      await promoteWaitingRun({
        project,
        runs,
        backend: { kind: 'local', region: project.region, endpoint: options.serverUrl() },
      });
    },
  };
}
