import type { PipelineStepType } from '@slipway/core';
import type { RetryPolicy } from '../retry.js';

/** The checked form of a pipeline definition: what the engine runs. */

export type ParameterType = 'String' | 'Integer' | 'Float' | 'Boolean';
export type ParameterValue = string | number | boolean;

export interface ParameterDeclaration {
  readonly name: string;
  readonly type: ParameterType;
  readonly defaultValue?: ParameterValue;
  readonly enumValues?: readonly string[];
}

export interface PropertyFileDeclaration {
  readonly name: string;
  readonly outputName: string;
  readonly filePath: string;
}

export interface CacheConfig {
  readonly enabled: boolean;
  /** Milliseconds; undefined means a cached result never expires. */
  readonly expireAfterMs?: number;
}

export interface StepDefinition {
  readonly name: string;
  readonly type: PipelineStepType;
  readonly arguments: unknown;
  /**
   * The type's members beside Arguments (`PIPELINE_STEP_TYPES[type].envelope`: a Lambda step's FunctionArn and
   * OutputParameters, a Callback step's SqsQueueUrl, ...), unresolved.
   */
  readonly envelope: Readonly<Record<string, unknown>>;
  readonly dependsOn: readonly string[];
  readonly displayName?: string;
  readonly description?: string;
  readonly retryPolicies: readonly RetryPolicy[];
  readonly cacheConfig?: CacheConfig;
  readonly propertyFiles: readonly PropertyFileDeclaration[];
  /** Set for steps inside a Condition step's IfSteps (outcome true) or ElseSteps (outcome false). */
  readonly branch?: { readonly condition: string; readonly outcome: boolean };
  /** Every step that must succeed first: DependsOn, steps referenced by expressions, the enclosing condition. */
  readonly upstream: readonly string[];
  /** Where the step sits in the document, e.g. `Steps[2].Arguments.IfSteps[0]`, for messages. */
  readonly field: string;
}

export interface PipelineDefinition {
  readonly parameters: readonly ParameterDeclaration[];
  /** The unresolved PipelineExperimentConfig, or null when the definition turns it off (or omits it). */
  readonly experimentConfig: { readonly ExperimentName?: unknown; readonly TrialName?: unknown } | null;
  /** Every step, branch steps included, in an order where each step comes after its upstream steps. */
  readonly steps: readonly StepDefinition[];
}

export const DEFINITION_VERSION = '2020-12-01';

/** The execution variables a `{"Get": "Execution.X"}` may name. */
export const EXECUTION_VARIABLES = [
  'StartDateTime',
  'CurrentDateTime',
  'PipelineName',
  'PipelineArn',
  'PipelineExecutionId',
  'PipelineExecutionArn',
  'TrainingJobName',
  'ProcessingJobName',
];

/** Reports one problem: the field (inside `PipelineDefinition`), what is wrong, how to fix it. */
export type AddIssue = (field: string, problem: string, fix?: string) => void;
