export * from './event-pattern.js';
export * from './input-transformer.js';
export * from './repository-dispatch.js';
