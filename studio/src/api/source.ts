import { SOURCE_PARAMETERS } from '@slipway/build-pipeline/run';
import type { SourceView } from '../views.js';

const UNSET = new Set(['', 'unknown']);
const GITHUB_REPOSITORY = /^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/;
const COMMIT = /^[0-9a-f]{7,40}$/i;

/**
 * Where a run came from, from the values the build put into the pipeline's source parameters (or the
 * version's `source_*` metadata). The commit links to GitHub when the repository is `OWNER/REPO` and the
 * revision is a commit SHA (a `-dirty` local build is shown without a link: that tree was never pushed).
 */
export function sourceView(values: {
  readonly revision?: string | undefined;
  readonly repository?: string | undefined;
  readonly runUrl?: string | undefined;
}): SourceView | undefined {
  const set = (value: string | undefined) =>
    value !== undefined && !UNSET.has(value.trim()) ? value.trim() : undefined;
  const revision = set(values.revision);
  const repository = set(values.repository);
  const runUrl = set(values.runUrl);
  if (!revision && !repository && !runUrl) return undefined;
  const commitUrl =
    revision && repository && GITHUB_REPOSITORY.test(repository) && COMMIT.test(revision)
      ? `https://github.com/${repository}/commit/${revision}`
      : undefined;
  return {
    ...(revision ? { revision } : {}),
    ...(repository ? { repository } : {}),
    ...(runUrl && /^https:\/\//.test(runUrl) ? { runUrl } : {}),
    ...(commitUrl ? { commitUrl } : {}),
  };
}

/** The source of an execution, from its parameters. */
export function executionSource(parameters: Readonly<Record<string, string>>): SourceView | undefined {
  return sourceView({
    revision: parameters[SOURCE_PARAMETERS.revision],
    repository: parameters[SOURCE_PARAMETERS.repository],
    runUrl: parameters[SOURCE_PARAMETERS.runUrl],
  });
}

/** The source of a model version, from the `source_*` metadata the RegisterModel step records. */
export function versionSource(metadata: Readonly<Record<string, string>> | undefined): SourceView | undefined {
  return sourceView({
    revision: metadata?.['source_revision'],
    repository: metadata?.['source_repository'],
    runUrl: metadata?.['source_run_url'],
  });
}
