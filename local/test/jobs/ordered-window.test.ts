import { describe, expect, it } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';

describe('OrderedWindow (a transform job requests in flight)', () => {
  it('keeps a request that fails before it is awaited from ending the process', async () => {
    // Before: the transform runner kept its requests in a plain array; a model error answered while the next batch
    // was being read was an unhandled rejection, and Node ended the local server (seen in bench/transform-throughput).
    // Jest hides unhandled rejections, so this runs in a process of its own.
    const dir = join(process.cwd(), '.cache', 'local-tests');
    mkdirSync(dir, { recursive: true });
    const script = join(dir, 'ordered-window-child.mjs');
    await build({
      entryPoints: [join(process.cwd(), 'local', 'test', 'jobs', 'support', 'ordered-window-child.ts')],
      outfile: script,
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      logLevel: 'silent',
    });
    const run = spawnSync(process.execPath, [script], { encoding: 'utf8' });
    expect({ status: run.status, stdout: run.stdout }).toEqual({
      status: 0,
      stdout: 'first\nthe model answered 400\n',
    });
  });
});
