import type { ValidationIssue } from '@slipway/core';

/**
 * Finds dependency cycles (data references and DependsOn together): the service can never start a step that
 * waits on itself. Each cycle is reported once, as the path that closes it.
 */
export function checkCycles(dependencies: ReadonlyMap<string, ReadonlySet<string>>, issues: ValidationIssue[]): void {
  const state = new Map<string, 'visiting' | 'done'>();
  const reported = new Set<string>();
  for (const start of dependencies.keys()) {
    if (state.has(start)) continue;
    // Iterative depth-first search, so a long chain of steps cannot overflow the stack.
    const stack: { name: string; next: Iterator<string> }[] = [];
    const path: string[] = [];
    const enter = (name: string): void => {
      state.set(name, 'visiting');
      path.push(name);
      stack.push({ name, next: (dependencies.get(name) ?? new Set<string>()).values() });
    };
    enter(start);
    while (stack.length > 0) {
      const top = stack[stack.length - 1]!;
      const step = top.next.next();
      if (step.done) {
        state.set(top.name, 'done');
        stack.pop();
        path.pop();
        continue;
      }
      const dependency = step.value;
      const seen = state.get(dependency);
      if (seen === undefined) {
        if (dependencies.has(dependency)) enter(dependency);
      } else if (seen === 'visiting') {
        const cycle = [...path.slice(path.indexOf(dependency)), dependency];
        const key = [...cycle.slice(0, -1)].sort().join('\u0000');
        if (!reported.has(key)) {
          reported.add(key);
          issues.push({
            where: dependency,
            field: 'DependsOn',
            problem: `waits for itself: ${cycle.reverse().join(' → ')} (each step waits for the one before it)`,
            fix: 'remove one of these dependencies (a DependsOn entry or a reference to a later step)',
          });
        }
      }
    }
  }
}
