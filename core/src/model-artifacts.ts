import type { ProjectConfig } from './project-config.js';

/**
 * Where trained models live in the artifact bucket, and how a registered version records what its model data
 * was. Only training jobs may write under the prefix (ProjectStack's bucket policy); the deploy logic
 * refuses a version whose model data is elsewhere, or differs from what was recorded when it was registered.
 */

/** The key prefix of every model artifact in the artifact bucket. */
export const MODEL_ARTIFACTS_PREFIX = 'models/';

/** The S3 location a pipeline's training jobs write their models under (the estimators' `output_path`). */
export function modelArtifactsUri(config: Pick<ProjectConfig, 'artifactBucket' | 'pipelineName'>): string {
  return `s3://${config.artifactBucket}/${MODEL_ARTIFACTS_PREFIX}${config.pipelineName}`;
}

/**
 * The CustomerMetadataProperties key holding the SHA-256 (hex) of a version's model data, as registered:
 * `slipway:model-data-sha256` for its first container, `slipway:model-data-sha256:<n>` for container n > 0.
 */
export function modelDataChecksumKey(containerIndex = 0): string {
  return containerIndex === 0 ? 'slipway:model-data-sha256' : `slipway:model-data-sha256:${containerIndex}`;
}
