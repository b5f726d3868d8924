import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { DIST, REPO } from './support.js';

describe('the committed dist/index.js', () => {
  it('is exactly what bundling the current sources gives (run `npm run bundle -w @slipway/action-run-pipeline`)', () => {
    const fresh = join(mkdtempSync(join(tmpdir(), 'slipway-bundle-')), 'index.js');
    const bundled = spawnSync(process.execPath, [join(REPO, 'actions', 'run-pipeline', 'bundle.mjs'), '--out', fresh], {
      encoding: 'utf8',
    });
    expect(bundled.stderr).toBe('');
    expect(bundled.status).toBe(0);
    const same = readFileSync(fresh).equals(readFileSync(DIST));
    expect(same ? 'fresh' : 'stale: run `npm run bundle -w @slipway/action-run-pipeline` and commit dist/').toBe(
      'fresh',
    );
  }, 60_000);
});
