import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { RuntimeCatalog } from './runtime-catalog.js';
import type { Runtime, RuntimeDefinition } from './runtime-definition.js';
import { findBasePython, probePython, type BasePython } from './python.js';
import { ensureVenv } from './venv-builder.js';

/** The repository root (this file is `local/src/runtimes/…` in sources and `local/dist/runtimes/…` when built). */
export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
/** The Python code the local server runs: the model server (`slipway_serving`) and the jobs' start-up hook. */
export const LOCAL_PYTHON_DIR = join(REPO_ROOT, 'local', 'python');

export interface RuntimeManagerOptions {
  /** Where venvs are built. @default `SLIPWAY_RUNTIME_DIR`, else `<repo>/.cache/runtimes` */
  readonly cacheDir?: string;
  /** The image → runtime mapping. @default built-ins plus the runtimes file */
  readonly catalog?: RuntimeCatalog;
  /** The runtimes file read when no catalog is given. @default `SLIPWAY_RUNTIMES_FILE`, else `<repo>/local/runtimes.json` */
  readonly runtimesFile?: string;
  /** The interpreter venvs are made from. @default `SLIPWAY_PYTHON`, else python3.11, else python3 */
  readonly python?: string;
  /** Read once here; later changes to process.env do not matter. @default process.env */
  readonly env?: NodeJS.ProcessEnv;
}

/**
 * Turns an image URI into a ready interpreter: finds its runtime in the catalog and, for venv runtimes,
 * builds the venv on first use. Unknown images fail with an UnsupportedImageError that says how to add one.
 */
export class RuntimeManager {
  readonly cacheDir: string;
  private readonly runtimesFile: string;
  private catalog?: Promise<RuntimeCatalog>;
  private basePython?: Promise<BasePython>;
  private readonly explicitPython?: string;
  private readonly env: NodeJS.ProcessEnv;
  /**
   * Interpreters that ran, by the command a runtime names: probed once, not once per job (50 steps starting
   * together would otherwise start 50 extra Python processes, each of which may time out on a busy machine).
   */
  private readonly probed = new Map<string, Promise<BasePython | undefined>>();

  constructor(options: RuntimeManagerOptions = {}) {
    this.env = { ...(options.env ?? process.env) };
    this.cacheDir = options.cacheDir ?? this.env.SLIPWAY_RUNTIME_DIR ?? join(REPO_ROOT, '.cache', 'runtimes');
    this.runtimesFile =
      options.runtimesFile ?? this.env.SLIPWAY_RUNTIMES_FILE ?? join(REPO_ROOT, 'local', 'runtimes.json');
    if (options.catalog) this.catalog = Promise.resolve(options.catalog);
    if (options.python) this.explicitPython = options.python;
  }

  /** The runtime definition for an image (no building); throws UnsupportedImageError. */
  async definitionFor(image: string): Promise<RuntimeDefinition> {
    this.catalog ??= RuntimeCatalog.load(this.runtimesFile);
    return (await this.catalog).find(image);
  }

  /** A runtime ready to run code for `image`, building its venv the first time. */
  async resolve(image: string, onBuild?: (message: string) => void): Promise<Runtime> {
    const definition = await this.definitionFor(image);
    return {
      name: definition.name,
      image,
      description: definition.description,
      ...(definition.trainingModule ? { trainingModule: definition.trainingModule } : {}),
      python: await this.interpreterFor(definition, onBuild),
    };
  }

  /** A runtime's interpreter, building its venv the first time (`npm run setup` builds the built-ins'). */
  async interpreterFor(definition: RuntimeDefinition, onBuild?: (message: string) => void): Promise<string> {
    if (definition.environment.kind === 'python') {
      const found = await this.probe(definition.environment.python);
      if (!found) {
        throw new Error(
          `The runtime ${definition.name} (${definition.source}) names the interpreter ` +
            `${JSON.stringify(definition.environment.python)}, which does not run: fix its "python" entry.`,
        );
      }
      return found.executable;
    }
    this.basePython ??= findBasePython(this.explicitPython, this.env);
    return ensureVenv({
      cacheDir: this.cacheDir,
      name: definition.name,
      requirements: definition.environment.requirements,
      basePython: await this.basePython,
      ...(onBuild ? { onBuild } : {}),
    });
  }

  /** `probePython`, remembered when it found an interpreter (one that did not run is tried again next time). */
  private probe(command: string): Promise<BasePython | undefined> {
    let found = this.probed.get(command);
    if (!found) {
      found = probePython(command).then((python) => {
        if (!python) this.probed.delete(command);
        return python;
      });
      this.probed.set(command, found);
    }
    return found;
  }
}
