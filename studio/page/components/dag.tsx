import { useEffect, useMemo, useState } from 'preact/hooks';
import type { ExecutionView, StepView } from '../../src/views.js';
import { edgePath, layoutDag, NODE_HEIGHT } from '../dag-layout.js';
import { formatDuration } from '../format.js';

const STATUS_CLASS: Record<string, string> = {
  Succeeded: 'good',
  Failed: 'bad',
  Stopped: 'bad',
  Executing: 'busy',
  Starting: 'busy',
  Stopping: 'busy',
  NotRun: 'notrun',
};

/** What a step's box says under its name: duration, cache hit, retries, a condition's outcome. */
function stepNote(step: StepView | undefined): string {
  if (!step || step.status === 'NotRun') return 'not run';
  const parts: string[] = [];
  if (step.outcome) parts.push(`→ ${step.outcome === 'True' ? 'if' : 'else'}`);
  if (step.cacheHitFrom) parts.push('cache hit');
  else if (step.durationMs !== undefined) parts.push(formatDuration(step.durationMs));
  if ((step.attempts ?? 1) > 1) parts.push(`${step.attempts} attempts`);
  return parts.join(' · ') || step.status;
}

/**
 * The execution's DAG: laid out once per graph (dagre), repainted on every status change. A condition's
 * branch not taken, and every step not run, is drawn faint and dashed.
 */
export function Dag({
  graph,
  steps,
  selected,
  onSelect,
}: {
  graph: ExecutionView['graph'];
  steps: readonly StepView[];
  selected?: string | undefined;
  onSelect: (name: string) => void;
}) {
  const signature = useMemo(
    () => JSON.stringify([graph.nodes.map((node) => node.name), graph.edges.map((edge) => [edge.from, edge.to])]),
    [graph],
  );
  // Marks for the benchmark and for anyone profiling: laying out and drawing a new graph (`studio:dag`).
  const placed = useMemo(() => {
    performance.mark('studio:dag-start');
    return layoutDag(graph.nodes, graph.edges);
  }, [signature]);
  useEffect(() => {
    // After the next frame the drawing is on the screen.
    requestAnimationFrame(() =>
      setTimeout(() => {
        performance.mark('studio:dag-drawn');
        performance.measure('studio:dag', 'studio:dag-start', 'studio:dag-drawn');
      }),
    );
  }, [placed]);
  const [fit, setFit] = useState(true);
  const byName = useMemo(() => new Map(steps.map((step) => [step.name, step])), [steps]);
  const taken = (from: string, label: 'if' | 'else' | undefined): boolean | undefined => {
    if (!label) return undefined;
    const outcome = byName.get(from)?.outcome;
    if (!outcome) return undefined;
    return (outcome === 'True') === (label === 'if');
  };
  return (
    <div class="dag-frame">
      <div class="dag-tools">
        <button class="small" onClick={() => setFit(!fit)}>
          {fit ? 'Actual size' : 'Fit'}
        </button>
        <span class="muted">{graph.nodes.length} steps</span>
      </div>
      <div class={`dag-scroll ${fit ? 'fit' : ''}`}>
        <svg
          class="dag"
          data-testid="dag"
          width={fit ? '100%' : placed.width}
          height={fit ? undefined : placed.height}
          style={fit ? { maxWidth: `${placed.width}px` } : undefined}
          viewBox={`0 0 ${placed.width} ${placed.height}`}
          role="img"
          aria-label="pipeline steps"
        >
          <defs>
            <marker id="arrow" viewBox="0 0 8 8" refX="7" refY="4" markerWidth="7" markerHeight="7" orient="auto">
              <path d="M0,0 L8,4 L0,8 z" class="arrowhead" />
            </marker>
          </defs>
          <g class="edges">
            {placed.edges.map((edge) => {
              const state = taken(edge.from, edge.label);
              const points = edge.points;
              const middle = points[Math.floor(points.length / 2)];
              return (
                <g
                  key={`${edge.from}>${edge.to}`}
                  class={`edge ${state === false ? 'not-taken' : ''} ${state ? 'taken' : ''}`}
                >
                  <path d={edgePath(points)} marker-end="url(#arrow)" />
                  {edge.label && middle ? (
                    <text x={middle.x} y={middle.y - 4} class="edge-label" text-anchor="middle">
                      {edge.label}
                    </text>
                  ) : null}
                </g>
              );
            })}
          </g>
          <g class="nodes">
            {placed.nodes.map((node) => {
              const step = byName.get(node.name);
              const status = step?.status ?? 'NotRun';
              return (
                <g
                  key={node.name}
                  class={`node ${STATUS_CLASS[status] ?? 'idle'} ${selected === node.name ? 'selected' : ''} ${step?.cacheHitFrom ? 'cached' : ''}`}
                  transform={`translate(${node.x - node.width / 2},${node.y - node.height / 2})`}
                  data-step={node.name}
                  data-status={status}
                  tabIndex={0}
                  role="button"
                  aria-label={`${node.name}: ${status}`}
                  onClick={() => onSelect(node.name)}
                  onKeyDown={(event) => {
                    if (event.key === 'Enter' || event.key === ' ') onSelect(node.name);
                  }}
                >
                  <title>{`${node.name} (${node.type}): ${status}${step?.failureReason ? `\n${step.failureReason}` : ''}`}</title>
                  <rect width={node.width} height={NODE_HEIGHT} rx="8" />
                  <circle cx="14" cy={NODE_HEIGHT / 2} r="5" class="dot" />
                  <text x="26" y="18" class="node-name">
                    {node.name}
                  </text>
                  <text x="26" y="34" class="node-note">
                    {node.type} · {stepNote(step)}
                  </text>
                </g>
              );
            })}
          </g>
        </svg>
      </div>
    </div>
  );
}
