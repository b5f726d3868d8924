export * from './model-server.js';
