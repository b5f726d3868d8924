#!/usr/bin/env node
// The installed entry point: runs the compiled CLI. `npm install` (prepare) and `npm run setup` build it.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const compiled = new URL('../dist/main.js', import.meta.url);
if (!existsSync(fileURLToPath(compiled))) {
  process.stderr.write('slipway: the CLI is not built yet; run `npm run setup` at the repository root.\n');
  process.exit(1);
}
const { main } = await import(compiled.href);
process.exitCode = await main(process.argv.slice(2));
