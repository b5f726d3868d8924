import { loadProjectConfig, type LoadedProjectConfig } from '@slipway/core';
import { join } from 'node:path';
import { REPO_ROOT } from './moto-server.js';

/** Fields to change in the test project; a field given as undefined is left out (a config without it). */
export type ProjectOverrides = { readonly [K in keyof LoadedProjectConfig]?: LoadedProjectConfig[K] | undefined };

/** The repository's own project config (with a GitHub repository, which the stacks need). */
export function testProject(overrides: ProjectOverrides = {}): LoadedProjectConfig {
  const project: LoadedProjectConfig = {
    ...loadProjectConfig({ path: join(REPO_ROOT, 'slipway.config.json') }),
    githubRepository: 'octo-org/sentiment-reviews',
  };
  for (const [field, value] of Object.entries(overrides)) {
    if (value === undefined) Reflect.deleteProperty(project, field);
    else Reflect.set(project, field, value);
  }
  return project;
}
