import type { ValidationIssue } from '@slipway/core';
import {
  ConditionComparison,
  ConditionIn,
  ConditionNot,
  ConditionOr,
  type Condition,
} from '../conditions/conditions.js';
import { describeOperand, valueKindOf, type ValueKind } from '../dsl/pipeline-variable.js';
import { ConditionStep } from '../steps/condition-step.js';
import type { Step } from '../steps/step.js';

const KIND_NAMES: Record<ValueKind, string> = {
  string: 'a string',
  number: 'a number',
  boolean: 'a boolean',
  unknown: '',
};

function operand(value: unknown): string {
  const kind = valueKindOf(value);
  return kind === 'unknown' ? describeOperand(value) : `${describeOperand(value)} (${KIND_NAMES[kind]})`;
}

function mismatch(left: unknown, right: unknown): boolean {
  const [a, b] = [valueKindOf(left), valueKindOf(right)];
  return a !== 'unknown' && b !== 'unknown' && a !== b;
}

function checkCondition(condition: Condition, where: string, field: string, issues: ValidationIssue[]): void {
  if (condition instanceof ConditionComparison) {
    const ordering = condition.conditionType !== 'Equals';
    if (mismatch(condition.left, condition.right)) {
      issues.push({
        where,
        field,
        problem: `${condition.conditionType} compares ${operand(condition.left)} with ${operand(condition.right)}; the service fails the step when types differ`,
        fix: 'compare values of one type, e.g. a Float parameter with a number, not with a string',
      });
    } else if (ordering && [condition.left, condition.right].some((value) => valueKindOf(value) === 'boolean')) {
      issues.push({
        where,
        field,
        problem: `${condition.conditionType} orders booleans (${operand(condition.left)}, ${operand(condition.right)})`,
        fix: 'use ConditionEquals for booleans',
      });
    }
  } else if (condition instanceof ConditionIn) {
    condition.inValues.forEach((value, index) => {
      if (mismatch(condition.value, value)) {
        issues.push({
          where,
          field: `${field}.Values[${index}]`,
          problem: `is ${operand(value)}, but the value looked up is ${operand(condition.value)}`,
          fix: 'list values of the same type as the value looked up',
        });
      }
    });
  } else if (condition instanceof ConditionNot) {
    checkCondition(condition.condition, where, `${field}.Condition`, issues);
  } else if (condition instanceof ConditionOr) {
    condition.conditions.forEach((inner, index) =>
      checkCondition(inner, where, `${field}.Conditions[${index}]`, issues),
    );
  }
}

/** Operands of a condition must have one type, as the service compares without converting. */
export function checkConditionTypes(steps: readonly Step[], issues: ValidationIssue[]): void {
  for (const step of steps) {
    if (!(step instanceof ConditionStep)) continue;
    if (step.conditions.length === 0) {
      issues.push({
        where: step.name,
        field: 'Arguments.Conditions',
        problem: 'is empty',
        fix: 'give at least one condition',
      });
    }
    step.conditions.forEach((condition, index) =>
      checkCondition(condition, step.name, `Arguments.Conditions[${index}]`, issues),
    );
  }
}
