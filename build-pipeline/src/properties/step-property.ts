import type { JsonValue } from '../definition/types.js';
import {
  PipelineVariable,
  type PathSegment,
  type Primitive,
  type ReferenceSink,
  type StepHandle,
  type ValueKind,
} from '../dsl/pipeline-variable.js';
import type { LeafKind } from './shape-schema.js';

/** `.Member`, `[0]`, `['key']`: the path syntax the service and the Python SDK use (no `Properties` segment). */
export function formatPath(path: readonly PathSegment[]): string {
  return path
    .map((segment) =>
      segment.kind === 'member'
        ? `.${segment.name}`
        : segment.kind === 'index'
          ? `[${segment.index}]`
          : `['${segment.key}']`,
    )
    .join('');
}

/** One field of a step's Describe* response, `{"Get": "Steps.<step>.<path>"}`, available once the step ran. */
export class StepProperty<T extends Primitive = Primitive> extends PipelineVariable<T> {
  readonly kind: ValueKind;

  constructor(
    readonly step: StepHandle,
    readonly path: readonly PathSegment[],
    readonly leaf: LeafKind,
  ) {
    super();
    this.kind =
      leaf === 'number' ? 'number' : leaf === 'boolean' ? 'boolean' : leaf === 'document' ? 'unknown' : 'string';
  }

  toDefinition(sink: ReferenceSink): JsonValue {
    sink.add({ kind: 'stepProperty', step: this.step, path: this.path });
    return { Get: this.describe() };
  }

  describe(): string {
    return `Steps.${this.step.name}${formatPath(this.path)}`;
  }
}
