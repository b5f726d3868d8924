#!/usr/bin/env node
// Bundles the action into dist/index.js, the file the runner executes: one ES module with everything the
// action imports (its sources and the workspace packages through the slipway-source condition, @actions/core
// and the AWS SDK), so it starts without node_modules. `node bundle.mjs [actionDir] [--out FILE]`; the
// action dir defaults to this folder, so a shared bundler for every action can take this one's place.
import { mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const args = process.argv.slice(2);
const outIndex = args.indexOf('--out');
const actionDir = resolve(
  args.find((arg, index) => !arg.startsWith('--') && index !== outIndex + 1) ?? dirname(fileURLToPath(import.meta.url)),
);
const outfile = outIndex >= 0 ? resolve(args[outIndex + 1]) : join(actionDir, 'dist', 'index.js');
mkdirSync(dirname(outfile), { recursive: true });

await build({
  entryPoints: [join(actionDir, 'src', 'index.ts')],
  outfile,
  bundle: true,
  platform: 'node',
  format: 'esm',
  // The runner uses node24 (action.yml); node20 syntax keeps the bundle runnable by the Node 20 tests run on.
  target: 'node20',
  conditions: ['slipway-source'],
  mainFields: ['module', 'main'],
  minify: true,
  keepNames: true,
  legalComments: 'eof',
  // A few CommonJS dependencies call require(); an ES module has none unless it makes one.
  banner: {
    js: "import { createRequire as __slipwayCreateRequire } from 'node:module'; const require = __slipwayCreateRequire(import.meta.url);",
  },
  logLevel: 'warning',
});
process.stdout.write(`bundled ${outfile}\n`);
