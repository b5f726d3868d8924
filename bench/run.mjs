#!/usr/bin/env node
// Runs every benchmark in this folder (or those named on the command line) one after another and prints
// their figures. Benchmarks measure; they never fail a build. `npm run bench -- serving` runs bench/serving.mjs.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const wanted = process.argv.slice(2);
const scripts = readdirSync(here)
  .filter((name) => name.endsWith('.mjs') && name !== 'run.mjs')
  .filter((name) => wanted.length === 0 || wanted.some((w) => name.startsWith(w)))
  .sort();
let failures = 0;
for (const script of scripts) {
  process.stdout.write(`\n== bench/${script}\n`);
  // The AWS SDK's Node 20 end-of-support notice would repeat in every benchmark's output; the CLI silences it too.
  const env = { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true', ...process.env };
  const result = spawnSync(process.execPath, [join(here, script)], { stdio: 'inherit', env });
  if (result.status !== 0) {
    failures += 1;
    process.stdout.write(`bench/${script} ended with exit ${result.status ?? result.signal}\n`);
  }
}
process.exitCode = failures > 0 ? 1 : 0;
