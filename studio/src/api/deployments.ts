import { deployStatus, type DeployRun } from '@slipway/deploy-pipeline';
import { parseModelPackageArn } from '@slipway/core';
import type { DeployRunView, DeploymentsView, StageView } from '../views.js';
import type { ConsoleContext } from './console-context.js';

/** How many deploy runs the page lists. */
const RUNS_SHOWN = 20;

/**
 * What each stage's endpoint serves now, read from SageMaker (endpoint → config → model → package) by the
 * deploy logic's own `deployStatus`, as `slipway deploy status` reads it.
 */
export async function stageStatuses(context: ConsoleContext): Promise<StageView[]> {
  const { backend } = context;
  if (!backend.project) return [];
  const status = await deployStatus({
    project: { ...backend.project, region: backend.region },
    backend: backend.clientBackend,
    sagemaker: backend.sagemaker,
  });
  const stages: readonly StageView[] = status.stages;
  return [...stages];
}

export async function deploymentsView(context: ConsoleContext): Promise<DeploymentsView> {
  const { backend } = context;
  if (!backend.project) {
    return {
      stages: [],
      runs: [],
      note: 'No slipway.config.json was found where the console started, so it knows no stages.',
    };
  }
  const stages = await stageStatuses(context);
  if (!backend.deploy) {
    const repository = backend.project.githubRepository;
    return {
      stages,
      runs: [],
      ...(repository ? { runsUrl: `https://github.com/${repository}/actions/workflows/deploy.yml` } : {}),
      note:
        backend.mode === 'aws'
          ? 'On AWS the deploy workflow runs in GitHub Actions, which keeps its runs and the production gate.'
          : 'This server runs without the deploy workflow (start it with `slipway local up` in the project).',
    };
  }
  const runs = [...(await backend.deploy.listRuns())].reverse();
  const waiting = runs.find((run) => run.status === 'waiting');
  return {
    stages,
    runs: runs.slice(0, RUNS_SHOWN).map(runView),
    ...(waiting ? { waiting: waiting.number } : {}),
  };
}

function runView(run: DeployRun): DeployRunView {
  return {
    number: run.number,
    trigger: run.dispatch.event_type,
    status: run.status,
    ...(run.conclusion ? { conclusion: run.conclusion } : {}),
    created: run.createdAt,
    ...(run.completedAt ? { completed: run.completedAt } : {}),
    ...(run.modelPackageArn ? { modelPackageArn: run.modelPackageArn } : {}),
    ...(run.replacesModelPackageArn ? { replaces: run.replacesModelPackageArn } : {}),
    jobs: run.jobs.map((job) => ({
      name: job.name,
      status: job.status,
      ...(job.conclusion ? { conclusion: job.conclusion } : {}),
      ...(job.startedAt ? { started: job.startedAt } : {}),
      ...(job.completedAt ? { completed: job.completedAt } : {}),
      ...(job.message ? { message: job.message } : {}),
    })),
  };
}

export function versionOf(arn: string): number | undefined {
  try {
    return parseModelPackageArn(arn).version;
  } catch {
    return undefined;
  }
}
