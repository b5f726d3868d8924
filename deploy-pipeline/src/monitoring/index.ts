export * from './drift-event.js';
export * from './drift-check.js';
export * from './retrain-gate.js';
export * from './drift-metric.js';
export * from './drift-check-pipeline.js';
export * from './s3-retrain-ledger.js';
export * from './monitor-status.js';
