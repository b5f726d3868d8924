import { checkName, describeValue, type NameKind } from '@slipway/core';
import type { JsonObject } from '../server/operation-registry.js';
import { fromWireTimestamp } from '../server/wire-json.js';
import { validationException } from '../server/service-error.js';

export interface StringRule {
  readonly min?: number;
  readonly max?: number;
  readonly pattern?: RegExp;
  /** Check against one of core's NAME_RULES (pattern, lengths and a readable description). */
  readonly name?: NameKind;
  readonly oneOf?: readonly string[];
}

/**
 * Reads the members of one request, checking each against the constraints the service model gives it.
 * Every failure is a `ValidationException` that names the operation, the member, the rule and the value.
 */
export class Input {
  constructor(
    readonly body: JsonObject,
    readonly operation: string,
  ) {}

  fail(member: string, problem: string, fix?: string): never {
    throw validationException(`${this.operation}: ${member} ${problem}${fix ? `; ${fix}` : ''}`);
  }

  has(member: string): boolean {
    return this.body[member] !== undefined && this.body[member] !== null;
  }

  optionalString(member: string, rule: StringRule = {}): string | undefined {
    const value = this.body[member];
    if (value === undefined || value === null) return undefined;
    if (typeof value !== 'string') this.fail(member, `must be a string, got ${describeValue(value)}`);
    return checkString(this, member, value, rule);
  }

  string(member: string, rule: StringRule = {}): string {
    const value = this.optionalString(member, rule);
    if (value === undefined) this.fail(member, 'is required', `pass ${member}`);
    return value;
  }

  optionalInteger(member: string, range: { min?: number; max?: number } = {}): number | undefined {
    const value = this.body[member];
    if (value === undefined || value === null) return undefined;
    if (typeof value !== 'number' || !Number.isInteger(value)) {
      this.fail(member, `must be an integer, got ${describeValue(value)}`);
    }
    if (range.min !== undefined && value < range.min) this.fail(member, `must be at least ${range.min}, got ${value}`);
    if (range.max !== undefined && value > range.max) this.fail(member, `must be at most ${range.max}, got ${value}`);
    return value;
  }

  optionalBoolean(member: string): boolean | undefined {
    const value = this.body[member];
    if (value === undefined || value === null) return undefined;
    if (typeof value !== 'boolean') this.fail(member, `must be true or false, got ${describeValue(value)}`);
    return value;
  }

  optionalTimestamp(member: string): Date | undefined {
    const date = fromWireTimestamp(this.body[member]);
    if (date && Number.isNaN(date.getTime())) {
      this.fail(member, `must be a timestamp (epoch seconds), got ${describeValue(this.body[member])}`);
    }
    return date;
  }

  optionalObject(member: string): JsonObject | undefined {
    const value = this.body[member];
    if (value === undefined || value === null) return undefined;
    if (typeof value !== 'object' || Array.isArray(value)) {
      this.fail(member, `must be an object, got ${describeValue(value)}`);
    }
    return value as JsonObject;
  }

  optionalList(member: string, max?: number): unknown[] | undefined {
    const value = this.body[member];
    if (value === undefined || value === null) return undefined;
    if (!Array.isArray(value)) this.fail(member, `must be a list, got ${describeValue(value)}`);
    if (max !== undefined && value.length > max)
      this.fail(member, `must have at most ${max} entries, got ${value.length}`);
    return value;
  }

  /** A map of string to string (Environment, CustomerMetadataProperties, ...). */
  optionalStringMap(member: string): Record<string, string> | undefined {
    const value = this.optionalObject(member);
    if (!value) return undefined;
    for (const [key, entry] of Object.entries(value)) {
      if (typeof entry !== 'string') this.fail(`${member}.${key}`, `must be a string, got ${describeValue(entry)}`);
    }
    return value as Record<string, string>;
  }

  /** `Tags: [{Key, Value}]`. */
  optionalTags(member = 'Tags'): { Key: string; Value: string }[] | undefined {
    const list = this.optionalList(member, 50);
    if (!list) return undefined;
    return list.map((tag, index) => {
      const entry = tag as { Key?: unknown; Value?: unknown } | null;
      if (!entry || typeof entry.Key !== 'string' || entry.Key.length === 0 || typeof entry.Value !== 'string') {
        this.fail(`${member}[${index}]`, `must be {Key: string, Value: string}, got ${describeValue(tag)}`);
      }
      return { Key: entry.Key, Value: entry.Value };
    });
  }

  /** Pagination members shared by every List operation. */
  page(defaultMax = 10, limit = 100): { maxResults: number; nextToken: string | undefined } {
    return {
      maxResults: this.optionalInteger('MaxResults', { min: 1, max: limit }) ?? defaultMax,
      nextToken: this.optionalString('NextToken', { max: 8192 }),
    };
  }

  sortOrder(fallback: 'Ascending' | 'Descending'): 'Ascending' | 'Descending' {
    return (this.optionalString('SortOrder', { oneOf: ['Ascending', 'Descending'] }) ?? fallback) as
      'Ascending' | 'Descending';
  }
}

function checkString(input: Input, member: string, value: string, rule: StringRule): string {
  if (rule.name) {
    const problem = checkName(rule.name, value);
    if (problem) input.fail(member, problem);
  }
  if (rule.min !== undefined && value.length < rule.min) {
    input.fail(member, `must be at least ${rule.min} characters, got ${value.length}`);
  }
  if (rule.max !== undefined && value.length > rule.max) {
    input.fail(member, `must be at most ${rule.max} characters, got ${value.length}`);
  }
  if (rule.pattern && !rule.pattern.test(value)) {
    input.fail(member, `must match ${rule.pattern.source}, got ${describeValue(value)}`);
  }
  if (rule.oneOf && !rule.oneOf.includes(value)) {
    input.fail(member, `must be one of ${rule.oneOf.join(', ')}, got ${describeValue(value)}`);
  }
  return value;
}
