import { loadProjectConfig, type LoadedProjectConfig } from '@slipway/core';
import { join } from 'node:path';
import { REPO_ROOT } from './moto-server.js';

/** The repository's own project config (with a GitHub repository, which the stacks need). */
export function testProject(overrides: Partial<LoadedProjectConfig> = {}): LoadedProjectConfig {
  return {
    ...loadProjectConfig({ path: join(REPO_ROOT, 'slipway.config.json') }),
    githubRepository: 'octo-org/sentiment-reviews',
    ...overrides,
  };
}
