import { describe, expect, it } from '@jest/globals';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BUILTIN_RUNTIMES, RuntimeManager, type RuntimeDefinition } from '../../src/runtimes/index.js';

const SKLEARN_IMAGE = '683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-scikit-learn:1.2-1-cpu-py3';

function pythonRuntime(python: string): RuntimeDefinition {
  return {
    name: 'given',
    description: 'a given interpreter',
    source: 'test',
    images: [],
    environment: { kind: 'python', python },
    serving: 'toolkit',
  };
}

describe('RuntimeManager.interpreterFor', () => {
  it(
    'gives, for a built-in definition, the interpreter resolve() gives for its image (what setup prebuilds)',
    async () => {
      const sklearn = BUILTIN_RUNTIMES.find((runtime) => runtime.name === 'sklearn-1.2-1')!;
      const manager = new RuntimeManager();
      expect(await manager.interpreterFor(sklearn)).toBe((await manager.resolve(SKLEARN_IMAGE)).python);
    },
    10 * 60_000,
  );

  it('probes a given interpreter, and names the runtime whose interpreter does not run', async () => {
    const manager = new RuntimeManager();
    expect(await manager.interpreterFor(pythonRuntime(process.env.SLIPWAY_PYTHON ?? 'python3'))).toMatch(/python/);
    await expect(manager.interpreterFor(pythonRuntime('/nonexistent/python'))).rejects.toThrow(
      /The runtime given \(test\) names the interpreter "\/nonexistent\/python", which does not run/,
    );
  });

  it('probes an interpreter once for many jobs starting together, and again after one that did not run', async () => {
    // A "python" that notes each start, then runs the real one: 20 concurrent resolves start it once.
    const dir = mkdtempSync(join(tmpdir(), 'slipway-probe-'));
    try {
      const starts = join(dir, 'starts');
      const counting = join(dir, 'python');
      writeFileSync(
        counting,
        `#!/bin/sh\necho start >> '${starts}'\nexec ${process.env.SLIPWAY_PYTHON ?? 'python3'} "$@"\n`,
      );
      chmodSync(counting, 0o755);
      const manager = new RuntimeManager();
      const found = await Promise.all(
        Array.from({ length: 20 }, () => manager.interpreterFor(pythonRuntime(counting))),
      );
      expect(new Set(found).size).toBe(1);
      expect(readFileSync(starts, 'utf8').trim().split('\n')).toHaveLength(1);

      const missing = join(dir, 'later');
      await expect(manager.interpreterFor(pythonRuntime(missing))).rejects.toThrow(/which does not run/);
      writeFileSync(missing, `#!/bin/sh\nexec ${process.env.SLIPWAY_PYTHON ?? 'python3'} "$@"\n`);
      chmodSync(missing, 0o755);
      expect(await manager.interpreterFor(pythonRuntime(missing))).toMatch(/python/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
