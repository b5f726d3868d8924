import { execFile } from 'node:child_process';
import { createHash, randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { open, readFile, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { BasePython } from './python.js';
import { withFileLock } from '@slipway/core';

export interface VenvRequest {
  /** The runtime cache; the venv lives in `<cacheDir>/<name>`. */
  readonly cacheDir: string;
  readonly name: string;
  /** pip requirement lines, written to the venv's `requirements.txt`. */
  readonly requirements: readonly string[];
  readonly basePython: BasePython;
  /** How long to wait for another process building the same venv. @default 15 minutes */
  readonly lockTimeoutMs?: number;
  /** Told when a build starts (it takes a while the first time). */
  readonly onBuild?: (message: string) => void;
}

const STAMP = 'slipway-runtime.json';
const DEFAULT_LOCK_TIMEOUT_MS = 15 * 60_000;
/** Builds in progress in this process, so that concurrent jobs share one build. */
const inProcess = new Map<string, Promise<string>>();

/** Path of the venv's interpreter. */
export function venvPython(venvDir: string): string {
  return join(venvDir, 'bin', 'python');
}

/** What makes a venv what it is: the pins and the base interpreter's version. */
export function venvIdentity(request: Pick<VenvRequest, 'requirements' | 'basePython'>): string {
  return createHash('sha256')
    .update(JSON.stringify({ requirements: request.requirements, python: request.basePython.version }))
    .digest('hex');
}

/**
 * Returns the interpreter of the venv `<cacheDir>/<name>`, building it first if it is missing or was built
 * from other pins. The venv is built in a temporary folder beside it and renamed into place, so the final
 * folder is either absent or complete: a crash mid-build leaves only a temporary folder, removed by the next
 * build. A lock file (holding the builder's pid, taken over when that process is gone) keeps two processes
 * from building the same venv at once; inside one process, callers share the same build.
 */
export async function ensureVenv(request: VenvRequest): Promise<string> {
  const final = join(request.cacheDir, request.name);
  const identity = venvIdentity(request);
  if (await isReady(final, identity)) return venvPython(final);
  const key = `${final}\0${identity}`;
  let pending = inProcess.get(key);
  if (!pending) {
    pending = withLock(
      join(request.cacheDir, `.${request.name}.lock`),
      request.lockTimeoutMs ?? DEFAULT_LOCK_TIMEOUT_MS,
      () => build(request, final, identity),
    ).finally(() => inProcess.delete(key));
    inProcess.set(key, pending);
  }
  return pending;
}

async function isReady(dir: string, identity: string): Promise<boolean> {
  try {
    const stamp = JSON.parse(await readFile(join(dir, STAMP), 'utf8')) as { identity?: string };
    return stamp.identity === identity && existsSync(venvPython(dir));
  } catch {
    return false;
  }
}

async function build(request: VenvRequest, final: string, identity: string): Promise<string> {
  // Another process may have finished it while this one waited for the lock.
  if (await isReady(final, identity)) return venvPython(final);
  await removeLeftovers(request.cacheDir, request.name);
  const temporary = join(request.cacheDir, `.${request.name}.building-${process.pid}-${randomUUID().slice(0, 8)}`);
  const log = join(request.cacheDir, `${request.name}.build.log`);
  request.onBuild?.(
    `building the local runtime ${request.name} with Python ${request.basePython.version} (once; cached in ${final}); pip's log: ${log}`,
  );
  try {
    await runLogged(request.basePython.executable, ['-m', 'venv', temporary], log, 'w');
    await writeFile(join(temporary, 'requirements.txt'), request.requirements.join('\n') + '\n');
    await runLogged(
      venvPython(temporary),
      [
        '-m',
        'pip',
        'install',
        '--disable-pip-version-check',
        '--no-input',
        '--prefer-binary',
        '-r',
        join(temporary, 'requirements.txt'),
      ],
      log,
      'a',
    );
    await writeFile(
      join(temporary, STAMP),
      JSON.stringify(
        { name: request.name, identity, python: request.basePython.version, requirements: request.requirements },
        null,
        2,
      ),
    );
    if (existsSync(final)) {
      const old = join(request.cacheDir, `.${request.name}.old-${randomUUID().slice(0, 8)}`);
      await rename(final, old);
      await rename(temporary, final);
      await rm(old, { recursive: true, force: true });
    } else {
      await rename(temporary, final);
    }
    return venvPython(final);
  } catch (error) {
    await rm(temporary, { recursive: true, force: true });
    const tail = (await readFile(log, 'utf8').catch(() => '')).trim().split('\n').slice(-15).join('\n');
    throw new Error(
      `Could not build the local runtime ${request.name} with Python ${request.basePython.version} ` +
        `(${request.basePython.executable}): ${(error as Error).message}\n${tail}\n` +
        `Check the network and the pins; a different interpreter can be chosen with SLIPWAY_PYTHON. Full log: ${log}`,
    );
  }
}

/** Temporary and swapped-out folders of earlier builds that crashed; safe to delete while holding the lock. */
async function removeLeftovers(cacheDir: string, name: string): Promise<void> {
  const names = await readdir(cacheDir).catch(() => [] as string[]);
  for (const entry of names) {
    if (entry.startsWith(`.${name}.building-`) || entry.startsWith(`.${name}.old-`)) {
      await rm(join(cacheDir, entry), { recursive: true, force: true });
    }
  }
}

function runLogged(command: string, args: string[], log: string, flag: 'w' | 'a'): Promise<void> {
  return open(log, flag).then(
    (handle) =>
      new Promise<void>((resolve, reject) => {
        const child = execFile(command, args, { maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
          void handle
            .appendFile(`$ ${command} ${args.join(' ')}\n${stdout}${stderr}`)
            .finally(() => handle.close())
            .then(() =>
              error
                ? reject(
                    new Error(`${command} ${args.slice(0, 3).join(' ')} … failed (exit ${child.exitCode ?? 'signal'})`),
                  )
                : resolve(),
            );
        });
      }),
  );
}

/** Runs `task` while holding `lockFile`: the one file lock of `@slipway/core`, named for venv builds. */
export function withLock<T>(lockFile: string, timeoutMs: number, task: () => Promise<T>): Promise<T> {
  return withFileLock(lockFile, timeoutMs, task, 'build');
}
