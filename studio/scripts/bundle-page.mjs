#!/usr/bin/env node
// Bundles the console's page (page/main.tsx, Preact and dagre included) into dist/page: index.html,
// studio.js and studio.css. Nothing is loaded from elsewhere at run time, so the console works offline.
// `node scripts/bundle-page.mjs [--out DIR] [--quiet]`; `npm run setup` runs it.
import { copyFile, mkdir, readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';

const studio = join(dirname(fileURLToPath(import.meta.url)), '..');

/** Builds the page into `outdir` (default dist/page); resolves with each file's size, raw and gzipped. */
export async function bundlePage({ outdir = join(studio, 'dist', 'page') } = {}) {
  await mkdir(outdir, { recursive: true });
  await build({
    absWorkingDir: studio,
    entryPoints: { studio: join(studio, 'page', 'main.tsx') },
    outdir,
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: ['es2022', 'chrome110', 'firefox110', 'safari16'],
    minify: true,
    jsx: 'automatic',
    jsxImportSource: 'preact',
    legalComments: 'eof',
    logLevel: 'warning',
  });
  await copyFile(join(studio, 'page', 'index.html'), join(outdir, 'index.html'));
  const sizes = {};
  for (const name of ['index.html', 'studio.js', 'studio.css']) {
    const bytes = await readFile(join(outdir, name));
    sizes[name] = { bytes: bytes.length, gzipped: gzipSync(bytes, { level: 9 }).length };
  }
  return { outdir, sizes };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const at = process.argv.indexOf('--out');
  const result = await bundlePage(at > 0 ? { outdir: process.argv[at + 1] } : {});
  if (!process.argv.includes('--quiet')) {
    const total = Object.values(result.sizes).reduce((sum, size) => sum + size.gzipped, 0);
    const line = Object.entries(result.sizes)
      .map(
        ([name, size]) =>
          `${name} ${(size.bytes / 1024).toFixed(1)} KiB (${(size.gzipped / 1024).toFixed(1)} KiB gzipped)`,
      )
      .join(', ');
    process.stdout.write(`studio page: ${line}; ${(total / 1024).toFixed(1)} KiB gzipped in all → ${result.outdir}\n`);
  }
}
