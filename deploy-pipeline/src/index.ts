export * from './names.js';
export * from './cdk-context.js';
export * from './config/stage-config.js';
export * from './endpoint-spec.js';
export * from './model-package-arn.js';
export * from './events/index.js';
export * from './deploy/index.js';
export * from './bootstrap/index.js';
