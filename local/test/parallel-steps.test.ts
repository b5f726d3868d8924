// Fifty steps at once, with the real processing runner (a process per job): the run says nothing to the
// user beyond its result. Node prints MaxListenersExceededWarning when more than ten listeners wait on one
// AbortSignal, which is what sharing the execution's signal among parallel jobs did.
import { expect, it } from '@jest/globals';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { bundleChild } from './support/server-process.js';

const STEPS = 50;

it(`runs ${STEPS} processing steps in parallel and prints no warning`, async () => {
  const script = await bundleChild(
    join(process.cwd(), 'local', 'test', 'support', 'parallel-steps-child.ts'),
    // Three levels below the repo root: the bundle's `import.meta.url` then finds local/python as the sources do.
    join(process.cwd(), '.cache', 'local-tests', 'parallel-steps'),
  );
  const { stdout, stderr } = await promisify(execFile)(process.execPath, [script, String(STEPS)], {
    env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
  });
  expect(JSON.parse(stdout)).toEqual({ status: 'Succeeded' });
  expect(stderr).toBe('');
}, 120_000);
