#!/usr/bin/env node
// Bundles a JavaScript action, actions/<name>/src/index.ts, into one committed file, actions/<name>/dist/index.js,
// that the runner executes with no node_modules. Usage:
//   node scripts/bundle-action.mjs <action-dir> [--outfile <file>]
// --outfile writes elsewhere (the freshness test rebuilds into a temporary file and compares).
//
// Output: an ES module (the action's package.json says "type": "module"; @actions/core 3 is ESM-only) with
// syntax for Node 20, the oldest runtime that runs it here, while action.yml declares `runs.using: node24`,
// the runtime GitHub's runners default to since June 2026 (Node 20 leaves the runners in autumn 2026).
// Workspace packages are taken from their TypeScript sources (the "slipway-source" export condition), and
// ESM builds of dependencies are preferred so that unused AWS SDK code is left out. The build is
// deterministic: paths in the bundle are relative to the repository root whatever the current folder.
import { build } from 'esbuild';
import { existsSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

export async function bundleAction(actionDir, outfile = join(actionDir, 'dist', 'index.js')) {
  const entry = join(actionDir, 'src', 'index.ts');
  if (!existsSync(entry)) throw new Error(`${relative(root, entry)} does not exist`);
  await build({
    absWorkingDir: root,
    entryPoints: [relative(root, entry)],
    outfile,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'esm',
    conditions: ['slipway-source'],
    mainFields: ['module', 'main'],
    // Bundled CommonJS dependencies still call require(); give the ES module one.
    banner: {
      js: "import { createRequire as __slipwayCreateRequire } from 'node:module';\nconst require = __slipwayCreateRequire(import.meta.url);",
    },
    // Minified with names kept: the runner parses the whole bundle before the action's first AWS call.
    minify: true,
    keepNames: true,
    legalComments: 'eof',
    charset: 'utf8',
    logLevel: 'warning',
  });
}

const isMain = process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (isMain) {
  const args = process.argv.slice(2);
  const outIndex = args.indexOf('--outfile');
  const outfile = outIndex >= 0 ? resolve(args[outIndex + 1] ?? '') : undefined;
  const actionDir = args.find((arg, index) => !arg.startsWith('--') && (outIndex < 0 || index !== outIndex + 1));
  if (!actionDir || (outIndex >= 0 && !args[outIndex + 1])) {
    process.stderr.write('usage: node scripts/bundle-action.mjs <action-dir> [--outfile <file>]\n');
    process.exit(2);
  }
  try {
    await bundleAction(resolve(actionDir), outfile);
  } catch (error) {
    process.stderr.write(`bundle-action: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  }
}
