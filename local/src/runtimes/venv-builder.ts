import { spawn } from 'node:child_process';
import { createHash, randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, open, readFile, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { BasePython } from './python.js';
import { withFileLock } from '@slipway/core';

/** A built venv another one can be layered on. */
export interface BuiltVenv {
  readonly dir: string;
  readonly python: string;
  /** What it was built from (its pins, its interpreter and its own base), so layers rebuild when it changes. */
  readonly identity: string;
}

export interface VenvRequest {
  /** The folder the venv is built in, as `<cacheDir>/<name>`. */
  readonly cacheDir: string;
  readonly name: string;
  /** pip requirement lines, written to the venv's `requirements.txt`. */
  readonly requirements: readonly string[];
  readonly basePython: BasePython;
  /** A venv whose packages this one sees (after its own): installed once, shared by its layers. */
  readonly base?: BuiltVenv;
  /** Requirements to download into `wheelhouse` (not install), for later offline installs. */
  readonly prefetch?: readonly string[];
  /** A folder of wheels pip may install from; with `offlineFirst`, tried alone before the package index. */
  readonly wheelhouse?: string;
  /** Try `--no-index --find-links wheelhouse` first, and the index only if that fails (a job's requirements.txt). */
  readonly offlineFirst?: boolean;
  /** Install this requirements file (as `pip install -r`, from its own folder) instead of `requirements`. */
  readonly requirementsFile?: string;
  /** More that makes the venv what it is (e.g. a hash of local files the requirements file refers to). */
  readonly identityExtra?: string;
  /** pip's environment. @default process.env */
  readonly env?: NodeJS.ProcessEnv;
  /** How long to wait for another process building the same venv. @default 60 minutes */
  readonly lockTimeoutMs?: number;
  /** Told when a build starts (it takes a while the first time). */
  readonly onBuild?: (message: string) => void;
  /** Told of the build's progress: what pip collects and downloads (with sizes), and a heartbeat while it works. */
  readonly onProgress?: (message: string) => void;
  /** How often the heartbeat speaks. @default 20 000 ms */
  readonly heartbeatMs?: number;
}

const STAMP = 'slipway-runtime.json';
const DEFAULT_LOCK_TIMEOUT_MS = 60 * 60_000;
const BASE_PTH = '_slipway_base.pth';
/** Builds in progress in this process, so that concurrent jobs share one build. */
const inProcess = new Map<string, Promise<BuiltVenv>>();

/** Path of the venv's interpreter. */
export function venvPython(venvDir: string): string {
  return join(venvDir, 'bin', 'python');
}

/** The venv's site-packages (where a layer's `.pth` points). */
export function venvSitePackages(venvDir: string, pythonVersion: string): string {
  return join(venvDir, 'lib', `python${pythonVersion}`, 'site-packages');
}

/** What makes a venv what it is: the pins, the base interpreter's version and the venv it is layered on. */
export function venvIdentity(
  request: Pick<VenvRequest, 'requirements' | 'basePython' | 'base' | 'identityExtra' | 'requirementsFile'>,
  requirementsText = '',
): string {
  return createHash('sha256')
    .update(
      JSON.stringify({
        requirements: request.requirements,
        python: request.basePython.version,
        ...(request.base ? { base: request.base.identity } : {}),
        ...(request.requirementsFile ? { file: requirementsText } : {}),
        ...(request.identityExtra ? { extra: request.identityExtra } : {}),
      }),
    )
    .digest('hex');
}

/** The stamp of a built venv: what it was built from. */
export interface VenvStamp {
  readonly name: string;
  readonly identity: string;
  readonly python: string;
  readonly requirements: readonly string[];
  readonly base?: string;
  readonly builtAt?: string;
  readonly buildSeconds?: number;
}

/** The stamp of `<dir>`, or undefined when no complete venv is there. */
export async function readVenvStamp(dir: string): Promise<VenvStamp | undefined> {
  try {
    const stamp = JSON.parse(await readFile(join(dir, STAMP), 'utf8')) as VenvStamp;
    return existsSync(venvPython(dir)) ? stamp : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Returns the venv `<cacheDir>/<name>`, building it first if it is missing or was built from other pins. The
 * venv is built in a temporary folder beside it and renamed into place, so the final folder is either absent
 * or complete: a crash mid-build leaves only a temporary folder, removed by the next build. A lock file
 * (holding the builder's pid, taken over when that process is gone) keeps two processes from building the
 * same venv at once; inside one process, callers share the same build.
 */
export async function ensureVenv(request: VenvRequest): Promise<BuiltVenv> {
  const final = join(request.cacheDir, request.name);
  const requirementsText = request.requirementsFile ? await readFile(request.requirementsFile, 'utf8') : '';
  const identity = venvIdentity(request, requirementsText);
  const ready = { dir: final, python: venvPython(final), identity };
  if ((await readVenvStamp(final))?.identity === identity) return ready;
  const key = `${final}\0${identity}`;
  let pending = inProcess.get(key);
  if (!pending) {
    pending = withLock(
      join(request.cacheDir, `.${request.name}.lock`),
      request.lockTimeoutMs ?? DEFAULT_LOCK_TIMEOUT_MS,
      () => build(request, final, identity).then(() => ready),
    ).finally(() => inProcess.delete(key));
    inProcess.set(key, pending);
  }
  return pending;
}

async function build(request: VenvRequest, final: string, identity: string): Promise<void> {
  // Another process may have finished it while this one waited for the lock.
  if ((await readVenvStamp(final))?.identity === identity) return;
  await mkdir(request.cacheDir, { recursive: true });
  await removeLeftovers(request.cacheDir, request.name);
  const temporary = join(request.cacheDir, `.${request.name}.building-${process.pid}-${randomUUID().slice(0, 8)}`);
  const log = join(request.cacheDir, `${request.name}.build.log`);
  const started = Date.now();
  request.onBuild?.(
    `building the local runtime ${request.name} with Python ${request.basePython.version} (once; cached in ${final}); pip's log: ${log}`,
  );
  const pip = new PipRunner(log, request);
  try {
    await pip.run(request.basePython.executable, ['-m', 'venv', temporary], 'w');
    if (request.base) {
      // Executed by site.py at start-up: the base's site-packages (and its own .pth files) come after this venv's.
      await writeFile(
        join(venvSitePackages(temporary, request.basePython.version), BASE_PTH),
        `import site; site.addsitedir(${JSON.stringify(venvSitePackages(request.base.dir, request.basePython.version))})\n`,
      );
    }
    const python = venvPython(temporary);
    const findLinks = request.wheelhouse && existsSync(request.wheelhouse) ? ['--find-links', request.wheelhouse] : [];
    let install: string[];
    let cwd: string | undefined;
    if (request.requirementsFile) {
      install = ['-r', request.requirementsFile];
      cwd = join(request.requirementsFile, '..');
    } else {
      await writeFile(join(temporary, 'requirements.txt'), request.requirements.join('\n') + '\n');
      install = ['-r', join(temporary, 'requirements.txt')];
    }
    if (request.offlineFirst && findLinks.length) {
      const offline = await pip
        .run(python, [...PIP, 'install', '--no-index', ...findLinks, ...install], 'a', cwd)
        .then(() => true)
        .catch(() => false);
      if (!offline) {
        request.onProgress?.(
          `not everything is in the local wheel cache ${request.wheelhouse}; asking the package index`,
        );
        await pip.run(python, [...PIP, 'install', '--prefer-binary', ...findLinks, ...install], 'a', cwd);
      }
    } else {
      await pip.run(python, [...PIP, 'install', '--prefer-binary', ...findLinks, ...install], 'a', cwd);
    }
    if (request.prefetch?.length && request.wheelhouse) await prefetch(pip, python, request, temporary);
    await pointScriptsAt(temporary, final);
    const stamp: VenvStamp = {
      name: request.name,
      identity,
      python: request.basePython.version,
      requirements: request.requirementsFile ? [`-r ${request.requirementsFile}`] : request.requirements,
      ...(request.base ? { base: request.base.dir } : {}),
      builtAt: new Date().toISOString(),
      buildSeconds: Math.round((Date.now() - started) / 100) / 10,
    };
    await writeFile(join(temporary, STAMP), JSON.stringify(stamp, null, 2));
    if (existsSync(final)) {
      const old = join(request.cacheDir, `.${request.name}.old-${randomUUID().slice(0, 8)}`);
      await rename(final, old);
      await rename(temporary, final);
      await rm(old, { recursive: true, force: true });
    } else {
      await rename(temporary, final);
    }
  } catch (error) {
    await rm(temporary, { recursive: true, force: true });
    const tail = (await readFile(log, 'utf8').catch(() => '')).trim().split('\n').slice(-15).join('\n');
    throw new Error(
      `Could not build the local runtime ${request.name} with Python ${request.basePython.version} ` +
        `(${request.basePython.executable}): ${(error as Error).message}\n${tail}\n` +
        `Check the network and the pins; a different interpreter can be chosen with SLIPWAY_PYTHON. Full log: ${log}`,
    );
  } finally {
    pip.stop();
  }
}

const PIP = ['-m', 'pip', '--disable-pip-version-check', '--no-input'];

/**
 * Downloads into the wheelhouse what installing `prefetch` on top of this venv would add, and nothing it has:
 * pip resolves the prefetch list against the venv's own packages (a dry run with a report), then downloads
 * exactly those releases without their dependencies. So transformers for a PyTorch runtime brings transformers,
 * tokenizers and the like, never a second torch.
 */
async function prefetch(pip: PipRunner, python: string, request: VenvRequest, temporary: string): Promise<void> {
  const wheelhouse = request.wheelhouse!;
  await mkdir(wheelhouse, { recursive: true });
  const report = join(temporary, 'prefetch-report.json');
  await pip.run(python, [
    ...PIP,
    'install',
    '--dry-run',
    '--quiet',
    '--prefer-binary',
    '--report',
    report,
    ...request.prefetch!,
  ]);
  const { install = [] } = JSON.parse(await readFile(report, 'utf8')) as {
    install?: { metadata: { name: string; version: string } }[];
  };
  await rm(report, { force: true });
  const pins = install.map(({ metadata }) => `${metadata.name}==${metadata.version}`);
  if (pins.length === 0) return;
  request.onProgress?.(`keeping ${pins.length} wheel(s) for offline installs in ${wheelhouse}: ${pins.join(' ')}`);
  await pip.run(python, [...PIP, 'download', '--no-deps', '--prefer-binary', '-d', wheelhouse, ...pins]);
}

/**
 * Console scripts pip wrote (`torchrun`, `huggingface-cli`, ...) name the temporary folder in their `#!` line;
 * after the rename they must name the final one.
 */
async function pointScriptsAt(temporary: string, final: string): Promise<void> {
  const bin = join(temporary, 'bin');
  for (const entry of await readdir(bin).catch(() => [] as string[])) {
    const file = join(bin, entry);
    const head = await readFile(file).catch(() => undefined);
    if (!head || head.subarray(0, 2).toString() !== '#!') continue;
    const text = head.toString('utf8');
    const firstLine = text.slice(0, text.indexOf('\n') >>> 0);
    if (!firstLine.includes(temporary)) continue;
    await writeFile(file, firstLine.split(temporary).join(final) + text.slice(firstLine.length));
  }
}

/** Runs the build's commands into its log, passing pip's progress lines on and speaking up while it works. */
class PipRunner {
  private last = '';
  private downloads = 0;
  private downloadedMB = 0;
  private readonly started = Date.now();
  private readonly heartbeat?: NodeJS.Timeout;

  constructor(
    private readonly log: string,
    private readonly request: VenvRequest,
  ) {
    if (request.onProgress) {
      this.heartbeat = setInterval(() => {
        const seconds = Math.round((Date.now() - this.started) / 1000);
        const so = this.downloads ? `; ${this.downloads} download(s), ${formatMB(this.downloadedMB)} so far` : '';
        request.onProgress!(`still building ${request.name} (${seconds} s${so}); pip: ${this.last || 'starting'}`);
      }, request.heartbeatMs ?? 20_000);
      this.heartbeat.unref();
    }
  }

  stop(): void {
    if (this.heartbeat) clearInterval(this.heartbeat);
  }

  async run(command: string, args: string[], flag: 'w' | 'a' = 'a', cwd?: string): Promise<void> {
    const handle = await open(this.log, flag);
    try {
      await handle.appendFile(`$ ${command} ${args.join(' ')}\n`);
      await new Promise<void>((resolve, reject) => {
        const child = spawn(command, args, {
          env: this.request.env ?? process.env,
          stdio: ['ignore', 'pipe', 'pipe'],
          ...(cwd ? { cwd } : {}),
        });
        let writes = Promise.resolve();
        const onLine = (line: string) => {
          writes = writes.then(() => handle.appendFile(`${line}\n`));
          this.observe(line);
        };
        createInterface({ input: child.stdout }).on('line', onLine);
        createInterface({ input: child.stderr }).on('line', onLine);
        child.once('error', reject);
        child.once('close', (code, signal) => {
          void writes.then(() =>
            code === 0
              ? resolve()
              : reject(new Error(`${command} ${args.slice(0, 3).join(' ')} … failed (exit ${code ?? signal})`)),
          );
        });
      });
    } finally {
      await handle.close();
    }
  }

  private observe(line: string): void {
    const text = line.trim();
    if (!text) return;
    this.last = text.length > 160 ? `${text.slice(0, 157)}...` : text;
    const download = /^Downloading (\S+) \(([\d.]+) (kB|MB|GB)\)/.exec(text);
    if (download) {
      const mb = Number(download[2]) * ({ kB: 1 / 1000, MB: 1, GB: 1000 }[download[3]!] ?? 1);
      this.downloads += 1;
      this.downloadedMB += mb;
      // Large downloads are what makes a build slow: say each one as it starts.
      if (mb >= 10) this.request.onProgress?.(`downloading ${download[1]} (${download[2]} ${download[3]})`);
    } else if (/^(Installing collected packages|Successfully installed)/.test(text)) {
      this.request.onProgress?.(text.length > 300 ? `${text.slice(0, 297)}...` : text);
    }
  }
}

function formatMB(mb: number): string {
  return mb >= 1000 ? `${(mb / 1000).toFixed(1)} GB` : `${Math.round(mb)} MB`;
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

/** Runs `task` while holding `lockFile`: the one file lock of `@slipway/core`, named for venv builds. */
export function withLock<T>(lockFile: string, timeoutMs: number, task: () => Promise<T>): Promise<T> {
  return withFileLock(lockFile, timeoutMs, task, 'build');
}
