import { checkName, describeValue } from '@slipway/core';
import type { AddIssue, ParameterDeclaration, ParameterType, ParameterValue } from './definition-types.js';
import { isObject } from './json-object.js';

const PARAMETER_TYPES: readonly ParameterType[] = ['String', 'Integer', 'Float', 'Boolean'];

/** The definition's `Parameters`: names unique, types known, EnumValues and DefaultValue fitting the type. */
export function parseParameters(value: unknown, add: AddIssue): ParameterDeclaration[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) {
    add('Parameters', `must be a list, got ${describeValue(value)}`);
    return [];
  }
  const seen = new Set<string>();
  const declarations: ParameterDeclaration[] = [];
  value.forEach((entry, index) => {
    const field = `Parameters[${index}]`;
    if (!isObject(entry)) return add(field, `must be an object, got ${describeValue(entry)}`);
    const name = entry['Name'];
    const nameProblem = checkName('parameterName', name);
    if (nameProblem) return add(`${field}.Name`, nameProblem);
    if (seen.has(name as string)) return add(`${field}.Name`, `repeats the parameter name ${JSON.stringify(name)}`);
    seen.add(name as string);
    const type = entry['Type'] as ParameterType;
    if (!PARAMETER_TYPES.includes(type)) {
      return add(`${field}.Type`, `must be one of ${PARAMETER_TYPES.join(', ')}, got ${describeValue(type)}`);
    }
    const declaration: { -readonly [K in keyof ParameterDeclaration]: ParameterDeclaration[K] } = {
      name: name as string,
      type,
    };
    const enumValues = entry['EnumValues'];
    if (enumValues !== undefined && enumValues !== null) {
      if (
        type !== 'String' ||
        !Array.isArray(enumValues) ||
        !enumValues.every((v) => typeof v === 'string') ||
        enumValues.length === 0
      ) {
        add(`${field}.EnumValues`, 'must be a non-empty list of strings, and only on a String parameter');
      } else {
        declaration.enumValues = enumValues as string[];
      }
    }
    const defaultValue = entry['DefaultValue'];
    if (defaultValue !== undefined && defaultValue !== null) {
      const problem = checkParameterValueType(type, defaultValue);
      if (problem) add(`${field}.DefaultValue`, problem);
      else if (declaration.enumValues && !declaration.enumValues.includes(defaultValue as string)) {
        add(
          `${field}.DefaultValue`,
          `must be one of its EnumValues (${declaration.enumValues.join(', ')}), got ${describeValue(defaultValue)}`,
        );
      } else declaration.defaultValue = defaultValue as ParameterValue;
    }
    declarations.push(declaration);
  });
  return declarations;
}

export function checkParameterValueType(type: ParameterType, value: unknown): string | undefined {
  const ok =
    type === 'String'
      ? typeof value === 'string'
      : type === 'Integer'
        ? typeof value === 'number' && Number.isInteger(value)
        : type === 'Float'
          ? typeof value === 'number' && Number.isFinite(value)
          : typeof value === 'boolean';
  return ok ? undefined : `must be ${type === 'Integer' ? 'an' : 'a'} ${type} value, got ${describeValue(value)}`;
}
