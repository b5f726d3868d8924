import type { PipelineStepType, RetryExceptionType } from '@slipway/core';

/**
 * The document: the shapes of the pipeline definition JSON (`"Version": "2020-12-01"`) that CreatePipeline
 * accepts and the local engine executes. Only the compiler writes it; everything downstream reads it.
 */
export type JsonPrimitive = string | number | boolean | null;
export type JsonValue = JsonPrimitive | readonly JsonValue[] | { readonly [key: string]: JsonValue };
export type JsonObject = { readonly [key: string]: JsonValue };

/** `{"Get": "Parameters.X" | "Execution.X" | "Steps.S.Path" | "PipelineExperimentConfig.X"}` */
export interface GetExpression {
  readonly Get: string;
}

export interface JoinExpression {
  readonly 'Std:Join': { readonly On: string; readonly Values: readonly JsonValue[] };
}

export interface JsonGetExpression {
  readonly 'Std:JsonGet':
    | { readonly PropertyFile: GetExpression; readonly Path: string }
    | { readonly S3Uri: JsonValue; readonly Path: string };
}

export type Expression = GetExpression | JoinExpression | JsonGetExpression;

export type ParameterType = 'String' | 'Integer' | 'Float' | 'Boolean';

export interface ParameterDefinition {
  readonly Name: string;
  readonly Type: ParameterType;
  readonly DefaultValue?: string | number | boolean;
  readonly EnumValues?: readonly string[];
}

/** The step types this DSL builds (each one of the schema's, whose facts `@slipway/core` keeps). */
export type StepType = Extract<
  PipelineStepType,
  'Processing' | 'Training' | 'Condition' | 'Fail' | 'RegisterModel' | 'Model'
>;

export type { RetryExceptionType };

export interface RetryPolicyDefinition {
  readonly BackoffRate: number;
  readonly IntervalSeconds: number;
  readonly MaxAttempts?: number;
  readonly ExpireAfterMin?: number;
  readonly ExceptionType: readonly RetryExceptionType[];
}

export interface CacheConfigDefinition {
  readonly Enabled: boolean;
  readonly ExpireAfter?: string;
}

export interface PropertyFileDefinition {
  readonly PropertyFileName: string;
  readonly OutputName: string;
  readonly FilePath: string;
}

export interface StepDefinition {
  readonly Name: string;
  readonly Type: StepType;
  readonly Arguments: JsonObject;
  readonly DependsOn?: readonly string[];
  readonly DisplayName?: string;
  readonly Description?: string;
  readonly RetryPolicies?: readonly RetryPolicyDefinition[];
  readonly CacheConfig?: CacheConfigDefinition;
  readonly PropertyFiles?: readonly PropertyFileDefinition[];
}

export interface ComparisonConditionDefinition {
  readonly Type: 'Equals' | 'GreaterThan' | 'GreaterThanOrEqualTo' | 'LessThan' | 'LessThanOrEqualTo';
  readonly LeftValue: JsonValue;
  readonly RightValue: JsonValue;
}

export interface InConditionDefinition {
  readonly Type: 'In';
  readonly QueryValue: JsonValue;
  readonly Values: readonly JsonValue[];
}

export interface NotConditionDefinition {
  readonly Type: 'Not';
  readonly Condition: ConditionDefinition;
}

export interface OrConditionDefinition {
  readonly Type: 'Or';
  readonly Conditions: readonly ConditionDefinition[];
}

export type ConditionDefinition =
  ComparisonConditionDefinition | InConditionDefinition | NotConditionDefinition | OrConditionDefinition;

export interface PipelineExperimentConfigDefinition {
  readonly ExperimentName: JsonValue;
  readonly TrialName: JsonValue;
}

export interface PipelineDefinition {
  readonly Version: '2020-12-01';
  readonly Metadata: Record<string, string>;
  readonly Parameters: readonly ParameterDefinition[];
  readonly PipelineExperimentConfig: PipelineExperimentConfigDefinition | null;
  readonly Steps: readonly StepDefinition[];
}

/** The service's limit on `PipelineDefinition` (characters); beyond it only `PipelineDefinitionS3Location` works. */
export const MAX_DEFINITION_CHARACTERS = 1_048_576;

/** Where the SageMaker Python SDK switches to uploading the definition to S3 (UTF-8 bytes). */
export const SDK_S3_UPLOAD_THRESHOLD_BYTES = 100 * 1024;
