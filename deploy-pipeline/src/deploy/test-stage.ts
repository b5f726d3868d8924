import { isAbsolute, join } from 'node:path';
import { loadProjectConfig, type Backend, type LoadedProjectConfig } from '@slipway/core';
import { loadStageConfig, type EndpointTestThresholds } from '../config/stage-config.js';
import { endpointName } from '../names.js';
import { DEFAULT_SAMPLES_PATH, loadLabelledSamples } from './endpoint-samples.js';
import type { EndpointTestOptions } from './test-endpoint.js';

export interface StageTestOptions {
  readonly stage: string;
  readonly backend: Backend;
  /** @default - loadProjectConfig() from the working directory */
  readonly project?: LoadedProjectConfig;
  /** JSON Lines of labelled reviews, absolute or relative to the repository root. @default DEFAULT_SAMPLES_PATH */
  readonly samplesPath?: string;
  /** @default the stage's endpoint */
  readonly endpointName?: string;
  /** Overrides of the stage config's `endpointTests`. */
  readonly thresholds?: Partial<EndpointTestThresholds>;
  readonly log?: (message: string) => void;
}

/**
 * The endpoint tests of one stage as the deploy workflow runs them: the stage's endpoint, the labelled
 * samples kept with the deploy code, the thresholds of `config/<stage>.json` (unless overridden). The
 * test-endpoint action, `slipway deploy test` and the local deploy workflow all pass this to `testEndpoint`.
 * Throws a ValidationError for an unknown stage or an unreadable samples file.
 */
export function stageTestOptions(options: StageTestOptions): EndpointTestOptions {
  const project = options.project ?? loadProjectConfig();
  const configured = loadStageConfig(project, options.stage).endpointTests;
  const samplesPath = options.samplesPath ?? DEFAULT_SAMPLES_PATH;
  return {
    endpointName: options.endpointName || endpointName(project, options.stage),
    samples: loadLabelledSamples(isAbsolute(samplesPath) ? samplesPath : join(project.rootDir, samplesPath)),
    thresholds: {
      minAccuracy: options.thresholds?.minAccuracy ?? configured.minAccuracy,
      maxP95LatencyMs: options.thresholds?.maxP95LatencyMs ?? configured.maxP95LatencyMs,
    },
    backend: options.backend,
    ...(options.log ? { log: options.log } : {}),
  };
}
