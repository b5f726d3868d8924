/**
 * Every step type of the pipeline definition schema (`"Type"` of a step) and what SageMaker allows on it: the
 * one table the pipeline compiler's validation and the local engine both read, so they never disagree.
 *
 * Sources: the definition JSON schema's step types and the SageMaker Python SDK's `StepTypeEnum` (v2.257), the
 * SDK's step classes (which take `retry_policies` / `cache_config`, which shapes their `properties` follow), and
 * the developer guide's "Caching pipeline steps" (the types SageMaker caches, with their default cache-key
 * attributes) and "Retry policy" (the types that honour RetryPolicies) pages.
 *
 * What the local server does with each type (runs it, or refuses it at CreatePipeline) is the local engine's
 * own registration (`local/src/engine/steps/`), keyed by the same names; adding a type starts here.
 */

/** Which failures a step's RetryPolicies may name, by ExceptionType prefix (`Step.`, `SageMaker.`, `Emr.`). */
export type RetryPolicySupport =
  | { readonly kind: 'refused' }
  | {
      readonly kind: 'retried';
      /** `Step.*` always; `SageMaker.*` for steps that start a SageMaker job; `Emr.*` for EMR. */
      readonly exceptionPrefixes: readonly ('Step.' | 'SageMaker.' | 'Emr.')[];
    };

/** Whether a step may carry CacheConfig, and whether SageMaker then reuses earlier runs. */
export type CacheConfigSupport =
  /** The definition may not have CacheConfig on this type (the SDK never emits it there). */
  | { readonly kind: 'refused' }
  /** The SDK emits CacheConfig here, but SageMaker's caching guide does not list the type: it always runs. */
  | { readonly kind: 'ignored' }
  /** Cached: a hit is a successful run of the same pipeline whose resolved key attributes were equal. */
  | { readonly kind: 'cached'; readonly keyAttributes: readonly string[] };

export interface PipelineStepTypeFacts {
  readonly retryPolicies: RetryPolicySupport;
  readonly cacheConfig: CacheConfigSupport;
  /**
   * The API response shapes (botocore's names, as the SDK's `Properties(shape_name=...)`) whose members the
   * step's `properties` expose, or the step's own members where it has no Describe* call (`Outcome`,
   * `OutputParameters`).
   */
  readonly properties: readonly string[];
  /** Step members beside Name/Type/Arguments/DependsOn/... that this type carries, e.g. a Lambda's FunctionArn. */
  readonly envelope: readonly string[];
  /** Whether the step may declare PropertyFiles (read from its outputs once it succeeds). */
  readonly propertyFiles: boolean;
  /** The SDK class that emits the type, for messages. */
  readonly sdkClass: string;
}

const JOB_RETRY: RetryPolicySupport = { kind: 'retried', exceptionPrefixes: ['Step.', 'SageMaker.'] };
const STEP_RETRY: RetryPolicySupport = { kind: 'retried', exceptionPrefixes: ['Step.'] };
const NO_RETRY: RetryPolicySupport = { kind: 'refused' };
const NO_CACHE: CacheConfigSupport = { kind: 'refused' };
const IGNORED_CACHE: CacheConfigSupport = { kind: 'ignored' };

/** One type's facts; the shape names keep their literal types, so the DSL's typed properties can check them. */
function facts<const P extends readonly string[]>(
  sdkClass: string,
  properties: P,
  retryPolicies: RetryPolicySupport,
  cacheConfig: CacheConfigSupport,
  more: { envelope?: readonly string[]; propertyFiles?: boolean } = {},
): Omit<PipelineStepTypeFacts, 'properties'> & { readonly properties: P } {
  return {
    sdkClass,
    properties,
    retryPolicies,
    cacheConfig,
    envelope: more.envelope ?? [],
    propertyFiles: !!more.propertyFiles,
  };
}

