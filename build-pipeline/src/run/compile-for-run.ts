import { loadProjectConfig } from '@slipway/core';
import { compile } from '../compiler/compile.js';
import type { PipelineDefinition } from '../definition/types.js';
import { compileOptionsFor, loadPipeline, type LoadPipelineOptions } from '../loader/load-pipeline.js';
import { allSteps } from './definition-graph.js';
import type { CompiledPipeline } from './run-types.js';

export interface CompileForRunOptions extends LoadPipelineOptions {
  /** Overrides the config's region (images, experiment config). */
  readonly region?: string;
  /** Overrides the config's artifact bucket (assets, default outputs). */
  readonly bucket?: string;
}

/**
 * Loads and compiles the project's pipeline for a run, with the region and bucket the run uses given to the
 * pipeline module as its config, so every S3 URI in the definition points at the bucket the assets go to.
 */
export async function compilePipelineForRun(options: CompileForRunOptions = {}): Promise<CompiledPipeline> {
  const loadedConfig =
    options.config ?? loadProjectConfig({ cwd: options.cwd ?? process.cwd(), env: options.env ?? process.env });
  const config = {
    ...loadedConfig,
    region: options.region ?? loadedConfig.region,
    artifactBucket: options.bucket ?? loadedConfig.artifactBucket,
  };
  const loaded = await loadPipeline({ ...options, config });
  const result = compile(loaded.pipeline, compileOptionsFor(config));
  return {
    pipelineName: loaded.pipeline.name,
    definition: result.definition,
    json: result.json,
    assets: result.assets,
    roleArn: loaded.context.roleArn,
    modelPackageGroupName: registeredGroup(result.definition) ?? config.modelPackageGroupName,
    warnings: [
      ...loaded.warnings,
      ...result.warnings.map((warning) => `${warning.where}: ${warning.field} ${warning.message}`),
    ],
  };
}

/** The group the definition's RegisterModel step writes to, when it is a literal name. */
function registeredGroup(definition: PipelineDefinition): string | undefined {
  for (const step of allSteps(definition)) {
    const group = step.Type === 'RegisterModel' ? step.Arguments['ModelPackageGroupName'] : undefined;
    if (typeof group === 'string') return group;
  }
  return undefined;
}
