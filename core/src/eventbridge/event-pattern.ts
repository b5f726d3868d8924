import { parseJsonText } from '../json-text.js';
import { ValidationError, describeValue, type ValidationIssue } from '../validation-error.js';
import { parseCidr } from './cidr.js';
import { isPlainObject } from './json-object.js';

/**
 * EventBridge event patterns: the type, parsing and validation (matching is in event-pattern-matching.ts).
 * The one definition the local event bus, the CDK approval route and the tests share.
 *
 * Semantics, following the EventBridge user guide:
 * - A pattern is an object whose keys name event fields. A nested object matches nested fields; an array
 *   lists the values (or operator objects) the field may take. All keys must match (AND); `$or` holds
 *   alternative sub-patterns at its level.
 * - A field that is an array in the event matches when any element matches. Arrays of objects are
 *   flattened, so `{"detail": {"items": {"id": [1]}}}` matches `"items": [{"id": 2}, {"id": 1}]`.
 * - Literal strings, numbers (compared as numbers: 5 matches 5.0), booleans and null match exactly.
 * - Operators: prefix, suffix, equals-ignore-case, anything-but (values, prefix, suffix,
 *   equals-ignore-case, wildcard), numeric (=, <, <=, >, >= with at most one lower and one upper bound),
 *   exists (true/false), cidr (IPv4/IPv6) and wildcard (`*`, escaped as `\*`).
 * - Every operator except `exists: false` needs the field to be present.
 */

/** An EventBridge event pattern: each leaf lists the accepted values (or operator objects such as `{prefix}`). */
export interface EventPattern {
  readonly [field: string]: EventPattern | readonly unknown[];
}

const OPERATORS = ['prefix', 'suffix', 'equals-ignore-case', 'anything-but', 'numeric', 'exists', 'cidr', 'wildcard'];
const NUMERIC_OPERATORS = ['=', '<', '<=', '>', '>='];
/** EventBridge's documented numeric range for numeric matching. */
const NUMERIC_LIMIT = 5e9;

/** Parses a pattern given as JSON text or as an object, and validates it. */
export function parseEventPattern(pattern: unknown, where = 'EventPattern'): EventPattern {
  const value =
    typeof pattern === 'string'
      ? parseJsonText(pattern, where, 'give the pattern as a JSON object such as {"source": ["aws.sagemaker"]}')
      : pattern;
  validateEventPattern(value, where);
  return value as EventPattern;
}

/** Throws a ValidationError listing every problem in the pattern, each with its field path. */
export function validateEventPattern(pattern: unknown, where = 'EventPattern'): asserts pattern is EventPattern {
  const issues: ValidationIssue[] = [];
  if (!isPlainObject(pattern)) {
    issues.push({ where, field: '', problem: `must be a JSON object, got ${describeValue(pattern)}` });
  } else {
    checkObject(pattern, '', issues, where, true);
  }
  if (issues.length > 0) throw new ValidationError(issues);
}

function checkObject(
  pattern: Record<string, unknown>,
  path: string,
  issues: ValidationIssue[],
  where: string,
  topLevel: boolean,
): void {
  const keys = Object.keys(pattern);
  if (keys.length === 0 && !topLevel) {
    issues.push({ where, field: path, problem: 'must not be an empty object', fix: 'remove it or name a field' });
  }
  for (const key of keys) {
    const value = pattern[key];
    const field = path ? `${path}.${key}` : key;
    if (key === '$or') {
      if (!Array.isArray(value) || value.length < 2 || !value.every(isPlainObject)) {
        issues.push({
          where,
          field,
          problem: `must be a list of at least two pattern objects, got ${describeValue(value)}`,
        });
        continue;
      }
      value.forEach((alternative, index) =>
        checkObject(alternative as Record<string, unknown>, `${field}[${index}]`, issues, where, false),
      );
    } else if (Array.isArray(value)) {
      if (value.length === 0) {
        issues.push({ where, field, problem: 'must list at least one value', fix: 'add a value or remove the field' });
      }
      value.forEach((condition, index) => checkCondition(condition, `${field}[${index}]`, issues, where));
    } else if (isPlainObject(value)) {
      checkObject(value, field, issues, where, false);
    } else {
      issues.push({
        where,
        field,
        problem: `must be a list of values or a nested pattern object, got ${describeValue(value)}`,
        fix: `write ${JSON.stringify({ [key]: [value] })}`,
      });
    }
  }
}

