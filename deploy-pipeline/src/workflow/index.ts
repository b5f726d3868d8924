export * from './deploy-run.js';
export * from './deploy-run-store.js';
export * from './deploy-workflow.js';
export * from './dispatch-request.js';
export * from './deploy-status.js';
