export * from './image-uri.js';
export * from './image-notes.js';
export * from './runtime-definition.js';
export * from './builtin-runtimes.js';
export * from './runtime-catalog.js';
export * from './python.js';
export * from './venv-builder.js';
export * from './runtime-manager.js';
