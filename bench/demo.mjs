#!/usr/bin/env node
// Wall time of `npm run demo` end to end (setup check, then `slipway demo`: compile → runtimes → server →
// pipeline → approve → event → staging → test → prod → predict), as a person sees it:
//   fresh clone  a fresh data dir and no local Python runtime (the scikit-learn venv is built, with pip's cache)
//   cold         a fresh data dir, the runtime already built: every job runs, both endpoints are created
//   warm         the same data dir again: Preprocess, Train and Evaluate are cache hits, and the registered
//                version is the model prod already serves, so nothing is approved or redeployed
// Target: ≤ 60 s with dependencies installed. BENCH_SKIP_RUNTIME_BUILD=1 leaves out the fresh-clone run
// (it needs PyPI or pip's cache). Prints each stage's share, so what dominates is visible.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';

const root = join(fileURLToPath(new URL('.', import.meta.url)), '..');
const scratch = mkdtempSync(join(tmpdir(), 'slipway-bench-demo-'));
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

function demo(label, dataDir, env = {}) {
  const started = performance.now();
  const result = spawnSync(npm, ['run', '--silent', 'demo', '--', '--data-dir', dataDir, '--json'], {
    cwd: root,
    encoding: 'utf8',
    env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true', ...env },
  });
  const wall = (performance.now() - started) / 1000;
  // npm run prints the setup script's lines first; the report is the last JSON document on stdout.
  const report = JSON.parse(result.stdout.slice(result.stdout.indexOf('\n{') + 1));
  if (result.status !== 0) {
    throw new Error(
      `${label}: the demo failed at ${report.failedStage} (exit ${result.status}):\n${result.stderr.slice(-2000)}`,
    );
  }
  const stages = report.stages
    .filter((stage) => stage.ms >= 50)
    .sort((a, b) => b.ms - a.ms)
    .map((stage) => `${stage.name} ${(stage.ms / 1000).toFixed(1)} s`)
    .join(', ');
  const deployed = report.reused ? 'kept the live version' : `deploy run #${report.deployRun?.number}`;
  console.log(
    `${label}: ${wall.toFixed(1)} s wall, demo ${(report.wallMs / 1000).toFixed(1)} s ` +
      `(${stages}); ${report.cacheHits} cache hits; ${deployed}; prod serves v${report.endpoints.at(-1)?.version}`,
  );
  return wall;
}

try {
  if (process.env.BENCH_SKIP_RUNTIME_BUILD !== '1') {
    demo('fresh clone (fresh data dir, runtime venv built)', join(scratch, 'fresh'), {
      SLIPWAY_RUNTIME_DIR: join(scratch, 'runtimes'),
    });
  }
  const cold = demo('cold (fresh data dir, runtime ready)', join(scratch, 'data'));
  const warm = demo('warm (same data dir again)', join(scratch, 'data'));
  console.log(`target ≤ 60 s: cold ${cold <= 60 ? 'met' : 'MISSED'}, warm ${warm <= 60 ? 'met' : 'MISSED'}`);
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
