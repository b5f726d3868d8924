import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, type WriteStream } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { ValidationError } from '@slipway/core';
import { extractTarGz } from '../archive/extract.js';
import { JOB_STARTUP_DIR, baseEnvironment, prependPythonPath } from '../runners/container-environment.js';
import { createSandbox } from '../runners/sandbox.js';
import { parseS3Uri } from '../storage/object-key.js';
import type { ObjectStore } from '../storage/object-store.js';
import type { Runtime } from '../runtimes/runtime-definition.js';
import { LOCAL_PYTHON_DIR, RuntimeManager } from '../runtimes/runtime-manager.js';

const READY = 'SLIPWAY_MODEL_SERVER_READY ';
const STDERR_TAIL_BYTES = 8192;

export interface ModelServerOptions {
  /** The unpacked model (what the container sees as /opt/ml/model). Give this or `modelTarGz`. */
  readonly modelDataDir?: string;
  /** A model.tar.gz, unpacked safely into `<workDir>/opt/ml/model`. Give this or `modelDataDir`. */
  readonly modelTarGz?: string;
  /** The container image; it chooses the runtime whose Python runs the server. */
  readonly image: string;
  /** The container's Environment (SAGEMAKER_PROGRAM, SAGEMAKER_SUBMIT_DIRECTORY, ...). */
  readonly environment?: Readonly<Record<string, string>>;
  /** The port on 127.0.0.1. @default 0 (any free port) */
  readonly port?: number;
  /** @default a RuntimeManager with default options */
  readonly runtimes?: RuntimeManager;
  /** Needed only when SAGEMAKER_SUBMIT_DIRECTORY is an s3:// tar.gz, as the sklearn container downloads it. */
  readonly store?: ObjectStore;
  /** This server's own folder (model, temp files). @default a temporary folder, removed by stop() */
  readonly workDir?: string;
  /** Where the server's stdout and stderr are appended. @default nowhere (stderr's tail is still kept) */
  readonly logFile?: string;
  /** How long loading the model and answering /ping may take. @default 60 000 ms */
  readonly startTimeoutMs?: number;
  /** Grace between SIGTERM and SIGKILL in stop(). @default 10 000 ms (SageMaker allows 30 s) */
  readonly stopGraceMs?: number;
  /** The environment read for pass-through variables (HOME, LANG, proxies). @default process.env */
  readonly hostEnv?: NodeJS.ProcessEnv;
  /** Aborting before the server answers /ping stops it (SIGTERM ends a model still loading) and rejects. */
  readonly signal?: AbortSignal;
}

export interface ModelServerExit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

export interface ModelServer {
  /** `http://127.0.0.1:<port>`; the contract's paths are `/ping` and `/invocations`. */
  readonly url: string;
  readonly port: number;
  readonly pid: number;
  readonly modelDir: string;
  readonly runtime: Runtime;
  /** Settles when the process ends, however it ends (a crash after start shows here). */
  readonly exited: Promise<ModelServerExit>;
  /** The last few KB of the server's stderr (tracebacks of failing requests land here). */
  stderrTail(): string;
  /** SIGTERM, then SIGKILL after the grace period; removes the temporary folder. Safe to call twice. */
  stop(): Promise<void>;
}

/** The model server did not start: it exited, or did not answer /ping in time. Its stderr is in the message. */
export class ModelServerError extends Error {
  override readonly name = 'ModelServerError';
  constructor(
    message: string,
    readonly stderr: string,
    readonly exit?: ModelServerExit,
  ) {
    super(stderr.trim() ? `${message}\n${stderr.trim()}` : message);
  }
}

/**
 * The model data (model.tar.gz, or the source archive it names) was refused before any server ran: still a
 * ValidationError (bad input, with its issues), told apart so that it is not reported as a failed ping.
 */
export class ModelDataError extends ValidationError {}

/**
 * Starts a model server for one production variant: picks the image's local runtime, unpacks the model,
 * runs `python -m slipway_serving` (local/python) on 127.0.0.1, and resolves once it answers `GET /ping`
 * with 200. A model that fails to load rejects with a ModelServerError carrying the handler's error.
 */
