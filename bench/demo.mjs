#!/usr/bin/env node
// Wall time of `npm run demo` end to end (setup check, then `slipway demo`: compile → runtimes → server →
// pipeline → approve → event → staging → test → prod → predict), as a person sees it:
//   new runtime  a fresh data dir and no local Python runtime (the scikit-learn venv is built, with pip's cache)
//   cold         a fresh data dir, the runtime already built: every job runs, both endpoints are created
//   warm         the same data dir again: Preprocess, Train and Evaluate are cache hits, and the registered
//                version is the model prod already serves, so nothing is approved or redeployed
// Target: ≤ 60 s with dependencies installed. BENCH_SKIP_RUNTIME_BUILD=1 leaves out the new-runtime run
// (it needs PyPI or pip's cache). Prints each stage's share, so what dominates is visible.
// BENCH_FRESH_CLONE=1 also clones the repository's HEAD into a temporary folder and times `npm run demo` there,
// as a new user's first command: npm ci, the build and the runtime venv (with npm's and pip's caches), then the
// demo. It takes minutes, so it is not run by default.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { figure } from './lib/figures.mjs';

const root = join(fileURLToPath(new URL('.', import.meta.url)), '..');
const scratch = mkdtempSync(join(tmpdir(), 'slipway-bench-demo-'));
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

function demo(label, dataDir, env = {}, cwd = root) {
  const started = performance.now();
  const result = spawnSync(npm, ['run', '--silent', 'demo', '--', '--data-dir', dataDir, '--json'], {
    cwd,
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

/** `npm run demo` in a fresh clone of HEAD: what a new user's first command costs, setup included. */
function freshClone() {
  const clone = join(scratch, 'clone');
  execFileSync('git', ['clone', '--quiet', '--no-hardlinks', root, clone]);
  const wall = demo('fresh clone (npm ci, build, runtime venv, then the demo)', join(clone, '.slipway'), {}, clone);
  figure({
    name: '`npm run demo` on a fresh clone, setup included',
    value: wall,
    unit: 's',
    detail: 'npm and pip caches warm; no tools venv, no seed test venv',
  });
}

try {
  if (process.env.BENCH_FRESH_CLONE === '1') freshClone();
  if (process.env.BENCH_SKIP_RUNTIME_BUILD !== '1') {
    const built = demo('new runtime (fresh data dir, runtime venv built)', join(scratch, 'fresh'), {
      SLIPWAY_RUNTIME_DIR: join(scratch, 'runtimes'),
    });
    figure({
      name: '`npm run demo`, the runtime venv built first',
      value: built,
      unit: 's',
      target: '≤ 60 s',
      met: built <= 60,
    });
  }
  const cold = demo('cold (fresh data dir, runtime ready)', join(scratch, 'data'));
  const warm = demo('warm (same data dir again)', join(scratch, 'data'));
  figure({ name: '`npm run demo`, cold (fresh data dir)', value: cold, unit: 's', target: '≤ 60 s', met: cold <= 60 });
  figure({
    name: '`npm run demo`, warm (same data dir again)',
    value: warm,
    unit: 's',
    target: '≤ 60 s',
    met: warm <= 60,
  });
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