/** Every step type, in the SDK's `StepTypeEnum` order. */
export const PIPELINE_STEP_TYPES = {
  Condition: facts('ConditionStep', ['Outcome'], NO_RETRY, NO_CACHE),
  Model: facts('CreateModelStep / ModelStep(model.create())', ['DescribeModelOutput'], STEP_RETRY, NO_CACHE),
  Processing: facts(
    'ProcessingStep',
    ['DescribeProcessingJobResponse'],
    JOB_RETRY,
    { kind: 'cached', keyAttributes: ['AppSpecification', 'Environment', 'ProcessingInputs'] },
    { propertyFiles: true },
  ),
  RegisterModel: facts(
    'RegisterModel / ModelStep(model.register())',
    ['DescribeModelPackageOutput'],
    STEP_RETRY,
    NO_CACHE,
  ),
  Training: facts('TrainingStep', ['DescribeTrainingJobResponse'], JOB_RETRY, {
    kind: 'cached',
    keyAttributes: [
      'AlgorithmSpecification',
      'CheckpointConfig',
      'DebugHookConfig',
      'DebugRuleConfigurations',
      'Environment',
      'HyperParameters',
      'InputDataConfig',
    ],
  }),
  Transform: facts('TransformStep', ['DescribeTransformJobResponse'], JOB_RETRY, {
    kind: 'cached',
    keyAttributes: ['DataProcessing', 'Environment', 'ModelName', 'TransformInput'],
  }),
  Callback: facts('CallbackStep', ['OutputParameters'], NO_RETRY, IGNORED_CACHE, {
    envelope: ['SqsQueueUrl', 'OutputParameters'],
  }),
  Tuning: facts(
    'TuningStep',
    ['DescribeHyperParameterTuningJobResponse', 'ListTrainingJobsForHyperParameterTuningJobResponse'],
    JOB_RETRY,
    {
      kind: 'cached',
      keyAttributes: ['HyperParameterTuningJobConfig', 'TrainingJobDefinition', 'TrainingJobDefinitions'],
    },
  ),
  Lambda: facts('LambdaStep', ['OutputParameters'], NO_RETRY, IGNORED_CACHE, {
    envelope: ['FunctionArn', 'OutputParameters', 'TimeoutInSeconds'],
  }),
  QualityCheck: facts(
    'QualityCheckStep',
    ['CalculatedBaselineStatistics', 'CalculatedBaselineConstraints', 'BaselineUsedForDriftCheckStatistics'],
    NO_RETRY,
    {
      kind: 'cached',
      keyAttributes: [
        'QualityCheckConfig',
        'CheckJobConfig',
        'SkipCheck',
        'RegisterNewBaseline',
        'SuppliedBaselineStatistics',
        'SuppliedBaselineConstraints',
      ],
    },
    { envelope: ['CheckType', 'ModelPackageGroupName', 'SkipCheck', 'FailOnViolation', 'RegisterNewBaseline'] },
  ),
  ClarifyCheck: facts(
    'ClarifyCheckStep',
    ['CalculatedBaselineConstraints', 'BaselineUsedForDriftCheckConstraints'],
    NO_RETRY,
    {
      kind: 'cached',
      keyAttributes: [
        'ClarifyCheckConfig',
        'CheckJobConfig',
        'SkipCheck',
        'RegisterNewBaseline',
        'ModelPackageGroupName',
        'SuppliedBaselineConstraints',
      ],
    },
    { envelope: ['CheckType', 'ModelPackageGroupName', 'SkipCheck', 'FailOnViolation', 'RegisterNewBaseline'] },
  ),
  EMR: facts(
    'EMRStep',
    ['Step (EMR DescribeStep)'],
    { kind: 'retried', exceptionPrefixes: ['Step.', 'Emr.'] },
    { kind: 'cached', keyAttributes: ['ClusterId', 'StepConfig'] },
    { envelope: ['ClusterId'] },
  ),
  EMRServerless: facts('EMRServerlessStep (SDK v3)', ['EMRServerlessJobRun'], NO_RETRY, NO_CACHE),
  Fail: facts('FailStep', [], NO_RETRY, NO_CACHE),
  AutoML: facts('AutoMLStep', ['DescribeAutoMLJobResponse'], JOB_RETRY, {
    kind: 'cached',
    keyAttributes: ['AutoMLJobConfig', 'AutoMLJobObjective', 'InputDataConfig', 'ProblemType'],
  }),
  EndpointConfig: facts('EndpointConfigStep', ['DescribeEndpointConfigOutput'], STEP_RETRY, NO_CACHE),
  Endpoint: facts('EndpointStep', ['DescribeEndpointOutput'], NO_RETRY, IGNORED_CACHE),
  InferenceComponent: facts('InferenceComponentStep', ['DescribeInferenceComponentOutput'], NO_RETRY, NO_CACHE),
  BedrockCustomModel: facts('BedrockCustomModelStep', ['GetModelCustomizationJobResponse'], NO_RETRY, NO_CACHE),
  BedrockCustomModelDeployment: facts(
    'BedrockCustomModelDeploymentStep',
    ['GetCustomModelDeploymentResponse'],
    NO_RETRY,
    NO_CACHE,
  ),
  BedrockModelImport: facts('BedrockModelImportStep', ['GetModelImportJobResponse'], NO_RETRY, NO_CACHE),
  BedrockProvisionedModelThroughput: facts(
    'BedrockProvisionedModelThroughputStep',
    ['GetProvisionedModelThroughputResponse'],
    NO_RETRY,
    NO_CACHE,
  ),
  Lineage: facts('LineageStep', ['Associations'], NO_RETRY, NO_CACHE),
  NotebookJob: facts('NotebookJobStep', ['ComputingJobName', 'ComputingJobStatus'], JOB_RETRY, NO_CACHE),
} as const satisfies Record<string, PipelineStepTypeFacts>;

