import { Condition } from '../conditions/conditions.js';
import type { JsonValue } from '../definition/types.js';
import { PipelineVariable, type Reference, type ReferenceSink } from '../dsl/pipeline-variable.js';
import { propertyNodePath } from '../properties/property-tree.js';
import type { ArgumentValue } from '../steps/step.js';

/** A reference together with the request field it was found in, for error messages. */
export interface RecordedReference {
  readonly reference: Reference;
  readonly field: string;
}

export interface FieldProblem {
  readonly field: string;
  readonly problem: string;
  readonly fix: string;
}

/** What serialising one step collects besides the JSON. */
export interface SerializeReport {
  readonly references: RecordedReference[];
  readonly problems: FieldProblem[];
}

function sinkFor(field: string, report: SerializeReport): ReferenceSink {
  return { add: (reference) => report.references.push({ reference, field }) };
}

function isPlainObject(value: object): boolean {
  const prototype: unknown = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}

function child(field: string, key: string | number): string {
  if (typeof key === 'number') return `${field}[${key}]`;
  return field ? `${field}.${key}` : key;
}

/**
 * Turns a step's request into definition JSON: variables become their expressions (recording what they refer
 * to), `undefined` members are dropped, and anything that is not a value is reported against its field.
 */
export function serialize(value: ArgumentValue, field: string, report: SerializeReport): JsonValue | undefined {
  if (value === undefined) return undefined;
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'number') {
    if (Number.isFinite(value)) return value;
    report.problems.push({ field, problem: `is ${value}, which JSON cannot carry`, fix: 'use a finite number' });
    return null;
  }
  if (value instanceof PipelineVariable) return value.toDefinition(sinkFor(field, report));
  if (value instanceof Condition) return value.toDefinition(sinkFor(field, report)) as unknown as JsonValue;
  const nodePath = propertyNodePath(value);
  if (nodePath !== undefined) {
    report.problems.push({
      field,
      problem: `is ${nodePath}, which is a structure, list or map rather than a single value`,
      fix: 'pick a field inside it, e.g. .S3Output.S3Uri',
    });
    return null;
  }
  if (Array.isArray(value)) {
    return (value as readonly ArgumentValue[]).map(
      (item, index) => serialize(item, child(field, index), report) ?? null,
    );
  }
  if (typeof value !== 'object' || !isPlainObject(value)) {
    const what = typeof value === 'object' ? (value as object).constructor.name : typeof value;
    report.problems.push({
      field,
      problem: `is a ${what}, which is not a value the definition can hold`,
      fix: 'pass a string, number, boolean or pipeline variable',
    });
    return null;
  }
  const result: Record<string, JsonValue> = {};
  for (const [key, member] of Object.entries(value as Readonly<Record<string, ArgumentValue>>)) {
    const json = serialize(member, child(field, key), report);
    if (json !== undefined) result[key] = json;
  }
  return result;
}
