// The entry the runner executes (bundled into dist/index.js): everything else lives in main.ts.
import { run } from './main.js';

void run();
