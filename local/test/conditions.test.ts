import { describe, expect, it } from '@jest/globals';
import { ConditionError, evaluateCondition, evaluateConditions } from '../src/engine/conditions.js';

const identity = (value: unknown) => value;
const check = (condition: object) => evaluateCondition(condition, identity);

describe('conditions', () => {
  it('Equals needs both sides of one type; numbers compare numerically', () => {
    expect(check({ Type: 'Equals', LeftValue: 3, RightValue: 3.0 })).toBe(true);
    expect(check({ Type: 'Equals', LeftValue: 'a', RightValue: 'b' })).toBe(false);
    expect(check({ Type: 'Equals', LeftValue: true, RightValue: true })).toBe(true);
    expect(() => check({ Type: 'Equals', LeftValue: 0.9, RightValue: '0.9' })).toThrow(ConditionError);
    expect(() => check({ Type: 'Equals', LeftValue: 0.9, RightValue: '0.9' })).toThrow(
      /Equals compares a number \(0.9\) with a string \("0.9"\)/,
    );
  });

  it('orderings compare two numbers or two strings, and refuse anything else', () => {
    expect(check({ Type: 'GreaterThan', LeftValue: 0.91, RightValue: 0.9 })).toBe(true);
    expect(check({ Type: 'GreaterThanOrEqualTo', LeftValue: 0.9, RightValue: 0.9 })).toBe(true);
    expect(check({ Type: 'LessThan', LeftValue: '2026-01-01', RightValue: '2026-02-01' })).toBe(true);
    expect(check({ Type: 'LessThanOrEqualTo', LeftValue: 5, RightValue: 4 })).toBe(false);
    expect(() => check({ Type: 'GreaterThan', LeftValue: true, RightValue: false })).toThrow(
      /both sides must be numbers or both strings/,
    );
    expect(() => check({ Type: 'LessThan', LeftValue: 1, RightValue: '2' })).toThrow(/LessThan compares a number/);
  });

  it('In, Not, Or, and the schema forms NotEquals, NotIn and In with Value/In', () => {
    expect(check({ Type: 'In', QueryValue: 'b', Values: ['a', 'b'] })).toBe(true);
    expect(check({ Type: 'In', QueryValue: 1, Values: ['1', 2] })).toBe(false);
    expect(check({ Type: 'In', Value: 2, In: [1, 2] })).toBe(true);
    expect(check({ Type: 'NotIn', QueryValue: 3, Values: [1, 2] })).toBe(true);
    expect(check({ Type: 'NotEquals', LeftValue: 1, RightValue: 2 })).toBe(true);
    expect(check({ Type: 'Not', Condition: { Type: 'Equals', LeftValue: 1, RightValue: 1 } })).toBe(false);
    expect(
      check({
        Type: 'Or',
        Conditions: [
          { Type: 'Equals', LeftValue: 1, RightValue: 2 },
          { Type: 'In', QueryValue: 'x', Values: ['x'] },
        ],
      }),
    ).toBe(true);
  });

  it('Or short-circuits and the top-level list is a conjunction', () => {
    // The second alternative would throw on a type mismatch; Or never reaches it.
    expect(
      check({
        Type: 'Or',
        Conditions: [
          { Type: 'Equals', LeftValue: 1, RightValue: 1 },
          { Type: 'Equals', LeftValue: 1, RightValue: 'x' },
        ],
      }),
    ).toBe(true);
    expect(
      evaluateConditions(
        [
          { Type: 'Equals', LeftValue: 1, RightValue: 1 },
          { Type: 'GreaterThan', LeftValue: 1, RightValue: 2 },
        ],
        identity,
      ),
    ).toBe(false);
    expect(
      evaluateConditions(
        [
          { Type: 'Equals', LeftValue: 1, RightValue: 1 },
          { Type: 'Not', Condition: { Type: 'In', QueryValue: 5, Values: [6] } },
        ],
        identity,
      ),
    ).toBe(true);
  });

  it('resolves each side through the given resolver', () => {
    const values: Record<string, unknown> = { left: 0.93, right: 0.9 };
    const resolve = (value: unknown) => (typeof value === 'string' && value in values ? values[value] : value);
    expect(evaluateCondition({ Type: 'GreaterThan', LeftValue: 'left', RightValue: 'right' }, resolve)).toBe(true);
  });
});
