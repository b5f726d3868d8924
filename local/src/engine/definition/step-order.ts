import type { AddIssue, StepDefinition } from './definition-types.js';

/** Kahn's algorithm, keeping definition order among independent steps; reports cycles. */
export function orderSteps(steps: readonly StepDefinition[], add: AddIssue): StepDefinition[] {
  const remaining = new Map(steps.map((step) => [step.name, new Set(step.upstream)]));
  const ordered: StepDefinition[] = [];
  const byName = new Map(steps.map((step) => [step.name, step]));
  while (remaining.size > 0) {
    const ready = [...remaining].filter(([, upstream]) => upstream.size === 0).map(([name]) => name);
    if (ready.length === 0) {
      add(
        'Steps',
        `form a dependency cycle: ${[...remaining.keys()].join(', ')}`,
        'remove a DependsOn or a property reference so the steps form a DAG',
      );
      return [...steps];
    }
    for (const name of ready) {
      remaining.delete(name);
      ordered.push(byName.get(name)!);
      for (const upstream of remaining.values()) upstream.delete(name);
    }
  }
  return ordered;
}
