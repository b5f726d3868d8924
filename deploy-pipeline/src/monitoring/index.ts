export * from './drift-event.js';
export * from './drift-check.js';
export * from './retrain-gate.js';
