import { jobStep } from './job-step.js';
import { runConditionStep, runFailStep, runModelStep, runRegisterModelStep, unsupportedStep } from './simple-steps.js';
import type { StepExecutor } from './step-executor.js';

/** One executor per step type the local engine runs; adding a type means adding an entry here. */
export const STEP_EXECUTORS: Readonly<Record<string, StepExecutor>> = {
  Processing: jobStep('Processing'),
  Training: jobStep('Training'),
  Condition: runConditionStep,
  Fail: runFailStep,
  RegisterModel: runRegisterModelStep,
  Model: runModelStep,
};

/** Step types whose RetryPolicies SageMaker honours. */
export const RETRYABLE_STEP_TYPES = [
  'Processing',
  'Training',
  'Tuning',
  'AutoML',
  'Model',
  'RegisterModel',
  'Transform',
  'NotebookJob',
];

export function executorFor(type: string): StepExecutor {
  return STEP_EXECUTORS[type] ?? unsupportedStep(type, Object.keys(STEP_EXECUTORS));
}
