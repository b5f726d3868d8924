import { cacheConfigProblem, describeValue, retryPolicyProblem, type PipelineStepType } from '@slipway/core';
import { parseExpireAfter } from '../durations.js';
import { DEFINITION_RETRY_EXCEPTION_TYPES, type RetryPolicy } from '../retry.js';
import type { AddIssue, CacheConfig } from './definition-types.js';
import { isObject } from './json-object.js';

/**
 * A step's RetryPolicies: allowed on its type, every ExceptionType one it can raise (the step types' facts in
 * `@slipway/core`, which the compiler checks too), numbers within the service's ranges.
 */
export function parseRetryPolicies(
  type: PipelineStepType,
  value: unknown,
  field: string,
  add: AddIssue,
): RetryPolicy[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) {
    add(field, `must be a list, got ${describeValue(value)}`);
    return [];
  }
  const refused = retryPolicyProblem(type);
  if (refused) {
    add(field, refused.problem, refused.fix);
    return [];
  }
  const policies: RetryPolicy[] = [];
  value.forEach((entry, index) => {
    const policyField = `${field}[${index}]`;
    if (!isObject(entry)) return add(policyField, `must be an object, got ${describeValue(entry)}`);
    const types = typeof entry['ExceptionType'] === 'string' ? [entry['ExceptionType']] : entry['ExceptionType'];
    if (
      !Array.isArray(types) ||
      types.length === 0 ||
      !types.every((t) => DEFINITION_RETRY_EXCEPTION_TYPES.includes(t as string))
    ) {
      return add(
        `${policyField}.ExceptionType`,
        `must list exception types from ${DEFINITION_RETRY_EXCEPTION_TYPES.join(', ')}, got ${describeValue(entry['ExceptionType'])}`,
      );
    }
    for (const exceptionType of types as string[]) {
      const problem = retryPolicyProblem(type, exceptionType);
      if (problem) add(`${policyField}.ExceptionType`, problem.problem, problem.fix);
    }
    const number = (key: string, min: number, max: number, integer: boolean): number | undefined => {
      const raw = entry[key];
      if (raw === undefined || raw === null) return undefined;
      if (typeof raw !== 'number' || (integer && !Number.isInteger(raw)) || raw < min || raw > max) {
        add(
          `${policyField}.${key}`,
          `must be ${integer ? 'an integer' : 'a number'} from ${min} to ${max}, got ${describeValue(raw)}`,
        );
        return undefined;
      }
      return raw;
    };
    const maxAttempts = number('MaxAttempts', 1, 20, true);
    const expireAfterMin = number('ExpireAfterMin', 0, 14400, true);
    policies.push({
      exceptionTypes: types as string[],
      intervalSeconds: number('IntervalSeconds', 1, 43200, true) ?? 1,
      backoffRate: number('BackoffRate', 1, 1000, false) ?? 2,
      ...(maxAttempts !== undefined ? { maxAttempts } : {}),
      ...(expireAfterMin !== undefined ? { expireAfterMin } : {}),
    });
  });
  return policies;
}

/** A step's CacheConfig: allowed on its type, `Enabled` a boolean, `ExpireAfter` a duration. */
export function parseCacheConfig(
  type: PipelineStepType,
  value: unknown,
  field: string,
  add: AddIssue,
): { cacheConfig?: CacheConfig } {
  if (value === undefined || value === null) return {};
  const refused = cacheConfigProblem(type);
  if (refused) {
    add(field, refused.problem, refused.fix);
    return {};
  }
  if (!isObject(value) || typeof value['Enabled'] !== 'boolean') {
    add(field, `must be {"Enabled": true|false, "ExpireAfter"?: "<ISO-8601 duration>"}, got ${describeValue(value)}`);
    return {};
  }
  const expire = value['ExpireAfter'];
  if (expire === undefined || expire === null) return { cacheConfig: { enabled: value['Enabled'] } };
  try {
    return { cacheConfig: { enabled: value['Enabled'], expireAfterMs: parseExpireAfter(expire) } };
  } catch (error) {
    add(`${field}.ExpireAfter`, error instanceof Error ? error.message : String(error));
    return {};
  }
}
