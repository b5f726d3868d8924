export * from './validation-error.js';
export * from './sagemaker-names.js';
export * from './arn.js';
export * from './project-config.js';
export * from './backend.js';
export * from './canonical-json.js';
export * from './json-text.js';
export * from './eventbridge/index.js';
