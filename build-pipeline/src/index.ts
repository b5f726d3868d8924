// DSL: the authoring objects.
export * from './dsl/pipeline-variable.js';
export * from './dsl/parameters.js';
export * from './dsl/execution-variables.js';
export * from './dsl/join.js';
export * from './dsl/json-get.js';
export * from './dsl/property-file.js';
export * from './dsl/file-asset.js';
export * from './dsl/pipeline.js';
export * from './conditions/conditions.js';
export * from './properties/property-tree.js';
export type { PropertyRoot, PropertyRoots } from './properties/property-roots.js';
export * from './properties/step-property.js';
export * from './steps/step.js';
export * from './steps/retry-policy.js';
export * from './steps/cache-config.js';
export * from './steps/processing-step.js';
export * from './steps/model-data-checksum.js';
// Where training jobs write models: a fact of @slipway/core, here so that pipeline modules import one package.
export { MODEL_ARTIFACTS_PREFIX, modelArtifactsUri } from '@slipway/core';
export * from './steps/training-step.js';
export * from './steps/condition-step.js';
export * from './steps/fail-step.js';
export * from './steps/register-model.js';
export * from './steps/create-model-step.js';
export type { Tag, NetworkConfig } from './jobs/common.js';
export * from './jobs/processor.js';
export * from './jobs/estimator.js';
export * from './jobs/framework-estimator.js';
export * from './jobs/sklearn-estimator.js';
export * from './jobs/pytorch-estimator.js';
export type { TrainingInput, TrainingInputs } from './jobs/training-input.js';
export * from './jobs/model.js';
export * from './jobs/framework-model.js';
export type { MetricsSource, FileSource, ModelMetrics, DriftCheckBaselines } from './jobs/model-metrics.js';
export * from './images/image-uri.js';
// Compiler: the one entry point from DSL to document.
export * from './compiler/compile.js';
export type { CompileWarning } from './compiler/step-compiler.js';
export * from './assets/asset.js';
// Document: the definition JSON's types.
export * from './definition/types.js';
// Loading the project's pipeline module (CLI, GitHub action, local runs).
export * from './loader/pipeline-context.js';
export * from './loader/load-pipeline.js';
// Running it: the AWS calls the GitHub action and the CLI share, and the compile step they start with.
export * from './run/index.js';
export * from './run/compile-for-run.js';
