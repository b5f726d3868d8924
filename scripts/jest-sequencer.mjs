// Jest's own order (slowest and failed-before first), except that the test files needing the large framework
// runtimes (PyTorch, Hugging Face, XGBoost) run last: on a fresh machine `npm test` builds those runtimes in the
// background (scripts/test.mjs), and by the time these files run the build has overlapped the rest of the suite
// instead of blocking the single jest worker.
import Sequencer from '@jest/test-sequencer';

const NEEDS_FRAMEWORK_RUNTIMES = /[\\/](framework-serving|training-toolkit)\.test\.ts$/;

class FrameworkRuntimesLast extends Sequencer {
  sort(tests) {
    const ordered = super.sort(tests);
    const sorted = Array.isArray(ordered) ? ordered : [...ordered];
    return [
      ...sorted.filter((test) => !NEEDS_FRAMEWORK_RUNTIMES.test(test.path)),
      ...sorted.filter((test) => NEEDS_FRAMEWORK_RUNTIMES.test(test.path)),
    ];
  }
}

export default FrameworkRuntimesLast;