function checkCondition(condition: unknown, field: string, issues: ValidationIssue[], where: string): void {
  if (condition === null || ['string', 'number', 'boolean'].includes(typeof condition)) return;
  if (!isPlainObject(condition)) {
    issues.push({
      where,
      field,
      problem: `must be a string, number, boolean, null or operator object, got ${describeValue(condition)}`,
    });
    return;
  }
  const keys = Object.keys(condition);
  if (keys.length !== 1 || !OPERATORS.includes(keys[0]!)) {
    issues.push({
      where,
      field,
      problem: `must be an object with exactly one operator (${OPERATORS.join(', ')}), got ${describeValue(condition)}`,
    });
    return;
  }
  const operator = keys[0]!;
  const operand = condition[operator];
  const fail = (problem: string) => issues.push({ where, field: `${field}.${operator}`, problem });
  switch (operator) {
    case 'prefix':
    case 'suffix':
      if (!(typeof operand === 'string' || isIgnoreCaseString(operand))) {
        fail(`must be a string or {"equals-ignore-case": string}, got ${describeValue(operand)}`);
      }
      return;
    case 'equals-ignore-case':
      if (typeof operand !== 'string') fail(`must be a string, got ${describeValue(operand)}`);
      return;
    case 'exists':
      if (typeof operand !== 'boolean') fail(`must be true or false, got ${describeValue(operand)}`);
      return;
    case 'cidr':
      if (typeof operand !== 'string' || !parseCidr(operand))
        fail(`must be a CIDR block such as "10.0.0.0/24", got ${describeValue(operand)}`);
      return;
    case 'wildcard':
      checkWildcard(operand, fail);
      return;
    case 'numeric':
      checkNumeric(operand, fail);
      return;
    case 'anything-but':
      checkAnythingBut(operand, fail);
      return;
  }
}

function checkWildcard(operand: unknown, fail: (problem: string) => void): void {
  if (typeof operand !== 'string') return fail(`must be a string, got ${describeValue(operand)}`);
  if (/(?<!\\)\*\*/.test(operand)) fail(`must not contain consecutive "*" wildcards, got ${describeValue(operand)}`);
}

function checkNumeric(operand: unknown, fail: (problem: string) => void): void {
  if (!Array.isArray(operand) || (operand.length !== 2 && operand.length !== 4)) {
    return fail(
      `must be [operator, number] or [lower-operator, number, upper-operator, number], got ${describeValue(operand)}`,
    );
  }
  const pairs: [string, number][] = [];
  for (let i = 0; i < operand.length; i += 2) {
    const op = operand[i] as unknown;
    const number = operand[i + 1] as unknown;
    if (typeof op !== 'string' || !NUMERIC_OPERATORS.includes(op)) {
      return fail(`operator ${describeValue(op)} is not one of ${NUMERIC_OPERATORS.join(' ')}`);
    }
    if (typeof number !== 'number' || !Number.isFinite(number) || Math.abs(number) > NUMERIC_LIMIT) {
      return fail(`value ${describeValue(number)} must be a number between -5e9 and 5e9`);
    }
    pairs.push([op, number]);
  }
  if (pairs.length === 2) {
    const [[firstOp, low], [secondOp, high]] = pairs as [[string, number], [string, number]];
    const lower = firstOp.startsWith('>');
    const upper = secondOp.startsWith('<');
    if (!lower || !upper) return fail('a range must be a lower bound (> or >=) followed by an upper bound (< or <=)');
    if (low >= high) return fail(`the lower bound ${low} must be below the upper bound ${high}`);
  }
}

function checkAnythingBut(operand: unknown, fail: (problem: string) => void): void {
  if (typeof operand === 'string' || typeof operand === 'number') return;
  if (Array.isArray(operand)) {
    const types = new Set(operand.map((item) => typeof item));
    if (operand.length === 0 || types.size !== 1 || !(types.has('string') || types.has('number'))) {
      fail(`must be a non-empty list of only strings or only numbers, got ${describeValue(operand)}`);
    }
    return;
  }
  if (isPlainObject(operand) && Object.keys(operand).length === 1) {
    const [inner, value] = Object.entries(operand)[0]!;
    if ((inner === 'prefix' || inner === 'suffix') && typeof value === 'string') return;
    if (inner === 'equals-ignore-case' && (typeof value === 'string' || isStringList(value))) return;
    if (inner === 'wildcard' && (typeof value === 'string' || isStringList(value))) {
      for (const pattern of typeof value === 'string' ? [value] : (value as string[])) checkWildcard(pattern, fail);
      return;
    }
  }
  fail(
    `must be a value, a list of values, or {"prefix"|"suffix"|"equals-ignore-case"|"wildcard": ...}, got ${describeValue(operand)}`,
  );
}

function isIgnoreCaseString(value: unknown): boolean {
  return isPlainObject(value) && Object.keys(value).length === 1 && typeof value['equals-ignore-case'] === 'string';
}

function isStringList(value: unknown): boolean {
  return Array.isArray(value) && value.length > 0 && value.every((item) => typeof item === 'string');
}
