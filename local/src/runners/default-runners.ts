import { RuntimeManager } from '../runtimes/runtime-manager.js';
import type { JobKind, JobRunner } from './job-runner.js';
import { ProcessingRunner } from './processing-runner.js';
import { TrainingRunner } from './training-runner.js';
import { TransformRunner } from './transform-runner.js';

export interface DefaultRunnersOptions {
  /** Where runtime venvs are built. @default `SLIPWAY_RUNTIME_DIR`, else `<repo>/.cache/runtimes` */
  readonly runtimeCacheDir?: string;
  /** The image → runtime mapping file. @default `SLIPWAY_RUNTIMES_FILE`, else `<repo>/local/runtimes.json` */
  readonly runtimesFile?: string;
  /** The interpreter venvs are made from. @default `SLIPWAY_PYTHON`, else python3.11, else python3 */
  readonly python?: string;
  /** A ready RuntimeManager, shared with the model server launcher; overrides the three options above. */
  readonly runtimes?: RuntimeManager;
  /** Grace between SIGTERM and SIGKILL when a job is stopped. @default 10 000 ms */
  readonly stopGraceMs?: number;
  /** The environment read once for runtime discovery and passed-through variables. @default process.env */
  readonly env?: NodeJS.ProcessEnv;
}

/** The subprocess runners for every job kind, chosen by the engine from this map. */
export function createDefaultRunners(options: DefaultRunnersOptions = {}): Record<JobKind, JobRunner> {
  const env = { ...(options.env ?? process.env) };
  const runtimes =
    options.runtimes ??
    new RuntimeManager({
      env,
      ...(options.runtimeCacheDir ? { cacheDir: options.runtimeCacheDir } : {}),
      ...(options.runtimesFile ? { runtimesFile: options.runtimesFile } : {}),
      ...(options.python ? { python: options.python } : {}),
    });
  const shared = { runtimes, stopGraceMs: options.stopGraceMs ?? 10_000, hostEnv: env };
  return {
    Processing: new ProcessingRunner(shared),
    Training: new TrainingRunner(shared),
    Transform: new TransformRunner(shared),
  };
}
