import { ValidationError, describeValue } from '@slipway/core';
import type { DeliveryHistory, EarlierDelivery } from '../deploy/delivery-history.js';
import { eventIdOfRunTitle, eventOfRunTitle } from './run-title.js';

/** The run the action is part of, from the variables GitHub sets in every job, plus the job's token. */
export interface GitHubRunContext {
  /** `GITHUB_API_URL`, e.g. https://api.github.com */
  readonly apiUrl: string;
  /** `GITHUB_REPOSITORY`: OWNER/REPO */
  readonly repository: string;
  /** The workflow file name, from `GITHUB_WORKFLOW_REF` (OWNER/REPO/.github/workflows/FILE@REF). */
  readonly workflowFile: string;
  /** `GITHUB_RUN_ID` and `GITHUB_RUN_NUMBER`. */
  readonly runId: number;
  readonly runNumber: number;
  /** The job's GITHUB_TOKEN (`actions: read` is enough). */
  readonly token: string;
}

/**
 * EventBridge retries a delivery for up to 24 hours, so an earlier run of the same event is at most about a
 * day older than this one: the runs list is read back that far (with an hour to spare), at most 1,000 runs.
 */
const LOOKBACK_MS = 25 * 3600_000;
const PAGE_SIZE = 100;
const MAX_PAGES = 10;

export function githubRunContext(env: NodeJS.ProcessEnv, token: string): GitHubRunContext {
  const missing = (name: string, value: string | undefined): string => {
    if (!value) {
      throw new ValidationError({
        where: name,
        field: '',
        problem: 'is not set, and the earlier runs of the workflow cannot be listed without it',
        fix: 'run the action in a GitHub Actions job',
      });
    }
    return value;
  };
  if (!token) {
    throw new ValidationError({
      where: 'input github-token',
      field: '',
      problem: 'is empty, and resolving an approval event needs it to list the earlier runs of this workflow',
      fix: 'pass github-token: ${{ github.token }} and give the job permissions: actions: read',
    });
  }
  const workflowRef = missing('GITHUB_WORKFLOW_REF', env.GITHUB_WORKFLOW_REF);
  const workflowFile = /\/\.github\/workflows\/([^/@]+)@/.exec(workflowRef)?.[1];
  if (!workflowFile) {
    throw new ValidationError({
      where: 'GITHUB_WORKFLOW_REF',
      field: '',
      problem: `must name a workflow file (OWNER/REPO/.github/workflows/FILE@REF), got ${describeValue(workflowRef)}`,
    });
  }
  const number = (name: string): number => {
    const value = Number(missing(name, env[name]));
    if (!Number.isSafeInteger(value) || value < 1) {
      throw new ValidationError({
        where: name,
        field: '',
        problem: `must be a run number, got ${describeValue(env[name])}`,
      });
    }
    return value;
  };
  return {
    apiUrl: (env.GITHUB_API_URL ?? 'https://api.github.com').replace(/\/+$/, ''),
    repository: missing('GITHUB_REPOSITORY', env.GITHUB_REPOSITORY),
    workflowFile,
    runId: number('GITHUB_RUN_ID'),
    runNumber: number('GITHUB_RUN_NUMBER'),
    token,
  };
}

interface WorkflowRun {
  readonly id: number;
  readonly run_number: number;
  readonly display_title?: string | null;
  readonly status?: string | null;
  readonly conclusion?: string | null;
  readonly created_at: string;
  readonly html_url?: string;
}

/**
 * The earlier runs of this workflow, from GitHub's REST API (GET …/actions/workflows/{file}/runs, newest
 * first), matched to an event by their titles (see run-title.ts).
 */
export function githubDeliveries(
  context: GitHubRunContext,
  fetchImpl: typeof fetch = fetch,
  now: () => number = Date.now,
): DeliveryHistory {
  /** The earlier event runs within the lookback that `which` selects, newest first. */
  const earlier = async (which: (title: string | null | undefined) => boolean): Promise<EarlierDelivery[]> => {
    const found: EarlierDelivery[] = [];
    const since = now() - LOOKBACK_MS;
    for (let page = 1; page <= MAX_PAGES; page += 1) {
      const runs = await listRuns(context, page, fetchImpl);
      for (const run of runs) {
        if (run.id === context.runId || run.run_number >= context.runNumber) continue;
        if (!which(run.display_title)) continue;
        const event = eventOfRunTitle(run.display_title);
        found.push({
          run: run.html_url ?? `run ${run.id}`,
          status: run.status ?? 'unknown',
          ...(run.conclusion ? { conclusion: run.conclusion } : {}),
          ...(event ? { eventType: event.eventType } : {}),
        });
      }
      const oldest = runs.at(-1);
      if (runs.length < PAGE_SIZE || !oldest || Date.parse(oldest.created_at) < since) break;
    }
    return found;
  };
  return {
    earlierDeliveries: (eventId) => earlier((title) => eventIdOfRunTitle(title) === eventId),
    earlierEventsOfVersion: (version) => earlier((title) => eventOfRunTitle(title)?.version === version),
  };
}

async function listRuns(context: GitHubRunContext, page: number, fetchImpl: typeof fetch): Promise<WorkflowRun[]> {
  const url = `${context.apiUrl}/repos/${context.repository}/actions/workflows/${encodeURIComponent(context.workflowFile)}/runs?event=repository_dispatch&per_page=${PAGE_SIZE}&page=${page}`;
  const response = await fetchImpl(url, {
    headers: {
      Authorization: `Bearer ${context.token}`,
      Accept: 'application/vnd.github+json',
      'X-GitHub-Api-Version': '2022-11-28',
      'User-Agent': 'slipway-deploy-model',
    },
  });
  if (!response.ok) {
    throw new Error(
      `Listing the earlier runs of ${context.workflowFile} failed: GitHub answered ${response.status} ${response.statusText}; the job needs permissions: actions: read`,
    );
  }
  const body = (await response.json()) as { workflow_runs?: unknown };
  if (!Array.isArray(body.workflow_runs)) {
    throw new Error(`Listing the earlier runs of ${context.workflowFile}: GitHub's answer has no workflow_runs`);
  }
  return body.workflow_runs as WorkflowRun[];
}
