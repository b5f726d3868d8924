import { ValidationError, describeValue, type ValidationIssue } from '@slipway/core';
import type { ParameterDefinition, ParameterType } from '../definition/types.js';

/** One `NAME=VALUE` line as the user wrote it. */
export interface ParameterLine {
  readonly name: string;
  readonly value: string;
  /** 1-based line (or `--param` occurrence) number, for error messages. */
  readonly line: number;
}

/** StartPipelineExecution's limits on a parameter (`PipelineParameterName`, `String1024`). */
const NAME_PATTERN = /^[A-Za-z0-9_-]{1,256}$/;
const MAX_VALUE_LENGTH = 1024;

const VALUE_RULES: Record<ParameterType, { readonly test: (value: string) => boolean; readonly rule: string }> = {
  String: { test: () => true, rule: 'a string' },
  Integer: { test: (value) => /^[+-]?\d+$/.test(value), rule: 'a whole number, e.g. 3' },
  Float: {
    test: (value) => /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(value) && Number.isFinite(Number(value)),
    rule: 'a number, e.g. 0.75',
  },
  Boolean: { test: (value) => /^(true|false)$/i.test(value), rule: 'true or false' },
};

/**
 * Splits `NAME=VALUE` lines (a multiline action input, or one `--param` each). Blank lines and lines starting
 * with `#` are skipped; the name and the value are trimmed. Every malformed line is reported at once.
 */
export function parseParameterLines(input: string | readonly string[], where: string): ParameterLine[] {
  const lines = typeof input === 'string' ? input.split(/\r?\n/) : input.flatMap((item) => item.split(/\r?\n/));
  // A multiline input has lines; repeated flags (`--param`) have occurrences.
  const label = (line: number) => (typeof input === 'string' ? `line ${line}` : `#${line}`);
  const issues: ValidationIssue[] = [];
  const parsed: ParameterLine[] = [];
  const seen = new Map<string, number>();
  lines.forEach((raw, index) => {
    const text = raw.trim();
    const line = index + 1;
    if (text === '' || text.startsWith('#')) return;
    const equals = text.indexOf('=');
    const name = equals > 0 ? text.slice(0, equals).trim() : '';
    if (equals <= 0 || !NAME_PATTERN.test(name)) {
      issues.push({
        where,
        field: label(line),
        problem: `must be NAME=VALUE with a name of letters, digits, - and _, got ${describeValue(text)}`,
        fix: 'write one parameter per line, e.g. MinAccuracy=0.8',
      });
      return;
    }
    const value = text.slice(equals + 1).trim();
    const earlier = seen.get(name);
    if (earlier !== undefined) {
      issues.push({
        where,
        field: label(line),
        problem: `sets ${name} again (first set by ${label(earlier)})`,
        fix: 'keep one line per parameter',
      });
      return;
    }
    if (value.length > MAX_VALUE_LENGTH) {
      issues.push({
        where,
        field: name,
        problem: `must be at most ${MAX_VALUE_LENGTH} characters, got ${value.length}`,
        fix: 'pass a shorter value, e.g. an S3 URI instead of the data itself',
      });
      return;
    }
    seen.set(name, line);
    parsed.push({ name, value, line });
  });
  if (issues.length > 0) throw new ValidationError(issues);
  return parsed;
}

/**
 * Checks parameter values against the parameters the compiled definition declares: unknown names, values
 * of the wrong type and values outside an enum are errors, all reported at once. Returns name → value as
 * StartPipelineExecution takes them (booleans lower-cased).
 */
export function checkParameterValues(
  lines: readonly ParameterLine[],
  declared: readonly ParameterDefinition[],
  where: string,
): Record<string, string> {
  const byName = new Map(declared.map((parameter) => [parameter.Name, parameter]));
  const issues: ValidationIssue[] = [];
  const values: Record<string, string> = {};
  for (const { name, value } of lines) {
    const parameter = byName.get(name);
    if (!parameter) {
      issues.push({
        where,
        field: name,
        problem: 'is not a parameter of the pipeline',
        fix: `use one of: ${[...byName.keys()].join(', ') || '(the pipeline declares none)'}`,
      });
      continue;
    }
    const rule = VALUE_RULES[parameter.Type];
    if (!rule.test(value)) {
      issues.push({
        where,
        field: name,
        problem: `must be ${rule.rule} (the parameter is ${parameter.Type}), got ${describeValue(value)}`,
        fix: `pass ${name}=<${parameter.Type.toLowerCase()}>`,
      });
      continue;
    }
    if (parameter.EnumValues && !parameter.EnumValues.includes(value)) {
      issues.push({
        where,
        field: name,
        problem: `must be one of ${parameter.EnumValues.join(', ')}, got ${describeValue(value)}`,
        fix: 'pick one of the listed values',
      });
      continue;
    }
    values[name] = parameter.Type === 'Boolean' ? value.toLowerCase() : value;
  }
  if (issues.length > 0) throw new ValidationError(issues);
  return values;
}

/** The value a run will use: the override, else the declared default. */
export function effectiveParameter(
  declared: readonly ParameterDefinition[],
  overrides: Readonly<Record<string, string>>,
  name: string,
): string | undefined {
  const override = overrides[name];
  if (override !== undefined) return override;
  const defaultValue = declared.find((parameter) => parameter.Name === name)?.DefaultValue;
  return defaultValue === undefined ? undefined : String(defaultValue);
}
