import { describe, expect, it } from '@jest/globals';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { RuntimeManager } from '../../src/runtimes/index.js';

const run = promisify(execFile);

describe('the real scikit-learn 1.2-1 runtime', () => {
  it(
    'is a venv with the container’s versions, built once into the shared cache',
    async () => {
      // Uses the default cache (<repo>/.cache/runtimes or SLIPWAY_RUNTIME_DIR): built on first use, reused after.
      const manager = new RuntimeManager();
      const runtime = await manager.resolve(
        '683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-scikit-learn:1.2-1-cpu-py3',
        (message) => process.stderr.write(`${message}\n`),
      );
      expect(runtime.name).toBe('sklearn-1.2-1');
      const { stdout } = await run(runtime.python, [
        '-c',
        'import sklearn, numpy, scipy, joblib, pandas; print(sklearn.__version__, numpy.__version__, scipy.__version__, joblib.__version__, pandas.__version__)',
      ]);
      // pandas too: the image ships it and scripts import it (its 1.1.3 has no Python 3.11 wheels: 1.5.0 stands in).
      expect(stdout.trim()).toBe('1.2.1 1.24.1 1.10.1 1.2.0 1.5.0');
      // A second resolve finds the built venv.
      expect((await new RuntimeManager().resolve(runtime.image)).python).toBe(runtime.python);
    },
    10 * 60_000,
  );
});
