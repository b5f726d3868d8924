import type { JsonValue, ParameterType, StepType } from '../definition/types.js';

/** The values a pipeline variable stands for at run time. */
export type Primitive = string | number | boolean;

/**
 * What the compiler knows about a variable's run-time type, for checking conditions. `unknown` is a value whose
 * type only the running pipeline knows (a JsonGet).
 */
export type ValueKind = 'string' | 'number' | 'boolean' | 'unknown';

/** The parts of a step a reference needs; `Step` implements it (kept structural to avoid import cycles). */
export interface StepHandle {
  readonly name: string;
  readonly stepType: StepType;
}

export interface ParameterHandle {
  readonly name: string;
  readonly parameterType: ParameterType;
}

export interface PropertyFileHandle {
  readonly name: string;
  readonly outputName: string;
  readonly path: string;
}

/** One segment of a property path: `.Member`, `[0]` or `['key']`. */
export type PathSegment =
  | { readonly kind: 'member'; readonly name: string }
  | { readonly kind: 'index'; readonly index: number }
  | { readonly kind: 'key'; readonly key: string };

/** What an expression points at; the compiler checks every one of these against the pipeline. */
export type Reference =
  | { readonly kind: 'parameter'; readonly parameter: ParameterHandle }
  | { readonly kind: 'stepProperty'; readonly step: StepHandle; readonly path: readonly PathSegment[] }
  | { readonly kind: 'dependsOn'; readonly step: StepHandle | string }
  | {
      readonly kind: 'propertyFile';
      readonly step: StepHandle | string;
      readonly propertyFile: PropertyFileHandle | string;
    };

export interface ReferenceSink {
  add(reference: Reference): void;
}

export const IGNORE_REFERENCES: ReferenceSink = { add: () => undefined };

declare const valueType: unique symbol;

/**
 * A value known only when the pipeline runs: a parameter, an execution variable, a step property, a Join or a
 * JsonGet. `T` is its run-time type, so `ConditionEquals(stringParameter, 3)` does not compile.
 */
export abstract class PipelineVariable<T extends Primitive = Primitive> {
  /** Phantom member carrying `T`; never set. */
  declare protected readonly [valueType]?: T;

  abstract readonly kind: ValueKind;

  /** The expression JSON, recording what it refers to in `sink`. */
  abstract toDefinition(sink: ReferenceSink): JsonValue;

  /** A short human form for messages, e.g. `Parameters.MinAccuracy`. */
  abstract describe(): string;

  toJSON(): JsonValue {
    return this.toDefinition(IGNORE_REFERENCES);
  }

  /**
   * Refuses to become a string at build time (a template literal would bake in "[object Object]"); the
   * SageMaker Python SDK refuses `str()` the same way.
   */
  [Symbol.toPrimitive](): never {
    throw new TypeError(
      `${this.describe()} has no value until the pipeline runs, so it cannot be turned into a string here: ` +
        'build strings with new Join({ on, values }) instead of a template literal or +',
    );
  }
}

/** A plain value or a pipeline variable of the same run-time type. */
export type Value<T extends Primitive> = T | PipelineVariable<T>;

export function isPipelineVariable(value: unknown): value is PipelineVariable {
  return value instanceof PipelineVariable;
}

/** The run-time kind of a plain value or variable. */
export function valueKindOf(value: unknown): ValueKind {
  if (value instanceof PipelineVariable) return value.kind;
  if (typeof value === 'string') return 'string';
  if (typeof value === 'number') return 'number';
  if (typeof value === 'boolean') return 'boolean';
  return 'unknown';
}

/** A value for a message: the variable's expression, or the literal as JSON. */
export function describeOperand(value: unknown): string {
  return value instanceof PipelineVariable ? value.describe() : JSON.stringify(value);
}
