export * from './oidc-subject.js';
export * from './run-title.js';
export * from './workflow-runs.js';
export * from './deploy-workflow-file.js';
