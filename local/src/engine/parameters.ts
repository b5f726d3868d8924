import { ValidationError, describeValue, type ValidationIssue } from '@slipway/core';
import type { ParameterDeclaration, ParameterValue } from './definition/index.js';

export interface ResolvedParameters {
  /** Typed values for expressions. */
  readonly values: Readonly<Record<string, ParameterValue>>;
  /** Every declared parameter with the value used, as ListPipelineParametersForExecution reports them. */
  readonly assignments: readonly { Name: string; Value: string }[];
}

/**
 * Applies StartPipelineExecution's PipelineParameters (string values) to the declared parameters: each
 * override must name a declared parameter and parse as its type (Integer, Float, Boolean true/false in any
 * case, String within its EnumValues); a parameter without a default must be given.
 */
export function resolveParameters(
  declarations: readonly ParameterDeclaration[],
  overrides: readonly { Name?: unknown; Value?: unknown }[],
  pipelineName: string,
): ResolvedParameters {
  const where = 'PipelineParameters';
  const issues: ValidationIssue[] = [];
  const declared = new Map(declarations.map((d) => [d.name, d]));
  const given = new Map<string, ParameterValue>();
  const seen = new Set<string>();
  overrides.forEach((override, index) => {
    const field = `[${index}]`;
    const name = override.Name;
    if (typeof name !== 'string' || !declared.has(name)) {
      issues.push({
        where,
        field: `${field}.Name`,
        problem: `${describeValue(name)} is not a parameter of pipeline ${pipelineName}`,
        fix: declarations.length
          ? `use one of ${declarations.map((d) => d.name).join(', ')}`
          : 'the pipeline declares no parameters',
      });
      return;
    }
    if (seen.has(name)) {
      issues.push({ where, field: `${field}.Name`, problem: `gives parameter ${name} twice` });
      return;
    }
    seen.add(name);
    const declaration = declared.get(name)!;
    const parsed = parseParameterText(declaration, override.Value);
    if (typeof parsed === 'object') {
      issues.push({ where, field: `${field}.Value`, problem: `for ${name} (${declaration.type}) ${parsed.problem}` });
    } else given.set(name, parsed);
  });
  const values: Record<string, ParameterValue> = {};
  const assignments: { Name: string; Value: string }[] = [];
  for (const declaration of declarations) {
    const value = given.get(declaration.name) ?? declaration.defaultValue;
    if (value === undefined) {
      issues.push({
        where,
        field: declaration.name,
        problem: `has no default value and was not given`,
        fix: `pass {"Name": "${declaration.name}", "Value": ...} in PipelineParameters`,
      });
      continue;
    }
    values[declaration.name] = value;
    assignments.push({ Name: declaration.name, Value: String(value) });
  }
  if (issues.length > 0) throw new ValidationError(issues);
  return { values, assignments };
}

function parseParameterText(declaration: ParameterDeclaration, text: unknown): ParameterValue | { problem: string } {
  if (typeof text !== 'string') return { problem: `must be a string, got ${describeValue(text)}` };
  if (text.length > 1024) return { problem: `must be at most 1024 characters, got ${text.length}` };
  switch (declaration.type) {
    case 'Integer':
      return /^[+-]?\d+$/.test(text.trim()) && Number.isSafeInteger(Number(text))
        ? Number(text)
        : { problem: `must be a whole number, got ${describeValue(text)}` };
    case 'Float': {
      const number = Number(text);
      return text.trim() !== '' && Number.isFinite(number)
        ? number
        : { problem: `must be a number, got ${describeValue(text)}` };
    }
    case 'Boolean': {
      const lower = text.trim().toLowerCase();
      return lower === 'true'
        ? true
        : lower === 'false'
          ? false
          : { problem: `must be true or false, got ${describeValue(text)}` };
    }
    default:
      if (declaration.enumValues && !declaration.enumValues.includes(text)) {
        return { problem: `must be one of ${declaration.enumValues.join(', ')}, got ${describeValue(text)}` };
      }
      return text;
  }
}
