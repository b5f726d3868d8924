export * from './delivery-history.js';
export * from './deploy-stage.js';
export * from './deployment-journal.js';
export * from './endpoint-samples.js';
export * from './live-deployment.js';
export * from './model-data.js';
export * from './model-lifecycle.js';
export * from './model-package.js';
export * from './predictions.js';
export * from './promote.js';
export * from './rollback.js';
export * from './resolve.js';
export * from './test-endpoint.js';
export * from './wait-for-endpoint.js';
export {
  CDK_APP_DIR,
  CDK_APP_ENTRY,
  cdkAppDir,
  cdkCommand,
  cdkDeployArgs,
  spawnCdk,
  type CdkRunner,
} from './backends/cdk.js';
export * from './test-stage.js';
