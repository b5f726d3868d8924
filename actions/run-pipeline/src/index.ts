// The action's entry point: nothing but the call, so tests import main.ts without running anything.
import { run } from './main.js';

await run();
