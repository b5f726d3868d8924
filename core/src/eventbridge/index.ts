export * from './event-envelope.js';
export * from './event-pattern.js';
export * from './event-pattern-matching.js';
export * from './input-transformer.js';
export * from './sagemaker-events.js';
