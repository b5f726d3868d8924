import { join, posix } from 'node:path';
import { ValidationError, describeValue } from '@slipway/core';

/** The container's root for SageMaker's files; every job gets its own stand-in under its work folder. */
export const OPT_ML = '/opt/ml';

/** The host folders that stand in for a job's container paths. */
export interface Sandbox {
  /** The job's work folder; `/opt/ml/x` is `<root>/opt/ml/x`. */
  readonly root: string;
  /** `$TMPDIR` for the job. */
  readonly tmp: string;
  /** Host path for an absolute container path under /opt/ml. */
  hostPath(containerPath: string): string;
}

export function createSandbox(workDir: string): Sandbox {
  return {
    root: workDir,
    tmp: join(workDir, 'tmp'),
    hostPath: (containerPath) => join(workDir, ...posix.normalize(containerPath).split('/').filter(Boolean)),
  };
}

// `/opt/ml` where it starts a path: at the start of the value or after a character that cannot be part of a
// path (space, `=`, quote, comma ...), and followed by `/` or the end of that path.
const OPT_ML_PATH = /(^|[^\w./~-])\/opt\/ml(?=$|[/\s"'`,;:=)\]}])/g;

/**
 * Rewrites every `/opt/ml…` path inside a command-line argument or environment value to the sandbox, e.g.
 * `--input=/opt/ml/processing/input` → `--input=<workDir>/opt/ml/processing/input`. Paths that merely contain
 * `/opt/ml` further in (`/data/opt/ml`) are left alone.
 */
export function mapContainerPaths(value: string, sandbox: Pick<Sandbox, 'root'>): string {
  return value.replace(OPT_ML_PATH, (_match, before: string) => `${before}${join(sandbox.root, 'opt', 'ml')}`);
}

/**
 * Checks that a processing `LocalPath` is a clean absolute path strictly under `/opt/ml/processing/` (what
 * SageMaker requires), and returns it normalised.
 */
export function checkProcessingLocalPath(localPath: unknown, where: string, field: string): string {
  const problem =
    typeof localPath !== 'string' || localPath === ''
      ? 'is required'
      : !localPath.startsWith('/')
        ? 'must be an absolute path'
        : localPath.split('/').includes('..')
          ? 'must not contain ".." segments'
          : !posix.normalize(localPath).startsWith('/opt/ml/processing/') ||
              posix.normalize(localPath) === '/opt/ml/processing/'
            ? 'must be under /opt/ml/processing/'
            : undefined;
  if (problem) {
    throw new ValidationError({
      where,
      field,
      problem: `${problem}, got ${describeValue(localPath)}`,
      fix: 'use a folder such as /opt/ml/processing/input/data',
    });
  }
  return posix.normalize(localPath as string).replace(/\/$/, '');
}
