import type { DeployStageResult } from '../deploy/deploy-stage.js';
import type { ResolvedDeployment } from '../deploy/resolve.js';
import type { EndpointTestResult } from '../deploy/test-endpoint.js';
import type { RepositoryDispatchBody } from '../events/repository-dispatch.js';

/**
 * A run of the deploy workflow outside GitHub, in GitHub's own vocabulary so the two read alike: a run and
 * each of its jobs are `queued`, `in_progress`, `waiting` (for the production gate) or `completed`, and a
 * completed one has a conclusion.
 */
export type RunStatus = 'queued' | 'in_progress' | 'waiting' | 'completed';
export type RunConclusion = 'success' | 'failure' | 'cancelled' | 'skipped';

/** How a run passes the gate before the stages after the first: at once, or when a person promotes it. */
export type PromotionMode = 'auto' | 'manual';

/** The jobs of deploy.yml: `resolve`, the first stage, `test`, then each later stage (with its smoke test). */
export const RESOLVE_JOB = 'resolve';
export const TEST_JOB = 'test';

export interface DeployJob {
  /** `resolve`, `test`, or a stage name (`staging`, `prod`). */
  readonly name: string;
  status: RunStatus;
  conclusion?: RunConclusion;
  startedAt?: string;
  completedAt?: string;
  /** One line: what the job did, or why it failed or was skipped. */
  message?: string;
  /** resolve: the decision. */
  resolution?: ResolvedDeployment;
  /** A stage job: what the stage serves afterwards. */
  deployment?: DeployStageResult;
  /** test, and a later stage's smoke test. */
  test?: EndpointTestSummary;
}

/** The endpoint test result without the per-sample details. */
export type EndpointTestSummary = Omit<EndpointTestResult, 'mistakes'> & { readonly mistakes: number };

export interface DeployRun {
  /** 1, 2, 3, … in the order the dispatches arrived. */
  readonly number: number;
  /** The repository_dispatch body as received (untrusted until the resolve job checked it). */
  readonly dispatch: RepositoryDispatchBody;
  readonly promotion: PromotionMode;
  readonly createdAt: string;
  status: RunStatus;
  conclusion?: RunConclusion;
  updatedAt: string;
  completedAt?: string;
  /** The version the run deploys (after resolve), and for a rollback the rejected one it replaces. */
  modelPackageArn?: string;
  replacesModelPackageArn?: string;
  jobs: DeployJob[];
}

/** The job names of a run for the project's stages, in order. */
export function jobNames(stages: readonly string[]): string[] {
  const [first, ...later] = stages;
  return [RESOLVE_JOB, ...(first ? [first, TEST_JOB] : []), ...later];
}

export function summarizeTest(result: EndpointTestResult): EndpointTestSummary {
  return { ...result, mistakes: result.mistakes.length };
}
