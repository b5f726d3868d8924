import { createHash } from 'node:crypto';
import { cacheKeyAttributes, canonicalJson, type PipelineStepType } from '@slipway/core';

/**
 * The cache key of a step: a hash of its type and the attributes SageMaker compares for it ("Default cache key
 * attributes by pipeline step type", kept in the step types' facts in `@slipway/core`) of its resolved
 * arguments, with object keys sorted so that member order never matters. Undefined for a type never cached.
 */
export function cacheKey(stepType: PipelineStepType, resolvedArguments: unknown): string | undefined {
  const attributes = cacheKeyAttributes(stepType);
  if (!attributes) return undefined;
  const source = (resolvedArguments ?? {}) as Record<string, unknown>;
  const selected: Record<string, unknown> = {};
  for (const attribute of attributes) if (source[attribute] !== undefined) selected[attribute] = source[attribute];
  return createHash('sha256')
    .update(canonicalJson({ type: stepType, attributes: selected }))
    .digest('hex');
}
