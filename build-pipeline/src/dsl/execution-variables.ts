import type { JsonValue } from '../definition/types.js';
import { PipelineVariable, type ValueKind } from './pipeline-variable.js';

/** A string the service fills in per execution, `{"Get": "<namespace>.<name>"}`. */
abstract class ServiceVariable extends PipelineVariable<string> {
  readonly kind: ValueKind = 'string';
  protected abstract readonly namespace: string;

  constructor(readonly name: string) {
    super();
  }

  toDefinition(): JsonValue {
    return { Get: this.describe() };
  }

  describe(): string {
    return `${this.namespace}.${this.name}`;
  }
}

/** `{"Get": "Execution.<name>"}`: the pipeline's name and ARN, the execution's id and ARN, its times. */
export class ExecutionVariable extends ServiceVariable {
  protected readonly namespace = 'Execution';
}

/** The execution variables, named as in the SageMaker Python SDK. */
export const ExecutionVariables = {
  START_DATETIME: new ExecutionVariable('StartDateTime'),
  CURRENT_DATETIME: new ExecutionVariable('CurrentDateTime'),
  PIPELINE_NAME: new ExecutionVariable('PipelineName'),
  PIPELINE_ARN: new ExecutionVariable('PipelineArn'),
  PIPELINE_EXECUTION_ID: new ExecutionVariable('PipelineExecutionId'),
  PIPELINE_EXECUTION_ARN: new ExecutionVariable('PipelineExecutionArn'),
  TRAINING_JOB_NAME: new ExecutionVariable('TrainingJobName'),
  PROCESSING_JOB_NAME: new ExecutionVariable('ProcessingJobName'),
} as const;

/** The resolved experiment and trial names, `{"Get": "PipelineExperimentConfig.<name>"}`. */
export class PipelineExperimentConfigProperty extends ServiceVariable {
  protected readonly namespace = 'PipelineExperimentConfig';
}

export const PipelineExperimentConfigProperties = {
  EXPERIMENT_NAME: new PipelineExperimentConfigProperty('ExperimentName'),
  TRIAL_NAME: new PipelineExperimentConfigProperty('TrialName'),
} as const;
