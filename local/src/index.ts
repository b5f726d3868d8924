export * from './storage/object-key.js';
export * from './storage/object-store.js';
export * from './runners/job-runner.js';
export * from './archive/index.js';
export * from './runtimes/index.js';
export * from './runners/index.js';
export * from './serving/index.js';
