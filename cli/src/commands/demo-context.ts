import type { CompiledPipeline, RunPipelineResult } from '@slipway/build-pipeline';
import type { LoadedProjectConfig } from '@slipway/core';
import type { DeployRun, DeployRunStore, PromotionMode } from '@slipway/deploy-pipeline';
import type { CliContext } from '../context.js';
import type { LocalConnection } from '../local-connection.js';
import type { SageMakerClients } from '../project-run.js';
import type { Prediction, ReusedDeployment } from './demo-loop.js';

/** What the demo's stages share: each stage reads what earlier ones left and adds its own. */
export interface DemoContext {
  readonly cli: CliContext;
  readonly config: LoadedProjectConfig;
  readonly dataDir: string;
  /** `auto` (the default): prod follows staging's tests at once. `manual`: stop at the production gate. */
  readonly promotion: PromotionMode;
  /** The deploy workflow's runs in the data dir, which the demo watches. */
  readonly runs: DeployRunStore;
  compiled?: CompiledPipeline;
  connection?: LocalConnection;
  clients?: SageMakerClients;
  run?: RunPipelineResult;
  /** The version the demo approved. */
  approvedArn?: string;
  /** The newest deploy run before the approval, so the demo finds the run its approval started. */
  runsBeforeApproval?: number;
  /** Set instead of approving when the registered version is the model prod already serves. */
  reused?: ReusedDeployment | undefined;
  deployRun?: DeployRun;
  waitingForPromotion?: boolean;
  predictions?: Prediction[];
  /** Anything a stage wants in the final summary and in --json, under its own name. */
  readonly facts: Record<string, unknown>;
}

/**
 * What a stage may report besides success: why it had nothing to do, or how long the work it watched took
 * (a deploy job runs ahead of the demo, so the demo's own wait would understate or overstate it).
 */
export interface StageReport {
  readonly skipped?: string;
  readonly workMs?: number;
}

/** One stage of the demo: a name for --json, a title for people, and the work. */
export interface DemoStage {
  readonly name: string;
  readonly title: string;
  run(context: DemoContext): Promise<StageReport | undefined> | Promise<void>;
}

export function required<T>(value: T | undefined, stage: string): T {
  if (value === undefined) throw new Error(`the ${stage} stage did not run`);
  return value;
}
