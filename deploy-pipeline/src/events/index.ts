export * from './event-pattern.js';
export * from './repository-dispatch.js';