export async function startModelServer(options: ModelServerOptions): Promise<ModelServer> {
  if ((options.modelDataDir === undefined) === (options.modelTarGz === undefined)) {
    throw new ValidationError({
      where: 'startModelServer',
      field: 'modelDataDir / modelTarGz',
      problem: 'must give exactly one of the two',
      fix: 'pass the unpacked model folder or the model.tar.gz',
    });
  }
  const runtime = await (options.runtimes ?? new RuntimeManager()).resolve(options.image);
  if (options.signal?.aborted) throw cancelled(options);
  const ownWorkDir = options.workDir === undefined;
  const workDir = options.workDir ?? (await mkdtemp(join(tmpdir(), 'slipway-model-')));
  const sandbox = createSandbox(workDir);
  try {
    await mkdir(sandbox.tmp, { recursive: true });
    if (options.logFile) await mkdir(dirname(options.logFile), { recursive: true });
    let modelDir = options.modelDataDir!;
    if (options.modelTarGz) {
      modelDir = sandbox.hostPath('/opt/ml/model');
      await extractModelData(options.modelTarGz, modelDir, options.modelTarGz);
    }
    const environment = { ...options.environment };
    const submit = environment.SAGEMAKER_SUBMIT_DIRECTORY;
    if (submit?.startsWith('s3://'))
      environment.SAGEMAKER_SUBMIT_DIRECTORY = await fetchSubmitDirectory(
        submit,
        options.store,
        sandbox.hostPath('/opt/ml/code'),
        sandbox.tmp,
      );
    const env = {
      ...baseEnvironment(options.hostEnv ?? process.env, runtime, sandbox),
      ...environment,
      // From a model.tar.gz the model sits at the sandbox's /opt/ml/model, so hard-coded paths can be mapped too.
      PYTHONPATH: prependPythonPath(environment, LOCAL_PYTHON_DIR, ...(options.modelTarGz ? [JOB_STARTUP_DIR] : [])),
    };
    if (options.signal?.aborted) throw cancelled(options);
    const child = spawn(
      runtime.python,
      [
        '-m',
        'slipway_serving',
        '--model-dir',
        modelDir,
        '--host',
        '127.0.0.1',
        '--port',
        String(options.port ?? 0),
        '--parent-pid',
        String(process.pid),
      ],
      { cwd: workDir, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const server = await waitUntilReady(child, options, runtime, modelDir, async () => {
      if (ownWorkDir) await rm(workDir, { recursive: true, force: true });
    });
    return server;
  } catch (error) {
    if (ownWorkDir) await rm(workDir, { recursive: true, force: true });
    throw error;
  }
}

/** Extracts an archive the server needs, turning a refusal (unsafe or broken archive) into a ModelDataError. */
async function extractModelData(archive: string, target: string, label: string): Promise<void> {
  try {
    await extractTarGz(archive, target, { label });
  } catch (error) {
    if (error instanceof ValidationError) throw new ModelDataError(error.issues);
    throw error;
  }
}

function cancelled(options: ModelServerOptions): ModelServerError {
  return new ModelServerError(`The model server for ${options.image} was stopped before it answered /ping`, '');
}

async function fetchSubmitDirectory(
  uri: string,
  store: ObjectStore | undefined,
  codeDir: string,
  tmp: string,
): Promise<string> {
  const field = 'Environment.SAGEMAKER_SUBMIT_DIRECTORY';
  if (!store) {
    throw new ValidationError({
      where: 'startModelServer',
      field,
      problem: `is the S3 URI ${uri}`,
      fix: 'pass the object store (options.store) so the source can be downloaded',
    });
  }
  const location = parseS3Uri(uri, field);
  const archive = join(tmp, 'sourcedir.tar.gz');
  if (!(await store.getToFile(location.bucket, location.key, archive))) {
    throw new ValidationError({
      where: 'startModelServer',
      field,
      problem: `names ${uri}, which does not exist`,
      fix: 'upload the source first',
    });
  }
  await extractModelData(archive, codeDir, `${field} ${uri}`);
  return codeDir;
}

function waitUntilReady(
  child: ChildProcess,
  options: ModelServerOptions,
  runtime: Runtime,
  modelDir: string,
  cleanUp: () => Promise<void>,
): Promise<ModelServer> {
  let stderr = '';
  let log: WriteStream | undefined;
  if (options.logFile) {
    log = createWriteStream(options.logFile, { flags: 'a' });
    log.on('error', () => undefined);
  }
  child.stderr!.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString('utf8')).slice(-STDERR_TAIL_BYTES);
    log?.write(chunk);
  });
  const exited = new Promise<ModelServerExit>((resolve) => {
    child.once('close', (code, signal) => {
      log?.end();
      resolve({ code, signal });
    });
  });
  const killGroup = (signal: NodeJS.Signals) => {
    try {
      process.kill(-child.pid!, signal);
    } catch {
      // Already gone.
    }
  };
  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      killGroup('SIGTERM');
      const timer = setTimeout(() => killGroup('SIGKILL'), options.stopGraceMs ?? 10_000);
      await exited;
      clearTimeout(timer);
      killGroup('SIGKILL');
      await cleanUp();
    })();
    return stopping;
  };

  return new Promise<ModelServer>((resolve, reject) => {
    const timeoutMs = options.startTimeoutMs ?? 60_000;
    let settled = false;
    const fail = (message: string, exit?: ModelServerExit) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', abort);
      void stop().then(() => reject(new ModelServerError(message, stderr, exit)));
    };
    const timer = setTimeout(
      () => fail(`The model server for ${options.image} did not answer /ping within ${timeoutMs} ms; its stderr:`),
      timeoutMs,
    );
    const abort = () => fail(cancelled(options).message);
    options.signal?.addEventListener('abort', abort, { once: true });
    child.once('error', (error) => fail(`The model server could not start (${runtime.python}): ${error.message}`));
    void exited.then((exit) => {
      // Give stderr a moment to be read to the end before reporting it.
      setImmediate(() =>
        fail(
          `The model server for ${options.image} exited (${exit.code !== null ? `code ${exit.code}` : exit.signal}) before answering /ping${exit.code === 2 ? ': the model failed to load' : ''}; its stderr:`,
          exit,
        ),
      );
    });
    const lines = createInterface({ input: child.stdout! });
    lines.on('line', (line) => {
      log?.write(`${line}\n`);
      if (settled || !line.startsWith(READY)) return;
      const port = (JSON.parse(line.slice(READY.length)) as { port: number }).port;
      const url = `http://127.0.0.1:${port}`;
      ping(url).then(
        () => {
          if (settled) return;
          settled = true;
          clearTimeout(timer);
          options.signal?.removeEventListener('abort', abort);
          resolve({ url, port, pid: child.pid!, modelDir, runtime, exited, stderrTail: () => stderr, stop });
        },
        (error: Error) =>
          fail(`The model server for ${options.image} did not answer /ping: ${error.message}; its stderr:`),
      );
    });
  });
}

async function ping(url: string): Promise<void> {
  const response = await fetch(`${url}/ping`, { signal: AbortSignal.timeout(2000) });
  await response.arrayBuffer();
  if (response.status !== 200) throw new Error(`GET /ping answered ${response.status}`);
}
