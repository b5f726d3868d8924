import type { JsonValue } from '../definition/types.js';
import { ParameterString } from './parameters.js';
import {
  PipelineVariable,
  describeOperand,
  type Primitive,
  type ReferenceSink,
  type Value,
  type ValueKind,
} from './pipeline-variable.js';

/** Builds what the service needs for a value inside an expression: the literal, or the variable's JSON. */
export function operandDefinition(value: Value<Primitive>, sink: ReferenceSink): JsonValue {
  return value instanceof PipelineVariable ? value.toDefinition(sink) : value;
}

/** `{"Std:Join": {"On": on, "Values": [...]}}`: the values, turned into strings, joined with `on`. */
export class Join extends PipelineVariable<string> {
  readonly kind: ValueKind = 'string';
  readonly on: string;
  readonly values: readonly Value<Primitive>[];

  constructor(props: { readonly on?: string; readonly values: readonly Value<Primitive>[] }) {
    super();
    this.on = props.on ?? '';
    this.values = [...props.values];
  }

  toDefinition(sink: ReferenceSink): JsonValue {
    return { 'Std:Join': { On: this.on, Values: this.values.map((value) => operandDefinition(value, sink)) } };
  }

  describe(): string {
    return `Join(${JSON.stringify(this.on)}, [${this.values.map(describeOperand).join(', ')}])`;
  }
}

/**
 * The SageMaker Python SDK's `to_string()`: a String parameter is already a string; any other variable becomes
 * `Join(on="", values=[variable])`, which is how hyperparameters (always strings) carry numbers.
 */
export function asString(value: PipelineVariable): PipelineVariable<string> {
  return value instanceof ParameterString ? value : new Join({ on: '', values: [value] });
}
