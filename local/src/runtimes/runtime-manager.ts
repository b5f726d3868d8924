import { createHash } from 'node:crypto';
import { ValidationError } from '@slipway/core';
import { existsSync } from 'node:fs';
import { readFile, readdir, rm, stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import { isAbsolute, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { RuntimeCatalog } from './runtime-catalog.js';
import type { Runtime, RuntimeDefinition, VenvEnvironment } from './runtime-definition.js';
import { findBasePython, probePython, type BasePython } from './python.js';
import { imageNotes } from './image-notes.js';
import { ensureVenv, readVenvStamp, withLock, type BuiltVenv, type VenvStamp } from './venv-builder.js';

/** The repository root (this file is `local/src/runtimes/…` in sources and `local/dist/runtimes/…` when built). */
export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
/** The Python code the local server runs: the model server (`slipway_serving`) and the jobs' start-up hook. */
export const LOCAL_PYTHON_DIR = join(REPO_ROOT, 'local', 'python');
/** Jobs' requirements.txt installs, layered on their runtime's venv, under the runtime cache. */
const OVERLAYS = 'overlays';
/** Wheels kept for offline installs (the prefetched companions of a runtime, e.g. transformers for PyTorch). */
const WHEELHOUSE = 'wheels';

/**
 * The per-user runtime cache, shared by every project and clone on the machine: `SLIPWAY_RUNTIME_DIR`, else
 * `$XDG_CACHE_HOME/slipway/runtimes`, else `~/.cache/slipway/runtimes`.
 */
export function defaultRuntimeCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.SLIPWAY_RUNTIME_DIR) return env.SLIPWAY_RUNTIME_DIR;
  const cacheHome =
    env.XDG_CACHE_HOME && isAbsolute(env.XDG_CACHE_HOME) ? env.XDG_CACHE_HOME : join(env.HOME ?? homedir(), '.cache');
  return join(cacheHome, 'slipway', 'runtimes');
}

export interface RuntimeManagerOptions {
  /** Where venvs are built. @default defaultRuntimeCacheDir(): `SLIPWAY_RUNTIME_DIR`, else the per-user cache */
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

/** Told what a build does: that it starts, and (for long ones) its progress. */
export interface BuildListener {
  (message: string): void;
}

/** One runtime as `slipway local runtimes list` shows it. */
export interface RuntimeStatus {
  readonly definition: RuntimeDefinition;
  /** The venv folder, for venv runtimes. */
  readonly dir?: string;
  /** Built and current (its pins unchanged since); for `python` runtimes, whether the interpreter runs. */
  readonly ready: boolean;
  /** A venv that exists but was built from other pins (it is rebuilt when next needed). */
  readonly stale?: boolean;
  readonly stamp?: VenvStamp;
  /** Other runtimes sharing its venv. */
  readonly sharedWith: readonly string[];
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

  constructor(options: RuntimeManagerOptions = {}) {
    this.env = { ...(options.env ?? process.env) };
    this.cacheDir = options.cacheDir ?? defaultRuntimeCacheDir(this.env);
    this.runtimesFile =
      options.runtimesFile ?? this.env.SLIPWAY_RUNTIMES_FILE ?? join(REPO_ROOT, 'local', 'runtimes.json');
    if (options.catalog) this.catalog = Promise.resolve(options.catalog);
    if (options.python) this.explicitPython = options.python;
  }

  /** The catalog in use (built-ins plus the runtimes file). */
  definitions(): Promise<RuntimeCatalog> {
    this.catalog ??= RuntimeCatalog.load(this.runtimesFile);
    return this.catalog;
  }

  /** The runtime definition for an image (no building); throws UnsupportedImageError. */
  async definitionFor(image: string): Promise<RuntimeDefinition> {
    return (await this.definitions()).find(image);
  }

  /** A runtime ready to run code for `image`, building its venv the first time. */
  async resolve(image: string, onBuild?: BuildListener, onProgress?: BuildListener): Promise<Runtime> {
    const definition = await this.definitionFor(image);
    return {
      name: definition.name,
      image,
      description: definition.description,
      serving: definition.serving,
      notes: [...(definition.notes ?? []), ...imageNotes(definition, image)],
      ...(definition.trainingModule ? { trainingModule: definition.trainingModule } : {}),
      ...(definition.algorithm ? { algorithm: definition.algorithm } : {}),
      definition,
      python: await this.interpreterFor(definition, onBuild, onProgress),
    };
  }

