export * from './names.js';
export * from './config/stage-config.js';
export * from './endpoint-spec.js';
export * from './events/index.js';
