import { Graph, layout } from '@dagrejs/dagre';
import type { GraphEdgeView, GraphNodeView } from '../src/views.js';

/** A step's box on the canvas (its centre, as dagre gives it). */
export interface PlacedNode {
  readonly name: string;
  readonly type: string;
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

export interface PlacedEdge {
  readonly from: string;
  readonly to: string;
  readonly label?: 'if' | 'else';
  readonly points: readonly { readonly x: number; readonly y: number }[];
}

export interface DagLayout {
  readonly width: number;
  readonly height: number;
  readonly nodes: readonly PlacedNode[];
  readonly edges: readonly PlacedEdge[];
}

export const NODE_HEIGHT = 44;
/**
 * Above this many steps the layout trades a little tidiness for time: dagre's network-simplex ranking and its
 * repeated crossing-reduction sweeps take seconds on a 500-step graph with many wires (measured: 2–4 s on a
 * shared 2-core VM), tight-tree ranking with one sweep takes a fraction of that.
 */
export const LARGE_GRAPH = 150;
const MIN_WIDTH = 120;
const CHAR_WIDTH = 7.4;

/**
 * Wide enough for the step's name and, under it, its type with a duration (`Processing · 12.5 s`), in the
 * page's fonts (an estimate: measuring text would force a reflow per step).
 */
export function nodeWidth(name: string, type = ''): number {
  return Math.max(MIN_WIDTH, Math.round(name.length * CHAR_WIDTH) + 44, Math.round((type.length + 16) * 6.2) + 36);
}

/**
 * Lays the pipeline's DAG out left to right with dagre (layered, crossing-minimising). Pure: the same graph
 * always gives the same picture, so the page lays a graph out once and only repaints statuses.
 */
export function layoutDag(nodes: readonly GraphNodeView[], edges: readonly GraphEdgeView[]): DagLayout {
  const graph = new Graph({ multigraph: false });
  const large = nodes.length > LARGE_GRAPH;
  graph.setGraph({
    rankdir: 'LR',
    nodesep: 18,
    ranksep: 56,
    edgesep: 12,
    marginx: 12,
    marginy: 12,
    ranker: large ? 'tight-tree' : 'network-simplex',
  });
  graph.setDefaultEdgeLabel(() => ({}));
  for (const node of nodes) graph.setNode(node.name, { width: nodeWidth(node.name, node.type), height: NODE_HEIGHT });
  for (const edge of edges) {
    if (graph.hasNode(edge.from) && graph.hasNode(edge.to)) graph.setEdge(edge.from, edge.to, {});
  }
  layout(graph, { disableOptimalOrderHeuristic: large });
  const label = graph.graph() as { width?: number; height?: number };
  const labels = new Map(edges.map((edge) => [`${edge.from}\0${edge.to}`, edge.label]));
  return {
    width: Math.ceil(label.width ?? 0),
    height: Math.ceil(label.height ?? 0),
    nodes: nodes.map((node) => {
      const placed = graph.node(node.name) as { x: number; y: number; width: number; height: number };
      return { name: node.name, type: node.type, x: placed.x, y: placed.y, width: placed.width, height: placed.height };
    }),
    edges: graph.edges().map((edge: { v: string; w: string }) => {
      const placed = graph.edge(edge) as { points?: { x: number; y: number }[] };
      const edgeLabel = labels.get(`${edge.v}\0${edge.w}`);
      return {
        from: edge.v,
        to: edge.w,
        ...(edgeLabel ? { label: edgeLabel } : {}),
        points: placed.points ?? [],
      };
    }),
  };
}

/** An SVG path through dagre's edge points: straight first and last segments, smooth in between. */
export function edgePath(points: readonly { readonly x: number; readonly y: number }[]): string {
  if (points.length === 0) return '';
  const [first, ...rest] = points;
  if (rest.length === 0) return `M${first!.x},${first!.y}`;
  let path = `M${round(first!.x)},${round(first!.y)}`;
  for (let i = 0; i < rest.length - 1; i += 1) {
    const control = rest[i]!;
    const next = rest[i + 1]!;
    const mid = { x: (control.x + next.x) / 2, y: (control.y + next.y) / 2 };
    path += ` Q${round(control.x)},${round(control.y)} ${round(mid.x)},${round(mid.y)}`;
  }
  const last = rest[rest.length - 1]!;
  return `${path} L${round(last.x)},${round(last.y)}`;
}

function round(value: number): number {
  return Math.round(value * 10) / 10;
}