  /** A runtime's interpreter, building its venv the first time (`npm run setup` builds the scikit-learn one). */
  async interpreterFor(
    definition: RuntimeDefinition,
    onBuild?: BuildListener,
    onProgress?: BuildListener,
  ): Promise<string> {
    if (definition.environment.kind === 'python') {
      const found = await probePython(definition.environment.python);
      if (!found) {
        throw new Error(
          `The runtime ${definition.name} (${definition.source}) names the interpreter ` +
            `${JSON.stringify(definition.environment.python)}, which does not run: fix its "python" entry.`,
        );
      }
      return found.executable;
    }
    return (await this.buildVenv(definition.environment, onBuild, onProgress)).python;
  }

  private async buildVenv(
    environment: VenvEnvironment,
    onBuild?: BuildListener,
    onProgress?: BuildListener,
  ): Promise<BuiltVenv> {
    const base = environment.base ? await this.buildVenv(environment.base, onBuild, onProgress) : undefined;
    return ensureVenv({
      cacheDir: this.cacheDir,
      name: environment.venv,
      requirements: environment.requirements,
      basePython: await this.python(),
      env: this.env,
      wheelhouse: join(this.cacheDir, WHEELHOUSE),
      ...(base ? { base } : {}),
      ...(environment.prefetch ? { prefetch: environment.prefetch } : {}),
      ...(onBuild ? { onBuild } : {}),
      ...(onProgress ? { onProgress } : {}),
    });
  }

  private python(): Promise<BasePython> {
    this.basePython ??= findBasePython(this.explicitPython, this.env);
    return this.basePython;
  }

  /**
   * What the training and inference toolkits do with a `requirements.txt` at start (`pip install -r`), without
   * touching the shared runtime: a venv layered on the runtime's, cached under `overlays/` by the file's content
   * (and, when it refers to local files, the folder's), so the next job with the same file starts at once.
   * Requirements the runtime already has are satisfied from it; the rest come from the local wheel cache first,
   * then from the package index (pip's environment: the host's, plus the job's own `PIP_*` variables).
   * Returns the overlay's interpreter, which stands in for the runtime's in that job.
   */
  async withRequirements(
    runtime: Pick<Runtime, 'name' | 'definition'>,
    requirementsFile: string,
    options: {
      jobEnv?: Readonly<Record<string, string>>;
      onBuild?: BuildListener;
      onProgress?: BuildListener;
      /** Build it here, uncached (a setup.py's install belongs to its job). @default `<cache>/overlays` */
      overlayDir?: string;
    } = {},
  ): Promise<string> {
    const environment = runtime.definition.environment;
    if (environment.kind !== 'venv') {
      throw new Error(
        `the runtime ${runtime.name} uses the interpreter ${environment.python} as it is, so requirements.txt is ` +
          'not installed: install what it lists into that interpreter',
      );
    }
    const text = await readFile(requirementsFile, 'utf8');
    const folder = join(requirementsFile, '..');
    const extra = refersToLocalFiles(text) ? await hashFolder(folder) : '';
    const base = await this.buildVenv(environment);
    const key = createHash('sha256').update(`${base.identity}\0${text}\0${extra}`).digest('hex').slice(0, 16);
    const pipEnv = Object.fromEntries(Object.entries(options.jobEnv ?? {}).filter(([name]) => name.startsWith('PIP_')));
    const built = await ensureVenv({
      cacheDir: options.overlayDir ?? join(this.cacheDir, OVERLAYS),
      name: `${environment.venv}-${key}`,
      requirements: [],
      requirementsFile,
      identityExtra: extra,
      basePython: await this.python(),
      base,
      wheelhouse: join(this.cacheDir, WHEELHOUSE),
      offlineFirst: true,
      env: { ...this.env, ...pipEnv },
      ...(options.onBuild ? { onBuild: options.onBuild } : {}),
      ...(options.onProgress ? { onProgress: options.onProgress } : {}),
    });
    return built.python;
  }

  /** Every runtime of the catalog with its venv's state. */
  async list(): Promise<RuntimeStatus[]> {
    const catalog = await this.definitions();
    const python = await this.python().catch(() => undefined);
    const statuses: RuntimeStatus[] = [];
    for (const definition of catalog.definitions) {
      const environment = definition.environment;
      const sharedWith = catalog.definitions
        .filter(
          (other) =>
            other !== definition &&
            other.environment.kind === 'venv' &&
            environment.kind === 'venv' &&
            other.environment.venv === environment.venv,
        )
        .map((other) => other.name);
      if (environment.kind === 'python') {
        statuses.push({ definition, ready: (await probePython(environment.python)) !== undefined, sharedWith });
        continue;
      }
      const dir = join(this.cacheDir, environment.venv);
      const stamp = await readVenvStamp(dir);
      const current = stamp !== undefined && python !== undefined && (await this.isCurrent(environment, stamp, python));
      statuses.push({
        definition,
        dir,
        ready: current,
        ...(stamp && !current ? { stale: true } : {}),
        ...(stamp ? { stamp } : {}),
        sharedWith,
      });
    }
    return statuses;
  }

