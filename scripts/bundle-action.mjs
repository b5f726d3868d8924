#!/usr/bin/env node
// Bundles a JavaScript action, actions/<name>/src/index.ts, into committed files that the runner executes with
// no node_modules: actions/<name>/dist/main.js (the bundle), dist/main.js.map (its source map) and dist/index.js
// (action.yml's `main`), a two-line loader that turns Node's source maps on before it loads the bundle, so a
// failure's stack names the lines of src/ rather than of the minified bundle. Usage:
//   node scripts/bundle-action.mjs <action-dir> [--outdir <dir>]
// --outdir writes the same files elsewhere (the freshness test rebuilds into a temporary folder and compares);
// the map's paths are always those of actions/<name>/dist, so the files are the same wherever they are written.
//
// Output: an ES module (the action's package.json says "type": "module"; @actions/core 3 is ESM-only) with
// syntax for Node 20, the oldest runtime that runs it here, while action.yml declares `runs.using: node24`,
// the runtime GitHub's runners default to since June 2026 (Node 20 leaves the runners in autumn 2026).
// Workspace packages are taken from their TypeScript sources (the "slipway-source" export condition), and
// ESM builds of dependencies are preferred so that unused AWS SDK code is left out. The build is
// deterministic: paths in the bundle are relative to the repository root whatever the current folder.
import { build } from 'esbuild';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** The files of dist/, by name, besides the bundle and its map. */
export const LOADER = [
  '// The entry action.yml runs: turns source maps on, so that stacks point into src/, then loads the bundle.',
  'process.setSourceMapsEnabled(true);',
  "await import('./main.js');",
  '',
].join('\n');

/** The names of the files `bundleAction` writes into dist/. */
export const DIST_FILES = ['index.js', 'main.js', 'main.js.map'];

export async function bundleAction(actionDir, outdir = join(actionDir, 'dist')) {
  const entry = join(actionDir, 'src', 'index.ts');
  if (!existsSync(entry)) throw new Error(`${relative(root, entry)} does not exist`);
  const dist = join(actionDir, 'dist');
  const result = await build({
    absWorkingDir: root,
    entryPoints: [relative(root, entry)],
    // Laid out for actions/<name>/dist whatever --outdir says, then written there: the same bytes anywhere.
    outfile: join(dist, 'main.js'),
    write: false,
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
    // The map names the sources (src/ and the packages, relative to dist/) without their text: the checkout
    // the action runs in has them, and the map stays small.
    sourcemap: 'linked',
    sourcesContent: false,
    legalComments: 'eof',
    charset: 'utf8',
    logLevel: 'warning',
  });
  mkdirSync(outdir, { recursive: true });
  for (const file of result.outputFiles) writeFileSync(join(outdir, basename(file.path)), file.contents);
  writeFileSync(join(outdir, 'index.js'), LOADER);
}

const isMain = process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (isMain) {
  const args = process.argv.slice(2);
  const outIndex = args.indexOf('--outdir');
  const outdir = outIndex >= 0 ? resolve(args[outIndex + 1] ?? '') : undefined;
  const actionDir = args.find((arg, index) => !arg.startsWith('--') && (outIndex < 0 || index !== outIndex + 1));
  if (!actionDir || (outIndex >= 0 && !args[outIndex + 1])) {
    process.stderr.write('usage: node scripts/bundle-action.mjs <action-dir> [--outdir <dir>]\n');
    process.exit(2);
  }
  try {
    await bundleAction(resolve(actionDir), outdir);
  } catch (error) {
    process.stderr.write(`bundle-action: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  }
}
