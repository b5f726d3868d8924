import {
  PIPELINE_STEP_TYPES,
  PIPELINE_STEP_TYPE_NAMES,
  ValidationError,
  type PipelineStepType,
  type ValidationIssue,
} from '@slipway/core';
import type { AddIssue, PipelineDefinition, StepDefinition } from '../definition/index.js';
import { checkCallbackStep, runCallbackStep } from './callback-step.js';
import { checkTransformStep, checkTuningStep } from './creation-checks.js';
import { jobStep } from './job-step.js';
import type { LocalLambdaFunctions } from './lambda-functions.js';
import { checkLambdaStep, runLambdaStep } from './lambda-step.js';
import { runConditionStep, runFailStep, runModelStep, runRegisterModelStep } from './simple-steps.js';
import type { StepExecutor } from './step-executor.js';

/** What the local server needs to know at CreatePipeline to tell whether it can run a step. */
export interface LocalSupportContext {
  /** Lambda functions the project's configuration (`local.lambdaFunctions`) maps to local handlers. */
  readonly lambdaFunctions: LocalLambdaFunctions;
}

/** A step type the local engine runs: its executor, and what it must find at creation to run the step. */
export interface RunStepType {
  readonly run: StepExecutor;
  /** Problems with a step of this type that would stop it running here, reported at CreatePipeline. */
  readonly check?: (step: StepDefinition, context: LocalSupportContext, add: AddIssue) => void;
}

/** A step type the local engine does not run, and why: such a step is refused at CreatePipeline/UpdatePipeline. */
export interface RefusedStepType {
  readonly refused: string;
}

/**
 * The local half of each step type's registration (the other half, its schema facts, is `PIPELINE_STEP_TYPES`
 * in `@slipway/core`): its executor, or why it is refused. `satisfies` makes a type added to the facts fail to
 * compile until it has an entry here.
 */
export const LOCAL_STEP_TYPES = {
  Condition: { run: runConditionStep },
  Model: { run: runModelStep },
  Processing: { run: jobStep('Processing') },
  RegisterModel: { run: runRegisterModelStep },
  Training: { run: jobStep('Training') },
  Transform: { run: jobStep('Transform'), check: (step, _context, add) => checkTransformStep(step, add) },
  Callback: { run: runCallbackStep, check: (step, _context, add) => checkCallbackStep(step, add) },
  Tuning: { run: jobStep('Tuning'), check: (step, _context, add) => checkTuningStep(step, add) },
  Lambda: { run: runLambdaStep, check: checkLambdaStep },
  QualityCheck: {
    refused:
      "it runs SageMaker Model Monitor's analyzer container (data and model quality baselines), which has no local " +
      'runtime; compute the statistics in a Processing step instead',
  },
  ClarifyCheck: {
    refused:
      'it runs the SageMaker Clarify container (bias and explainability analysis), which has no local runtime; run ' +
      'the analysis in a Processing step instead',
  },
  EMR: { refused: 'it submits a step to an Amazon EMR cluster, and there is no EMR cluster on this machine' },
  EMRServerless: { refused: 'it starts a job on EMR Serverless, which has no local stand-in' },
  Fail: { run: runFailStep },
  AutoML: {
    refused:
      'it runs SageMaker Autopilot (AutoML candidate search over its own algorithm containers), which has no ' +
      'local runtime; train with a Training or Tuning step instead',
  },
  EndpointConfig: {
    refused: 'pipeline endpoint steps are not run locally; deploy with `slipway deploy` or CreateEndpoint instead',
  },
  Endpoint: {
    refused: 'pipeline endpoint steps are not run locally; deploy with `slipway deploy` or CreateEndpoint instead',
  },
  InferenceComponent: { refused: 'inference components have no local stand-in (endpoints serve one model each)' },
  BedrockCustomModel: { refused: 'it calls Amazon Bedrock, which has no local stand-in' },
  BedrockCustomModelDeployment: { refused: 'it calls Amazon Bedrock, which has no local stand-in' },
  BedrockModelImport: { refused: 'it calls Amazon Bedrock, which has no local stand-in' },
  BedrockProvisionedModelThroughput: { refused: 'it calls Amazon Bedrock, which has no local stand-in' },
  Lineage: { refused: 'it writes SageMaker ML Lineage Tracking entities, which the local server does not keep' },
  NotebookJob: {
    refused:
      'it runs a Jupyter notebook in a SageMaker Studio image (papermill inside that image), which has no local ' +
      'runtime; run the notebook as a Processing step script instead',
  },
} as const satisfies Record<PipelineStepType, RunStepType | RefusedStepType>;

/** The step types the local engine runs. */
export const LOCALLY_RUN_STEP_TYPES = PIPELINE_STEP_TYPE_NAMES.filter((type) => 'run' in LOCAL_STEP_TYPES[type]);

export function executorFor(type: PipelineStepType): StepExecutor {
  const entry: RunStepType | RefusedStepType = LOCAL_STEP_TYPES[type];
  if ('run' in entry) return entry.run;
  // parseDefinition plus checkLocalSupport refuse such steps before a pipeline is stored; a definition kept
  // from before a type was refused still fails its step, saying why.
  return async () => ({ status: 'Failed', failureReason: refusalMessage(type, entry.refused) });
}

/** Whether SageMaker honours RetryPolicies on this type (the facts in `@slipway/core`). */
export function retriesSteps(type: PipelineStepType): boolean {
  return PIPELINE_STEP_TYPES[type].retryPolicies.kind === 'retried';
}

/**
 * What CreatePipeline/UpdatePipeline add to the document's own checks on the local server: every step's type
 * is one it runs (else a ValidationException naming the step, its type and why), and what that type needs
 * here is present (a Lambda step's function has a local handler, ...). All problems are reported at once.
 */
export function checkLocalSupport(definition: PipelineDefinition, context: LocalSupportContext): void {
  const issues: ValidationIssue[] = [];
  const where = 'PipelineDefinition';
  for (const step of definition.steps) {
    const add: AddIssue = (field, problem, fix) =>
      issues.push({ where, field, problem, ...(fix !== undefined ? { fix } : {}) });
    const entry: RunStepType | RefusedStepType = LOCAL_STEP_TYPES[step.type];
    if ('refused' in entry) {
      add(
        `${step.field}.Type`,
        `is step ${JSON.stringify(step.name)} of type ${step.type}: ${refusalMessage(step.type, entry.refused)}`,
        `the local server runs ${LOCALLY_RUN_STEP_TYPES.join(', ')} steps; run this pipeline on SageMaker ` +
          '(`slipway pipeline run --aws`), or replace the step',
      );
    } else entry.check?.(step, context, add);
  }
  if (issues.length > 0) throw new ValidationError(issues);
}

function refusalMessage(type: PipelineStepType, why: string): string {
  return `the local server cannot run ${type} steps: ${why}`;
}
