import type { ComparisonConditionDefinition, ConditionDefinition } from '../definition/types.js';
import { operandDefinition } from '../dsl/join.js';
import type { Primitive, ReferenceSink, Value } from '../dsl/pipeline-variable.js';

/**
 * The conditions a ConditionStep evaluates; its `conditions` list is a conjunction (there is no And type).
 * Operands are typed, so comparing a String parameter with a number is a compile error; the compiler checks
 * the same rule again for pipelines built without types.
 */
export abstract class Condition {
  abstract toDefinition(sink: ReferenceSink): ConditionDefinition;
}

export type ComparisonType = ComparisonConditionDefinition['Type'];

export abstract class ConditionComparison<T extends Primitive> extends Condition {
  abstract readonly conditionType: ComparisonType;

  constructor(
    readonly left: Value<T>,
    readonly right: Value<T>,
  ) {
    super();
  }

  toDefinition(sink: ReferenceSink): ComparisonConditionDefinition {
    return {
      Type: this.conditionType,
      LeftValue: operandDefinition(this.left, sink),
      RightValue: operandDefinition(this.right, sink),
    };
  }
}

export class ConditionEquals<T extends Primitive> extends ConditionComparison<T> {
  readonly conditionType = 'Equals' as const;
}

/** Ordering compares numbers with numbers or strings with strings (ISO dates order as strings). */
export class ConditionGreaterThan<T extends string | number> extends ConditionComparison<T> {
  readonly conditionType = 'GreaterThan' as const;
}

export class ConditionGreaterThanOrEqualTo<T extends string | number> extends ConditionComparison<T> {
  readonly conditionType = 'GreaterThanOrEqualTo' as const;
}

export class ConditionLessThan<T extends string | number> extends ConditionComparison<T> {
  readonly conditionType = 'LessThan' as const;
}

export class ConditionLessThanOrEqualTo<T extends string | number> extends ConditionComparison<T> {
  readonly conditionType = 'LessThanOrEqualTo' as const;
}

/** True when `value` equals one of `inValues`. */
export class ConditionIn<T extends Primitive> extends Condition {
  readonly value: Value<T>;
  readonly inValues: readonly Value<T>[];

  constructor(value: Value<T>, inValues: readonly Value<T>[]) {
    super();
    this.value = value;
    this.inValues = [...inValues];
  }

  toDefinition(sink: ReferenceSink): ConditionDefinition {
    return {
      Type: 'In',
      QueryValue: operandDefinition(this.value, sink),
      Values: this.inValues.map((value) => operandDefinition(value, sink)),
    };
  }
}

/** Negation; with Equals and In it gives the NotEquals and NotIn the service has no type for. */
export class ConditionNot extends Condition {
  constructor(readonly condition: Condition) {
    super();
  }

  toDefinition(sink: ReferenceSink): ConditionDefinition {
    return { Type: 'Not', Condition: this.condition.toDefinition(sink) };
  }
}

export class ConditionOr extends Condition {
  readonly conditions: readonly Condition[];

  constructor(conditions: readonly Condition[]) {
    super();
    this.conditions = [...conditions];
  }

  toDefinition(sink: ReferenceSink): ConditionDefinition {
    return { Type: 'Or', Conditions: this.conditions.map((condition) => condition.toDefinition(sink)) };
  }
}
