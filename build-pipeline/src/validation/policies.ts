import { RETRY_EXCEPTION_TYPES, cacheConfigProblem, retryPolicyProblem, type ValidationIssue } from '@slipway/core';
import type { Step } from '../steps/step.js';

const EXCEPTION_TYPES: ReadonlySet<string> = new Set<string>(RETRY_EXCEPTION_TYPES);

/** An ISO 8601 duration as CacheConfig takes it: P30D, PT1H, P1DT12H, P2W. */
const DURATION = /^P(?!$)(\d+Y)?(\d+M)?(\d+W)?(\d+D)?(T(?=\d)(\d+H)?(\d+M)?(\d+S)?)?$/;

function range(
  value: number | undefined,
  min: number,
  max: number,
  at: { where: string; field: string },
  issues: ValidationIssue[],
): void {
  if (value !== undefined && !(Number.isInteger(value) && value >= min && value <= max)) {
    issues.push({
      ...at,
      problem: `must be a whole number from ${min} to ${max}, got ${value}`,
      fix: `use ${min}..${max}`,
    });
  }
}

/** Retry policies and cache configs: allowed on this step type, and within the service's ranges. */
export function checkPolicies(steps: readonly Step[], issues: ValidationIssue[]): void {
  for (const step of steps) {
    const refused = step.retryPolicies.length > 0 ? retryPolicyProblem(step.stepType) : undefined;
    if (refused) issues.push({ where: step.name, field: 'RetryPolicies', ...refused });
    step.retryPolicies.forEach((policy, index) => {
      const field = `RetryPolicies[${index}]`;
      if (policy.exceptionTypes.length === 0) {
        issues.push({
          where: step.name,
          field: `${field}.ExceptionType`,
          problem: 'is empty',
          fix: 'name the failures to retry',
        });
      }
      for (const type of policy.exceptionTypes) {
        if (!EXCEPTION_TYPES.has(type)) {
          issues.push({
            where: step.name,
            field: `${field}.ExceptionType`,
            problem: `has unknown type ${JSON.stringify(type)}`,
            fix: `use ${[...EXCEPTION_TYPES].join(', ')}`,
          });
        } else if (!refused) {
          const problem = retryPolicyProblem(step.stepType, type);
          if (problem) issues.push({ where: step.name, field: `${field}.ExceptionType`, ...problem });
        }
      }
      range(policy.maxAttempts, 1, 20, { where: step.name, field: `${field}.MaxAttempts` }, issues);
      range(policy.expireAfterMinutes, 0, 14400, { where: step.name, field: `${field}.ExpireAfterMin` }, issues);
      range(policy.intervalSeconds, 1, 300, { where: step.name, field: `${field}.IntervalSeconds` }, issues);
      if (policy.backoffRate !== undefined && !(policy.backoffRate >= 1 && policy.backoffRate <= 10)) {
        issues.push({
          where: step.name,
          field: `${field}.BackoffRate`,
          problem: `must be from 1 to 10, got ${policy.backoffRate}`,
          fix: 'use e.g. 2 to double the wait on each attempt',
        });
      }
    });
    const cache = step.cacheConfig;
    const uncached = cache ? cacheConfigProblem(step.stepType) : undefined;
    if (uncached) issues.push({ where: step.name, field: 'CacheConfig', ...uncached });
    if (cache?.expireAfter !== undefined && !DURATION.test(cache.expireAfter)) {
      issues.push({
        where: step.name,
        field: 'CacheConfig.ExpireAfter',
        problem: `must be an ISO 8601 duration, got ${JSON.stringify(cache.expireAfter)}`,
        fix: 'use e.g. P30D (30 days) or PT1H (one hour)',
      });
    }
  }
}
