import { createHash } from 'node:crypto';
import { canonicalJson } from '@slipway/core';

/**
 * The request attributes SageMaker compares to decide whether a step's earlier run can be reused
 * ("Default cache key attributes by pipeline step type" in the SageMaker developer guide).
 */
export const CACHE_KEY_ATTRIBUTES: Readonly<Record<string, readonly string[]>> = {
  Processing: ['AppSpecification', 'Environment', 'ProcessingInputs'],
  Training: [
    'AlgorithmSpecification',
    'CheckpointConfig',
    'DebugHookConfig',
    'DebugRuleConfigurations',
    'Environment',
    'HyperParameters',
    'InputDataConfig',
  ],
  Transform: ['DataProcessing', 'Environment', 'ModelName', 'TransformInput'],
  Tuning: ['HyperParameterTuningJobConfig', 'TrainingJobDefinition', 'TrainingJobDefinitions'],
};

/**
 * The cache key of a step: a hash of its type and the listed attributes of its resolved arguments, with
 * object keys sorted so that member order never matters. Undefined for a step type that cannot be cached.
 */
export function cacheKey(stepType: string, resolvedArguments: unknown): string | undefined {
  const attributes = CACHE_KEY_ATTRIBUTES[stepType];
  if (!attributes) return undefined;
  const source = (resolvedArguments ?? {}) as Record<string, unknown>;
  const selected: Record<string, unknown> = {};
  for (const attribute of attributes) if (source[attribute] !== undefined) selected[attribute] = source[attribute];
  return createHash('sha256')
    .update(canonicalJson({ type: stepType, attributes: selected }))
    .digest('hex');
}