/** A step `Type` the definition schema (and the SDK) knows. */
export type PipelineStepType = keyof typeof PIPELINE_STEP_TYPES;

export const PIPELINE_STEP_TYPE_NAMES = Object.keys(PIPELINE_STEP_TYPES) as PipelineStepType[];

export function isPipelineStepType(value: unknown): value is PipelineStepType {
  return typeof value === 'string' && Object.prototype.hasOwnProperty.call(PIPELINE_STEP_TYPES, value);
}

export function stepTypeFacts(type: PipelineStepType): PipelineStepTypeFacts {
  return PIPELINE_STEP_TYPES[type];
}

/**
 * The problem with one of a step's RetryPolicies ExceptionType entries on this type, if any: RetryPolicies on
 * a type that takes none, or an exception its steps cannot raise (`SageMaker.*` where no job starts).
 */
export function retryPolicyProblem(
  type: PipelineStepType,
  exceptionType?: string,
): { problem: string; fix: string } | undefined {
  const support = PIPELINE_STEP_TYPES[type].retryPolicies;
  const retried = Object.entries(PIPELINE_STEP_TYPES)
    .filter(([, entry]) => entry.retryPolicies.kind === 'retried')
    .map(([name]) => name);
  if (support.kind === 'refused') {
    return {
      problem: `are not supported on ${type} steps`,
      fix: `remove them (SageMaker retries ${retried.join(', ')} steps)`,
    };
  }
  if (exceptionType === undefined) return undefined;
  if (support.exceptionPrefixes.some((prefix) => exceptionType.startsWith(prefix))) return undefined;
  const because = exceptionType.startsWith('SageMaker.')
    ? 'starts no SageMaker job'
    : exceptionType.startsWith('Emr.')
      ? 'runs no EMR step'
      : 'cannot raise it';
  return {
    problem: `has ${exceptionType}, but a ${type} step ${because}`,
    fix: `retry only ${support.exceptionPrefixes.map((prefix) => `${prefix}*`).join(' and ')} failures here`,
  };
}

/** The problem with CacheConfig on this type, if SageMaker does not take it there. */
export function cacheConfigProblem(type: PipelineStepType): { problem: string; fix: string } | undefined {
  if (PIPELINE_STEP_TYPES[type].cacheConfig.kind !== 'refused') return undefined;
  const cached = Object.entries(PIPELINE_STEP_TYPES)
    .filter(([, entry]) => entry.cacheConfig.kind === 'cached')
    .map(([name]) => name);
  return {
    problem: `is not supported on ${type} steps`,
    fix: `remove it (SageMaker caches ${cached.join(', ')} steps)`,
  };
}

/** The request attributes SageMaker compares to decide whether an earlier run can be reused; none: never cached. */
export function cacheKeyAttributes(type: PipelineStepType): readonly string[] | undefined {
  const cache = PIPELINE_STEP_TYPES[type].cacheConfig;
  return cache.kind === 'cached' ? cache.keyAttributes : undefined;
}
