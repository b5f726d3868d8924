import { createHash } from 'node:crypto';

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

/** JSON with object keys sorted at every level. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, item]) => item !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([key, item]) => `${JSON.stringify(key)}:${canonicalJson(item)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}
