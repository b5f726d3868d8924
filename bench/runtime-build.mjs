#!/usr/bin/env node
// The one-time build of the PyTorch runtime (torch 2.5.1 from PyPI with its CUDA wheels, about 3 GB), then what a
// second project on the same machine pays for it: nothing, because the runtime cache is per user.
//
//   node bench/runtime-build.mjs                 # builds into a fresh scratch cache, then removes it
//   BENCH_RUNTIME_DIR=~/.cache/slipway/runtimes node bench/runtime-build.mjs   # measure against a given cache
//   BENCH_RUNTIME=huggingface-pytorch-4.49 node bench/runtime-build.mjs        # another runtime
//
// It prints the build's wall time, the venv's size on disk, and the time a second RuntimeManager (what another
// clone's server creates) takes to resolve a PyTorch image to a ready interpreter, and whether it built anything.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const { RuntimeManager } = await import(pathToFileURL(join(root, 'local', 'dist', 'runtimes', 'index.js')).href);
const name = process.env.BENCH_RUNTIME ?? 'pytorch-2.5';
const image =
  name === 'pytorch-2.5'
    ? '763104351884.dkr.ecr.us-east-1.amazonaws.com/pytorch-training:2.5.1-cpu-py311'
    : '763104351884.dkr.ecr.us-east-1.amazonaws.com/huggingface-pytorch-training:2.5.1-transformers4.49.0-gpu-py311-cu124-ubuntu22.04';
const scratch = process.env.BENCH_RUNTIME_DIR ? undefined : mkdtempSync(join(tmpdir(), 'slipway-runtime-bench-'));
const cacheDir = process.env.BENCH_RUNTIME_DIR ?? join(scratch, 'runtimes');

try {
  const started = Date.now();
  let built = false;
  const say = (message) => {
    built = true;
    console.log(`  [${((Date.now() - started) / 1000).toFixed(0).padStart(4)} s] ${message}`);
  };
  const python = await new RuntimeManager({ cacheDir }).build(name, say, say);
  const buildSeconds = (Date.now() - started) / 1000;
  const size = execFileSync('du', ['-sh', join(python, '..', '..')], { encoding: 'utf8' }).split('\t')[0];
  console.log(
    built
      ? `${name}: built in ${buildSeconds.toFixed(0)} s (${size} on disk, ${cacheDir})`
      : `${name}: already built in ${cacheDir} (${size}); nothing to measure for the first build (use a fresh BENCH_RUNTIME_DIR)`,
  );

  // A second project: another RuntimeManager, as another clone's local server creates, with the same user cache.
  const secondStarted = Date.now();
  let secondBuilt = false;
  const runtime = await new RuntimeManager({ cacheDir }).resolve(image, () => (secondBuilt = true));
  const secondMs = Date.now() - secondStarted;
  const version = execFileSync(runtime.python, ['-c', 'import torch; print(torch.__version__)'], { encoding: 'utf8' });
  console.log(
    `second project: ${image.split('/').pop()} resolved in ${secondMs} ms, ${secondBuilt ? 'BUILT AGAIN' : 'built nothing'}; torch ${version.trim()}`,
  );
} finally {
  if (scratch) rmSync(scratch, { recursive: true, force: true });
}
