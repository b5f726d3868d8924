import { existsSync } from 'node:fs';
import { findProjectConfig, loadProjectConfig, type LoadedProjectConfig } from '@slipway/core';
import { defaultSamplesPath, loadLabelledSamples } from '@slipway/deploy-pipeline';
import { localConsole, localDeployWorkflow, type LocalConsole } from '@slipway/studio';
import type { CliContext } from './context.js';
import { localActor } from './commands/service-connection.js';
import { deployRunStore } from './local-deploy.js';

/** The project around the working directory, if there is one. */
export function projectIfAny(context: CliContext): LoadedProjectConfig | undefined {
  return findProjectConfig(context.cwd, context.env)
    ? loadProjectConfig({ cwd: context.cwd, env: context.env })
    : undefined;
}

/** The reviews the console's invoke form offers: the deploy tests' labelled samples, when the project has them. */
export function sampleReviews(project: LoadedProjectConfig | undefined): string[] {
  const path = project ? defaultSamplesPath(project.rootDir) : undefined;
  if (!path || !existsSync(path)) return [];
  return loadLabelledSamples(path).map((sample) => sample.text);
}

/**
 * Slipway Studio for `slipway local up`: mounted on the server's port, acting as the person at this machine,
 * with the project's deploy workflow (its runs in `<dataDir>/deploy/`, Promote through the server `server()` gives).
 */
export function projectConsole(
  context: CliContext,
  dataDir: string,
  server: () => { readonly url: string; readonly credentials: { accessKeyId: string; secretAccessKey: string } },
): LocalConsole {
  const project = projectIfAny(context);
  return localConsole({
    actor: localActor(context.env),
    ...(project ? { project, deploy: localDeployWorkflow({ project, runs: deployRunStore(dataDir), server }) } : {}),
    samples: sampleReviews(project),
  });
}
