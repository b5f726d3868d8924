import { describeValue } from '@slipway/core';

/**
 * Condition evaluation for Condition steps, as the SDK's reference local executor does it: the top-level
 * list is a conjunction; Equals needs both sides of the same type; the orderings compare two numbers or
 * two strings; In tests membership; Not negates; Or short-circuits. A type mismatch is an error that fails
 * the step, never a silent false. The schema's older forms (NotEquals, NotIn, In with Value/In) are
 * accepted too.
 */

export class ConditionError extends Error {
  override readonly name = 'ConditionError';
}

type Resolve = (value: unknown) => unknown;

const COMPARISONS = ['Equals', 'GreaterThan', 'GreaterThanOrEqualTo', 'LessThan', 'LessThanOrEqualTo', 'NotEquals'];
const CONDITION_TYPES = [...COMPARISONS, 'In', 'NotIn', 'Not', 'Or'];

/** Structural check at CreatePipeline time; reports through `add(field, problem)`. */
export function checkConditionShape(
  condition: unknown,
  field: string,
  add: (field: string, problem: string) => void,
): void {
  if (typeof condition !== 'object' || condition === null || Array.isArray(condition)) {
    return add(field, `must be a condition object, got ${describeValue(condition)}`);
  }
  const c = condition as Record<string, unknown>;
  const type = c['Type'];
  if (typeof type !== 'string' || !CONDITION_TYPES.includes(type)) {
    return add(`${field}.Type`, `must be one of ${CONDITION_TYPES.join(', ')}, got ${describeValue(type)}`);
  }
  if (COMPARISONS.includes(type)) {
    for (const side of ['LeftValue', 'RightValue'])
      if (!(side in c)) add(`${field}.${side}`, `is required for ${type}`);
  } else if (type === 'In' || type === 'NotIn') {
    const values = c['Values'] ?? c['In'];
    if (!('QueryValue' in c) && !('Value' in c)) add(`${field}.QueryValue`, `is required for ${type}`);
    if (!Array.isArray(values)) add(`${field}.Values`, `must be a list for ${type}, got ${describeValue(values)}`);
  } else if (type === 'Not') {
    checkConditionShape(c['Condition'], `${field}.Condition`, add);
  } else {
    const list = c['Conditions'];
    if (!Array.isArray(list) || list.length === 0) return add(`${field}.Conditions`, `must be a non-empty list for Or`);
    list.forEach((inner, index) => checkConditionShape(inner, `${field}.Conditions[${index}]`, add));
  }
}

/** True when every condition holds. `resolve` turns a literal or expression into its value. */
export function evaluateConditions(conditions: readonly unknown[], resolve: Resolve): boolean {
  return conditions.every((condition) => evaluateCondition(condition, resolve));
}

export function evaluateCondition(condition: unknown, resolve: Resolve): boolean {
  const c = condition as Record<string, unknown>;
  const type = c['Type'] as string;
  switch (type) {
    case 'Equals':
      return equals(resolve(c['LeftValue']), resolve(c['RightValue']), true);
    case 'NotEquals':
      return !equals(resolve(c['LeftValue']), resolve(c['RightValue']), true);
    case 'GreaterThan':
    case 'GreaterThanOrEqualTo':
    case 'LessThan':
    case 'LessThanOrEqualTo':
      return compare(type, resolve(c['LeftValue']), resolve(c['RightValue']));
    case 'In':
    case 'NotIn': {
      const query = resolve('QueryValue' in c ? c['QueryValue'] : c['Value']);
      const values = ((c['Values'] ?? c['In']) as unknown[]).map(resolve);
      const found = values.some((value) => equals(query, value, false));
      return type === 'In' ? found : !found;
    }
    case 'Not':
      return !evaluateCondition(c['Condition'], resolve);
    case 'Or':
      return (c['Conditions'] as unknown[]).some((inner) => evaluateCondition(inner, resolve));
    default:
      throw new ConditionError(`condition type ${describeValue(type)} is not supported`);
  }
}

function typeOf(value: unknown): string {
  return value === null ? 'null' : Array.isArray(value) ? 'list' : typeof value;
}

function equals(left: unknown, right: unknown, strictTypes: boolean): boolean {
  if (typeOf(left) !== typeOf(right)) {
    if (!strictTypes) return false;
    throw new ConditionError(
      `Equals compares a ${typeOf(left)} (${describeValue(left)}) with a ${typeOf(right)} (${describeValue(right)}); both sides must have the same type`,
    );
  }
  if (typeof left === 'object' && left !== null) return JSON.stringify(left) === JSON.stringify(right);
  return left === right;
}

function compare(type: string, left: unknown, right: unknown): boolean {
  const kind = typeOf(left);
  if (kind !== typeOf(right) || (kind !== 'number' && kind !== 'string')) {
    throw new ConditionError(
      `${type} compares a ${kind} (${describeValue(left)}) with a ${typeOf(right)} (${describeValue(right)}); both sides must be numbers or both strings`,
    );
  }
  const a = left as number | string;
  const b = right as number | string;
  switch (type) {
    case 'GreaterThan':
      return a > b;
    case 'GreaterThanOrEqualTo':
      return a >= b;
    case 'LessThan':
      return a < b;
    default:
      return a <= b;
  }
}
