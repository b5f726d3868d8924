#!/usr/bin/env node
// Wall time of `slipway demo` (what `npm run demo` runs after setup), as a person sees it:
//   cold       a fresh clone: no data dir and no local Python runtime (the scikit-learn venv is built)
//   cold data  a fresh data dir, the runtime already built (every job runs)
//   warm       the same data dir again (Preprocess, Train and Evaluate are cache hits)
// BENCH_SKIP_RUNTIME_BUILD=1 leaves out the first (it needs PyPI or pip's cache).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';

const root = join(fileURLToPath(new URL('.', import.meta.url)), '..');
const scratch = mkdtempSync(join(tmpdir(), 'slipway-bench-demo-'));

function demo(label, dataDir, env = {}) {
  const started = performance.now();
  const result = spawnSync(
    process.execPath,
    [join(root, 'cli', 'bin', 'slipway.js'), 'demo', '--data-dir', dataDir, '--json'],
    {
      cwd: root,
      encoding: 'utf8',
      env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true', ...env },
    },
  );
  const wall = (performance.now() - started) / 1000;
  if (result.status !== 0)
    throw new Error(`${label}: the demo failed (exit ${result.status}):\n${result.stderr.slice(-2000)}`);
  const report = JSON.parse(result.stdout);
  const stages = report.stages.map((stage) => `${stage.name} ${(stage.ms / 1000).toFixed(1)} s`).join(', ');
  const hits = report.run.steps.filter((step) => step.cacheHit).length;
  console.log(
    `${label}: ${wall.toFixed(1)} s wall (${stages}); ${hits} cache hits; accuracy ${report.run.accuracy}; ${report.run.modelPackageArn}`,
  );
}

try {
  if (process.env.BENCH_SKIP_RUNTIME_BUILD !== '1') {
    demo('cold (fresh data dir, runtime venv built)', join(scratch, 'cold'), {
      SLIPWAY_RUNTIME_DIR: join(scratch, 'runtimes'),
    });
  }
  demo('cold data (fresh data dir, runtime ready)', join(scratch, 'data'));
  demo('warm (same data dir again)', join(scratch, 'data'));
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
