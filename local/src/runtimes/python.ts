import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface BasePython {
  /** The command or path that starts it. */
  readonly command: string;
  /** `major.minor`, e.g. `3.11`. */
  readonly version: string;
  /** The real interpreter path (`sys.executable`), so version managers' shims are not in the way. */
  readonly executable: string;
}

/** Runs `python -c` to learn an interpreter's version; undefined when it does not start. */
export async function probePython(command: string): Promise<BasePython | undefined> {
  try {
    const { stdout } = await run(
      command,
      ['-c', 'import sys; print("%d.%d" % sys.version_info[:2]); print(sys.executable)'],
      {
        timeout: 15_000,
      },
    );
    const [version, executable] = stdout.trim().split('\n');
    return version && executable ? { command, version, executable } : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The interpreter venvs are made from: `explicit` (an option), else `SLIPWAY_PYTHON`, else `python3.11`, else
 * `python3` (the order `npm run setup` uses, so runtimes and the seed venv agree).
 */
export async function findBasePython(explicit?: string, env: NodeJS.ProcessEnv = process.env): Promise<BasePython> {
  const candidates = explicit
    ? [explicit]
    : [env.SLIPWAY_PYTHON, 'python3.11', 'python3'].filter((c): c is string => !!c);
  for (const candidate of candidates) {
    const found = await probePython(candidate);
    if (found) return found;
  }
  throw new Error(
    `No Python interpreter found (tried ${candidates.join(', ')}): install Python 3.11 or set SLIPWAY_PYTHON to one.`,
  );
}
