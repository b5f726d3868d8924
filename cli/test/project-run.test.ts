import { describe, expect, it } from '@jest/globals';
import { join } from 'node:path';
import { loadProjectConfig } from '@slipway/core';
import { runPipelineProject } from '../src/project-run.js';

const config = loadProjectConfig({ path: join(import.meta.dirname, '..', '..', 'slipway.config.json') });

describe('runPipelineProject: what `pipeline run` and the demo tag the pipeline and model package group with', () => {
  it("is the config's own name and id, or its Studio project when it has one", () => {
    expect(runPipelineProject(config)).toEqual({ name: 'sentiment', id: config.projectId });
    expect(
      runPipelineProject({
        ...config,
        sagemakerProject: { projectName: 'reviews-studio', projectId: 'p-studio000042' },
      }),
    ).toEqual({ name: 'reviews-studio', id: 'p-studio000042' });
  });
});
