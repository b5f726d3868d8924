export * from './app.js';
export * from './approval-route.js';
export * from './artifact-storage.js';
export * from './endpoint-stack.js';
export * from './github-oidc-roles.js';
export * from './monitoring-stack.js';
export * from './project-stack.js';
export * from './cli-credentials-synthesizer.js';
