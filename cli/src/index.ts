export { main } from './main.js';
export { Output } from './output.js';
export type { CliContext } from './context.js';
