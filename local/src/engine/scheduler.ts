/**
 * Scheduling decisions for one execution, as pure functions over the step graph and the steps' states.
 * The executor asks `planNext` after every change and starts what it says.
 */

export type NodeStatus = 'pending' | 'running' | 'succeeded' | 'failed' | 'stopped' | 'skipped';

export interface GraphNode {
  readonly name: string;
  readonly upstream: readonly string[];
  readonly branch?: { readonly condition: string; readonly outcome: boolean };
}

export interface NodeState {
  readonly status: NodeStatus;
  /** A succeeded Condition step's outcome. */
  readonly outcome?: boolean;
}

export interface PlanOptions {
  readonly maxParallel: number;
  /** After a failure or a stop request nothing new starts; running steps finish. */
  readonly halted: boolean;
}

export interface Plan {
  /** Steps to start now, in graph order, at most `maxParallel` minus those running. */
  readonly start: string[];
  /** Steps that will never run: in a branch not taken, or downstream of such a step. Not reported. */
  readonly skip: string[];
}

/** `nodes` must be in topological order (as parseDefinition returns them). */
export function planNext(
  nodes: readonly GraphNode[],
  states: ReadonlyMap<string, NodeState>,
  options: PlanOptions,
): Plan {
  const skipped = new Set<string>();
  const status = (name: string): NodeStatus =>
    skipped.has(name) ? 'skipped' : (states.get(name)?.status ?? 'pending');
  let running = 0;
  for (const state of states.values()) if (state.status === 'running') running += 1;
  const start: string[] = [];
  for (const node of nodes) {
    if (status(node.name) !== 'pending') continue;
    if (isUnreachable(node, status, states)) {
      skipped.add(node.name);
      continue;
    }
    const ready = node.upstream.every((upstream) => status(upstream) === 'succeeded');
    if (ready && !options.halted && running + start.length < options.maxParallel) start.push(node.name);
  }
  return { start, skip: [...skipped] };
}

function isUnreachable(
  node: GraphNode,
  status: (name: string) => NodeStatus,
  states: ReadonlyMap<string, NodeState>,
): boolean {
  if (node.upstream.some((upstream) => status(upstream) === 'skipped')) return true;
  if (!node.branch) return false;
  const condition = states.get(node.branch.condition);
  return condition?.status === 'succeeded' && condition.outcome !== node.branch.outcome;
}

/** The execution's final status once nothing runs and nothing can start. */
export function finalStatus(
  states: ReadonlyMap<string, NodeState>,
  stopRequested: boolean,
): 'Succeeded' | 'Failed' | 'Stopped' {
  if (stopRequested) return 'Stopped';
  for (const state of states.values()) if (state.status === 'failed' || state.status === 'stopped') return 'Failed';
  return 'Succeeded';
}
