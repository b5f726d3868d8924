import { createHash } from 'node:crypto';

/** Where a run comes from: the commit, the repository and the CI run that started it. */
export interface SourceContext {
  /** The commit SHA. */
  readonly revision?: string;
  /** `OWNER/REPO`. */
  readonly repository?: string;
  /** The page of the CI run (GitHub: `<server>/<repo>/actions/runs/<id>`). */
  readonly runUrl?: string;
  /** The CI run's id and attempt: with the commit, they make the execution's idempotency token. */
  readonly runId?: string;
  readonly runAttempt?: string;
}

/** The pipeline parameters a run fills from its source, when the pipeline declares them (seed/README.md). */
export const SOURCE_PARAMETERS = {
  revision: 'SourceRevision',
  repository: 'SourceRepository',
  runUrl: 'SourceRunUrl',
} as const satisfies Partial<Record<keyof SourceContext, string>>;

/**
 * The pipeline parameter a run fills with the PipelineVersionId its upsert wrote (and starts), when the
 * pipeline declares it: the registered version records which definition produced it.
 */
export const PIPELINE_VERSION_PARAMETER = 'SourcePipelineVersion';

/** The source of a GitHub Actions run, from the variables the runner sets. */
export function githubSourceContext(env: NodeJS.ProcessEnv): SourceContext {
  const server = env.GITHUB_SERVER_URL ?? 'https://github.com';
  const repository = env.GITHUB_REPOSITORY;
  const runId = env.GITHUB_RUN_ID;
  return {
    ...(env.GITHUB_SHA ? { revision: env.GITHUB_SHA } : {}),
    ...(repository ? { repository } : {}),
    ...(repository && runId ? { runUrl: `${server}/${repository}/actions/runs/${runId}` } : {}),
    ...(runId ? { runId } : {}),
    ...(env.GITHUB_RUN_ATTEMPT ? { runAttempt: env.GITHUB_RUN_ATTEMPT } : {}),
  };
}

/**
 * StartPipelineExecution's ClientRequestToken (32–128 characters) for a CI run: the same pipeline, commit,
 * run and attempt always give the same token, so a step that is retried, or a job restarted inside the same
 * attempt, gets the execution it already started instead of a second one. A re-run (a new attempt) is a new
 * request and starts a new execution. Without a run id there is nothing to be idempotent about: undefined.
 */
export function executionRequestToken(pipelineName: string, source: SourceContext): string | undefined {
  if (!source.runId) return undefined;
  const digest = createHash('sha256')
    .update([pipelineName, source.revision ?? '', source.runId, source.runAttempt ?? '1'].join('\0'))
    .digest('hex');
  return `slipway-${digest}`;
}

/** A display name SageMaker accepts (`[a-zA-Z0-9](-*[a-zA-Z0-9]){0,81}`) that says which commit and run. */
export function executionDisplayName(source: SourceContext): string | undefined {
  const parts: string[] = [];
  if (source.revision) parts.push(`commit-${source.revision.slice(0, 12)}`);
  if (source.runId) parts.push(`run-${source.runId}-${source.runAttempt ?? '1'}`);
  const name = parts
    .join('-')
    .replace(/[^a-zA-Z0-9-]/g, '-')
    .replace(/-+/g, '-')
    .replace(/^-|-$/g, '');
  return name.length > 0 ? name.slice(0, 82).replace(/-$/, '') : undefined;
}

/** A description (≤ 3072 characters) naming the repository, commit and run. */
export function executionDescription(source: SourceContext): string | undefined {
  const parts = [
    source.repository && source.revision ? `${source.repository}@${source.revision}` : (source.revision ?? ''),
    source.runUrl ? `run ${source.runUrl}` : '',
  ].filter((part) => part.length > 0);
  return parts.length > 0 ? `Started by Slipway from ${parts.join(', ')}`.slice(0, 3072) : undefined;
}
