import type { JsonValue, PipelineDefinition, StepDefinition, StepType } from '../definition/types.js';

/** A step of the DAG; `branch` is set for steps inside a condition's if/else lists. */
export interface GraphNode {
  readonly name: string;
  readonly type: StepType;
  readonly branch?: { readonly condition: string; readonly outcome: 'if' | 'else' };
}

export interface GraphEdge {
  readonly from: string;
  readonly to: string;
  /** `if` / `else` for a condition's branches; undefined for data and DependsOn edges. */
  readonly label?: 'if' | 'else';
}

export interface PipelineGraph {
  readonly nodes: readonly GraphNode[];
  readonly edges: readonly GraphEdge[];
}

/** Every step of a definition, the condition branches' steps included, in definition order. */
export function allSteps(definition: Pick<PipelineDefinition, 'Steps'>): StepDefinition[] {
  const steps: StepDefinition[] = [];
  const visit = (list: readonly StepDefinition[]) => {
    for (const step of list) {
      steps.push(step);
      if (step.Type === 'Condition') {
        visit(branchSteps(step, 'IfSteps'));
        visit(branchSteps(step, 'ElseSteps'));
      }
    }
  };
  visit(definition.Steps);
  return steps;
}

function branchSteps(step: StepDefinition, key: 'IfSteps' | 'ElseSteps'): readonly StepDefinition[] {
  const list = step.Arguments[key];
  return Array.isArray(list) ? (list as unknown as readonly StepDefinition[]) : [];
}

/** Names of the steps a value reads from: `{"Get": "Steps.<name>...."}` anywhere inside it. */
function referencedSteps(value: JsonValue | undefined, into: Set<string>): void {
  if (Array.isArray(value)) {
    for (const item of value) referencedSteps(item, into);
    return;
  }
  if (typeof value !== 'object' || value === null) return;
  const record = value as { readonly [key: string]: JsonValue };
  const get = record['Get'];
  if (typeof get === 'string' && get.startsWith('Steps.')) {
    const name = /^Steps\.([^.[]+)/.exec(get)?.[1];
    if (name) into.add(name);
  }
  for (const [key, child] of Object.entries(record)) {
    // A condition's branch lists are its children, not its inputs.
    if (key === 'IfSteps' || key === 'ElseSteps') continue;
    referencedSteps(child, into);
  }
}

/**
 * The DAG as SageMaker runs it: data references, DependsOn and condition branches, reduced transitively
 * (an edge implied by a longer path is left out) so the drawing shows the order, not every wire.
 */
export function pipelineGraph(definition: Pick<PipelineDefinition, 'Steps'>): PipelineGraph {
  const nodes: GraphNode[] = [];
  const edges = new Map<string, GraphEdge>();
  const add = (edge: GraphEdge) => {
    const key = `${edge.from}\0${edge.to}`;
    if (!edges.has(key) || edge.label) edges.set(key, edge);
  };
  const visit = (list: readonly StepDefinition[], branch?: GraphNode['branch']) => {
    for (const step of list) {
      nodes.push({ name: step.Name, type: step.Type, ...(branch ? { branch } : {}) });
      const sources = new Set<string>(step.DependsOn ?? []);
      referencedSteps(step.Arguments, sources);
      sources.delete(step.Name);
      for (const from of sources) add({ from, to: step.Name });
      if (branch) add({ from: branch.condition, to: step.Name, label: branch.outcome });
      if (step.Type === 'Condition') {
        visit(branchSteps(step, 'IfSteps'), { condition: step.Name, outcome: 'if' });
        visit(branchSteps(step, 'ElseSteps'), { condition: step.Name, outcome: 'else' });
      }
    }
  };
  visit(definition.Steps);
  const known = new Set(nodes.map((node) => node.name));
  const valid = [...edges.values()].filter((edge) => known.has(edge.from) && known.has(edge.to));
  return { nodes, edges: transitiveReduction(valid) };
}

function transitiveReduction(edges: readonly GraphEdge[]): GraphEdge[] {
  const successors = new Map<string, string[]>();
  for (const edge of edges) successors.set(edge.from, [...(successors.get(edge.from) ?? []), edge.to]);
  const reachableWithout = (from: string, to: string, skipped: GraphEdge): boolean => {
    const seen = new Set<string>();
    const stack = (successors.get(from) ?? []).filter((next) => !(from === skipped.from && next === skipped.to));
    while (stack.length > 0) {
      const node = stack.pop() as string;
      if (node === to) return true;
      if (seen.has(node)) continue;
      seen.add(node);
      stack.push(...(successors.get(node) ?? []));
    }
    return false;
  };
  // Branch edges stay: they carry the if/else the reader needs, even where data also flows.
  return edges.filter((edge) => edge.label !== undefined || !reachableWithout(edge.from, edge.to, edge));
}
