import { basename, delimiter, dirname, join } from 'node:path';
import { LOCAL_PYTHON_DIR } from '../runtimes/runtime-manager.js';
import type { Runtime } from '../runtimes/runtime-definition.js';
import { OPT_ML, mapContainerPaths, type Sandbox } from './sandbox.js';

/** Host variables a job may see: enough to find programs, read locales and reach a proxy; never credentials. */
const PASSED_THROUGH = [
  'HOME',
  'LANG',
  'LC_ALL',
  'LC_CTYPE',
  'TZ',
  'HTTP_PROXY',
  'HTTPS_PROXY',
  'NO_PROXY',
  'http_proxy',
  'https_proxy',
  'no_proxy',
  'SSL_CERT_FILE',
  'SSL_CERT_DIR',
];

/**
 * The environment a container would start with, built for this machine: the runtime's interpreter first on
 * PATH (so `python` inside the job is the runtime's), `SAGEMAKER_BASE_DIR` naming the sandbox's /opt/ml, the
 * start-up hook that maps hard-coded /opt/ml paths in Python (local/python/job_startup), a private TMPDIR,
 * unbuffered Python output (so the log shows lines as they happen), and no user site-packages.
 */
export function baseEnvironment(
  hostEnv: NodeJS.ProcessEnv,
  runtime: Pick<Runtime, 'python'>,
  sandbox: Sandbox,
): Record<string, string> {
  const env: Record<string, string> = {};
  for (const name of PASSED_THROUGH) {
    const value = hostEnv[name];
    if (value !== undefined) env[name] = value;
  }
  env.PATH = `${dirname(runtime.python)}:${hostEnv.PATH ?? '/usr/local/bin:/usr/bin:/bin'}`;
  env.TMPDIR = sandbox.tmp;
  // The toolkits' own name for "where /opt/ml is" outside a container (sagemaker_training.environment).
  env.SAGEMAKER_BASE_DIR = sandbox.hostPath(OPT_ML);
  // Read by the start-up hook (JOB_STARTUP_DIR) when the job's PYTHONPATH includes it.
  env.SLIPWAY_OPT_ML = sandbox.hostPath(OPT_ML);
  env.PYTHONUNBUFFERED = '1';
  env.PYTHONNOUSERSITE = '1';
  return env;
}

/** The folder whose sitecustomize.py maps /opt/ml paths inside a job's Python processes. */
export const JOB_STARTUP_DIR = join(LOCAL_PYTHON_DIR, 'job_startup');

/** Starts jobs so that they die with the server (see local/python/job_launcher.py). */
export const JOB_LAUNCHER = join(LOCAL_PYTHON_DIR, 'job_launcher.py');

/** PYTHONPATH with `first` entries ahead of what `env` (the job's own Environment) already has. */
export function prependPythonPath(env: Readonly<Record<string, string>>, ...first: string[]): string {
  return [...first, ...(env.PYTHONPATH ? env.PYTHONPATH.split(delimiter) : [])].filter(Boolean).join(delimiter);
}

/** A request's `Environment` map with `/opt/ml` paths in its values moved into the sandbox. */
export function mappedEnvironment(
  environment: Record<string, string> | undefined,
  sandbox: Pick<Sandbox, 'root'>,
): Record<string, string> {
  return Object.fromEntries(
    Object.entries(environment ?? {}).map(([key, value]) => [key, mapContainerPaths(value, sandbox)]),
  );
}

const PYTHON_COMMAND = /^python(?:3(?:\.\d+)?)?$/;

/** True for `python`, `python3`, `python3.11` and the same with a path (`/usr/bin/python3`). */
export function isPythonCommand(command: string): boolean {
  return PYTHON_COMMAND.test(basename(command));
}

/** The container command with `/opt/ml` mapped and the image's Python replaced by the runtime's interpreter. */
export function hostCommand(
  argv: readonly string[],
  runtime: Pick<Runtime, 'python'>,
  sandbox: Pick<Sandbox, 'root'>,
): string[] {
  return argv.map((part, index) =>
    index === 0 && isPythonCommand(part) ? runtime.python : mapContainerPaths(part, sandbox),
  );
}
