export * from './deterministic-tar.js';
