import { NAME_RULES, checkName, describeValue, type ValidationIssue } from '@slipway/core';
import { ParameterString, type AnyParameter } from '../dsl/parameters.js';

/** Parameter names, uniqueness, and defaults that fit their type. */
export function checkParameters(parameters: readonly AnyParameter[], issues: ValidationIssue[]): void {
  const seen = new Set<string>();
  for (const parameter of parameters) {
    const where = `Parameters.${parameter.name}`;
    const problem = checkName('parameterName', parameter.name);
    if (problem) issues.push({ where, field: 'Name', problem, fix: `rename it: ${NAME_RULES.parameterName.allowed}` });
    if (seen.has(parameter.name)) {
      issues.push({ where, field: 'Name', problem: 'is declared twice', fix: 'declare each parameter once' });
    }
    seen.add(parameter.name);
    const value = parameter.defaultValue;
    if (parameter.parameterType === 'Integer' && value !== undefined && !Number.isInteger(value)) {
      issues.push({
        where,
        field: 'DefaultValue',
        problem: `must be an integer, got ${describeValue(value)}`,
        fix: 'use a whole number, or make it a ParameterFloat',
      });
    }
    if (parameter.parameterType === 'Float' && value !== undefined && !Number.isFinite(value)) {
      issues.push({
        where,
        field: 'DefaultValue',
        problem: `must be a finite number, got ${value}`,
        fix: 'use a finite number',
      });
    }
    if (parameter instanceof ParameterString && parameter.enumValues) {
      if (parameter.enumValues.length === 0) {
        issues.push({
          where,
          field: 'EnumValues',
          problem: 'is empty',
          fix: 'list the allowed values, or drop enumValues',
        });
      } else if (parameter.defaultValue !== undefined && !parameter.enumValues.includes(parameter.defaultValue)) {
        issues.push({
          where,
          field: 'DefaultValue',
          problem: `is ${describeValue(value)}, which is not one of its EnumValues (${parameter.enumValues.join(', ')})`,
          fix: 'make the default one of the allowed values',
        });
      }
    }
  }
}
