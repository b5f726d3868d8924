// The build side's AWS I/O: what the GitHub action and `slipway pipeline run` share. Nothing here imports the
// DSL or the compiler at run time, so the action's bundle carries none of it (it compiles with the
// repository's own copy, the one the pipeline module imports).
export * from './run-types.js';
export * from './aws-errors.js';
export * from './clock.js';
export * from './parameters.js';
export * from './source-context.js';
export * from './upload-assets.js';
export * from './model-package-group.js';
export * from './upsert-pipeline.js';
export * from './champion.js';
export * from './start-execution.js';
export * from './poll-schedule.js';
export * from './execution-steps.js';
export * from './follow-execution.js';
export * from './evaluation-report.js';
export * from './definition-graph.js';
export * from './format.js';
export * from './describe-run-event.js';
export * from './summary.js';
export * from './run-pipeline.js';
export * from './s3-objects.js';
export * from './model-card.js';
