import { describe, expect, it } from '@jest/globals';
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
});