  private async isCurrent(environment: VenvEnvironment, stamp: VenvStamp, python: BasePython): Promise<boolean> {
    if (stamp.python !== python.version) return false;
    if (JSON.stringify(stamp.requirements) !== JSON.stringify(environment.requirements)) return false;
    if (!environment.base) return true;
    const baseStamp = await readVenvStamp(join(this.cacheDir, environment.base.venv));
    return baseStamp !== undefined && (await this.isCurrent(environment.base, baseStamp, python));
  }

  /** Builds a runtime by name (for `slipway local runtimes build`); returns its interpreter. */
  async build(name: string, onBuild?: BuildListener, onProgress?: BuildListener): Promise<string> {
    return this.interpreterFor(await this.named(name), onBuild, onProgress);
  }

  /**
   * Builds a runtime by name with a requirements file installed on it exactly as a training job installs its source
   * dir's `requirements.txt` (withRequirements: the same cached overlay, so a job with the same file reuses it).
   * Returns the overlay's interpreter: the environment a job's script runs in, for running its tests.
   */
  async buildWithRequirements(
    name: string,
    requirementsFile: string,
    onBuild?: BuildListener,
    onProgress?: BuildListener,
  ): Promise<string> {
    const definition = await this.named(name);
    await this.interpreterFor(definition, onBuild, onProgress);
    return this.withRequirements({ name, definition }, requirementsFile, {
      ...(onBuild ? { onBuild } : {}),
      ...(onProgress ? { onProgress } : {}),
    });
  }

  /**
   * Removes a runtime's venv (and the job overlays layered on it) from the cache, under its build lock, so a
   * build in progress finishes first. Returns the folders removed. A venv other runtimes share goes with them;
   * a venv another one is layered on removes the layer too (it would not work without it).
   */
  async remove(name: string): Promise<string[]> {
    const definition = await this.named(name);
    if (definition.environment.kind !== 'venv') {
      throw new ValidationError({
        where: `runtime ${name}`,
        field: '',
        problem: `uses the interpreter ${definition.environment.python} as it is, so there is nothing to remove`,
        fix: 'remove its entry from the runtimes file instead',
      });
    }
    const catalog = await this.definitions();
    const venvs = new Set([definition.environment.venv]);
    for (const other of catalog.definitions) {
      if (other.environment.kind === 'venv' && other.environment.base?.venv === definition.environment.venv)
        venvs.add(other.environment.venv);
    }
    const removed: string[] = [];
    for (const venv of venvs) {
      await withLock(join(this.cacheDir, `.${venv}.lock`), 60 * 60_000, async () => {
        const dir = join(this.cacheDir, venv);
        if (existsSync(dir)) {
          await rm(dir, { recursive: true, force: true });
          removed.push(dir);
        }
        await rm(join(this.cacheDir, `${venv}.build.log`), { force: true });
      });
      const overlays = join(this.cacheDir, OVERLAYS);
      for (const entry of await readdir(overlays).catch(() => [] as string[])) {
        if (!entry.startsWith(`${venv}-`) || entry.startsWith('.')) continue;
        await rm(join(overlays, entry), { recursive: true, force: true });
        removed.push(join(overlays, entry));
      }
    }
    return removed;
  }

  private async named(name: string): Promise<RuntimeDefinition> {
    const catalog = await this.definitions();
    const found = catalog.definitions.find((definition) => definition.name === name);
    if (!found) {
      throw new ValidationError({
        where: 'runtime',
        field: '',
        problem: `${JSON.stringify(name)} is not a runtime`,
        fix: `use one of ${catalog.definitions.map((d) => d.name).join(', ')} (slipway local runtimes list)`,
      });
    }
    return found;
  }
}

/** True when a requirements file names local paths (wheels, folders, `-e .`, `--find-links dir`). */
function refersToLocalFiles(text: string): boolean {
  return text
    .split('\n')
    .map((line) => line.replace(/(^|\s)#.*$/, '').trim())
    .some(
      (line) =>
        /^(-e|--editable|-f|--find-links|-r|-c)\b/.test(line) || /^(\.|\/|file:)/.test(line) || /\.whl$/.test(line),
    );
}

/** A hash of every file under a folder (names, sizes and contents), for overlays that install local files. */
async function hashFolder(folder: string): Promise<string> {
  const hash = createHash('sha256');
  const walk = async (dir: string): Promise<void> => {
    for (const entry of (await readdir(dir, { withFileTypes: true })).sort((a, b) => a.name.localeCompare(b.name))) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) await walk(path);
      else if (entry.isFile()) {
        hash.update(`${relative(folder, path)}\0${(await stat(path)).size}\0`);
        hash.update(await readFile(path));
      }
    }
  };
  await walk(folder);
  return hash.digest('hex');
}
