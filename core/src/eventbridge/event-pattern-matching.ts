import type { EventPattern } from './event-pattern.js';
import { inCidr } from './cidr.js';
import { isPlainObject } from './json-object.js';

/** True when the event matches the pattern. The pattern must be valid (see validateEventPattern). */
export function matchesEventPattern(pattern: EventPattern, event: unknown): boolean {
  return matchObject(pattern, [event]);
}

function matchObject(pattern: EventPattern, contexts: readonly unknown[]): boolean {
  for (const [key, expected] of Object.entries(pattern)) {
    if (key === '$or') {
      if (!(expected as readonly EventPattern[]).some((alternative) => matchObject(alternative, contexts)))
        return false;
      continue;
    }
    const children = contexts.flatMap((context) => (isPlainObject(context) ? flatten(context[key]) : []));
    if (Array.isArray(expected)) {
      const leaves = children.filter((child) => !isPlainObject(child));
      if (!expected.some((condition) => matchCondition(condition, leaves))) return false;
    } else if (!matchObject(expected as EventPattern, children.filter(isPlainObject))) {
      return false;
    }
  }
  return true;
}

function flatten(value: unknown): unknown[] {
  if (value === undefined) return [];
  if (Array.isArray(value)) return value.flatMap(flatten);
  return [value];
}

function matchCondition(condition: unknown, leaves: readonly unknown[]): boolean {
  if (isPlainObject(condition) && 'exists' in condition) return leaves.length > 0 === condition['exists'];
  return leaves.some((leaf) => matchLeaf(condition, leaf));
}

function matchLeaf(condition: unknown, value: unknown): boolean {
  if (!isPlainObject(condition)) return condition === value;
  const [operator, operand] = Object.entries(condition)[0]!;
  switch (operator) {
    case 'prefix':
      return typeof value === 'string' && compareEdge(value, operand, (text, part) => text.startsWith(part));
    case 'suffix':
      return typeof value === 'string' && compareEdge(value, operand, (text, part) => text.endsWith(part));
    case 'equals-ignore-case':
      return typeof value === 'string' && value.toLowerCase() === (operand as string).toLowerCase();
    case 'numeric':
      return typeof value === 'number' && matchNumeric(operand as (string | number)[], value);
    case 'cidr':
      return typeof value === 'string' && inCidr(value, operand as string);
    case 'wildcard':
      return typeof value === 'string' && wildcardRegExp(operand as string).test(value);
    case 'anything-but':
      return matchAnythingBut(operand, value);
    default:
      return false;
  }
}

function compareEdge(text: string, operand: unknown, test: (text: string, part: string) => boolean): boolean {
  if (typeof operand === 'string') return test(text, operand);
  const part = (operand as { 'equals-ignore-case': string })['equals-ignore-case'];
  return test(text.toLowerCase(), part.toLowerCase());
}

function matchNumeric(spec: readonly (string | number)[], value: number): boolean {
  for (let i = 0; i < spec.length; i += 2) {
    const bound = spec[i + 1] as number;
    const ok =
      spec[i] === '='
        ? value === bound
        : spec[i] === '<'
          ? value < bound
          : spec[i] === '<='
            ? value <= bound
            : spec[i] === '>'
              ? value > bound
              : value >= bound;
    if (!ok) return false;
  }
  return true;
}

function matchAnythingBut(operand: unknown, value: unknown): boolean {
  if (Array.isArray(operand)) return !operand.includes(value);
  if (!isPlainObject(operand)) return operand !== value;
  const [inner, excluded] = Object.entries(operand)[0]!;
  if (typeof value !== 'string') return true;
  const list = typeof excluded === 'string' ? [excluded] : (excluded as string[]);
  switch (inner) {
    case 'prefix':
      return !value.startsWith(excluded as string);
    case 'suffix':
      return !value.endsWith(excluded as string);
    case 'equals-ignore-case':
      return !list.some((item) => item.toLowerCase() === value.toLowerCase());
    case 'wildcard':
      return !list.some((item) => wildcardRegExp(item).test(value));
    default:
      return false;
  }
}

const wildcardCache = new Map<string, RegExp>();

function wildcardRegExp(pattern: string): RegExp {
  let compiled = wildcardCache.get(pattern);
  if (!compiled) {
    let source = '';
    for (let i = 0; i < pattern.length; i += 1) {
      const char = pattern[i]!;
      if (char === '\\' && pattern[i + 1] === '*') {
        source += '\\*';
        i += 1;
      } else if (char === '*') {
        source += '.*';
      } else {
        source += char.replace(/[.+?^${}()|[\]\\]/g, '\\$&');
      }
    }
    compiled = new RegExp(`^${source}$`, 's');
    wildcardCache.set(pattern, compiled);
  }
  return compiled;
}
