import type { LoadedProjectConfig } from '@slipway/core';
import type { Pipeline } from '../dsl/pipeline.js';

/** What a pipeline module is given: the project's settings and where things are. */
export interface PipelineContext {
  /** `slipway.config.json`: pipeline name, model package group, artifact bucket, region, project name and id. */
  readonly config: LoadedProjectConfig;
  /** The SageMaker execution role the pipeline's jobs and models run as. */
  readonly roleArn: string;
  /**
   * The role training jobs run as: the only role that may write model artifacts (`modelArtifactsUri` of
   * @slipway/core) in the project's bucket. The same as `roleArn` when none is given (the local server).
   */
  readonly trainingRoleArn: string;
  /** The folder with the ML code (`seed/`), absolute. */
  readonly seedDir: string;
}

/** The one export a pipeline module must have. */
export type DefinePipeline = (context: PipelineContext) => Pipeline;
