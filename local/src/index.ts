export * from './storage/object-key.js';
export * from './storage/object-store.js';
export * from './runners/job-runner.js';
