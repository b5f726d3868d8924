export * from './archive-entry.js';
export * from './extract.js';
export * from './pack.js';
