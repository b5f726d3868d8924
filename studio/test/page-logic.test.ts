import { describe, expect, it } from '@jest/globals';
import { parseCsv } from '../page/csv.js';
import { edgePath, layoutDag, nodeWidth } from '../page/dag-layout.js';
import { formatDuration, formatMetric, latencySummary, packageLabel, statusClass } from '../page/format.js';
import { href, parseRoute } from '../page/router.js';
import type { GraphEdgeView, GraphNodeView } from '../src/views.js';

/** The page's pure parts: what it computes, checked without a browser. */

describe('layoutDag', () => {
  const nodes: GraphNodeView[] = ['Preprocess', 'Train', 'Evaluate', 'Check', 'Register', 'TooLow'].map((name) => ({
    name,
    type: 'Processing',
  }));
  const edges: GraphEdgeView[] = [
    { from: 'Preprocess', to: 'Train' },
    { from: 'Train', to: 'Evaluate' },
    { from: 'Evaluate', to: 'Check' },
    { from: 'Check', to: 'Register', label: 'if' },
    { from: 'Check', to: 'TooLow', label: 'else' },
  ];

  it('places every step left of the steps that depend on it, without overlaps', () => {
    const placed = layoutDag(nodes, edges);
    const at = new Map(placed.nodes.map((node) => [node.name, node]));
    for (const edge of edges) expect(at.get(edge.from)!.x).toBeLessThan(at.get(edge.to)!.x);
    for (const a of placed.nodes) {
      for (const b of placed.nodes) {
        if (a === b) continue;
        const apart =
          Math.abs(a.x - b.x) >= (a.width + b.width) / 2 || Math.abs(a.y - b.y) >= (a.height + b.height) / 2;
        expect(apart).toBe(true);
      }
    }
    expect(placed.width).toBeGreaterThan(0);
    expect(placed.edges.find((edge) => edge.to === 'TooLow')?.label).toBe('else');
    expect(placed.edges.every((edge) => edge.points.length >= 2)).toBe(true);
  });

  it('is the same picture for the same graph', () => {
    expect(layoutDag(nodes, edges)).toEqual(layoutDag(nodes, edges));
  });

  it('lays out 500 steps', () => {
    const many: GraphNodeView[] = Array.from({ length: 500 }, (_, i) => ({ name: `Step${i}`, type: 'Processing' }));
    const wires: GraphEdgeView[] = many
      .slice(1)
      .map((node, i) => ({ from: `Step${Math.floor(i / 3)}`, to: node.name }));
    const placed = layoutDag(many, wires);
    expect(placed.nodes).toHaveLength(500);
    expect(placed.edges).toHaveLength(499);
  });

  it('ignores an edge to a step that is not drawn', () => {
    expect(layoutDag(nodes.slice(0, 2), [{ from: 'Preprocess', to: 'Nowhere' }]).edges).toEqual([]);
  });

  it('makes boxes wide enough for long names, and paths through the points', () => {
    expect(nodeWidth('A')).toBe(135);
    expect(nodeWidth('A', 'RegisterModel')).toBeGreaterThan(nodeWidth('A', 'Fail'));
    expect(nodeWidth('A'.repeat(40), 'Fail')).toBeGreaterThan(300);
    expect(edgePath([])).toBe('');
    expect(
      edgePath([
        { x: 0, y: 0 },
        { x: 10, y: 0 },
      ]),
    ).toBe('M0,0 L10,0');
    expect(
      edgePath([
        { x: 0, y: 0 },
        { x: 5, y: 5 },
        { x: 10, y: 0 },
      ]),
    ).toBe('M0,0 Q5,5 7.5,2.5 L10,0');
  });
});

describe('format', () => {
  it('writes durations in the unit that reads best', () => {
    expect(formatDuration(undefined)).toBe('—');
    expect(formatDuration(12.4)).toBe('12 ms');
    expect(formatDuration(1500)).toBe('1.5 s');
    expect(formatDuration(42_000)).toBe('42 s');
    expect(formatDuration(125_000)).toBe('2 min 5 s');
    expect(formatDuration(3 * 3600_000 + 60_000)).toBe('3 h 1 min');
  });

  it('writes metrics with the precision their size needs', () => {
    expect(formatMetric(0.85572)).toBe('0.8557');
    expect(formatMetric(12.345)).toBe('12.35');
    expect(formatMetric(Number.NaN)).toBe('—');
  });

  it('groups statuses by meaning', () => {
    expect(statusClass('Succeeded')).toBe('good');
    expect(statusClass('Rejected')).toBe('bad');
    expect(statusClass('Executing')).toBe('busy');
    expect(statusClass('PendingManualApproval')).toBe('wait');
    expect(statusClass('NotRun')).toBe('idle');
  });

  it('names a model version by its group and number', () => {
    expect(packageLabel('arn:aws:sagemaker:us-east-1:000000000000:model-package/sentiment-models/12')).toBe(
      'sentiment-models v12',
    );
    expect(packageLabel('arn:aws:sagemaker:us-east-1:000000000000:model/x')).toBe('x');
  });

  it('summarises latencies by their median and 95th percentile', () => {
    expect(latencySummary([])).toEqual({});
    const values = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(latencySummary(values)).toEqual({ p50: 50, p95: 95 });
  });
});

describe('router', () => {
  it('reads paths and queries from the hash, and writes them back', () => {
    const arn = 'arn:aws:sagemaker:us-east-1:000000000000:pipeline/p/execution/abc';
    const link = href(['execution'], { arn, step: 'Train', nothing: undefined });
    const route = parseRoute(link);
    expect(route.path).toEqual(['execution']);
    expect(route.query.get('arn')).toBe(arn);
    expect(route.query.get('step')).toBe('Train');
    expect(route.query.has('nothing')).toBe(false);
    expect(parseRoute(href(['pipelines', 'a/b c'])).path).toEqual(['pipelines', 'a/b c']);
    expect(parseRoute('').path).toEqual([]);
  });
});

describe('parseCsv', () => {
  it('reads quoted fields, doubled quotes and newlines inside quotes', () => {
    expect(parseCsv('label,text\npositive,"great, really"\nnegative,"said ""no""\nthen left"\r\n', 10)).toEqual([
      ['label', 'text'],
      ['positive', 'great, really'],
      ['negative', 'said "no"\nthen left'],
    ]);
  });

  it('stops at the row limit and keeps a last line without a newline', () => {
    expect(parseCsv('a\nb\nc', 2)).toEqual([['a'], ['b']]);
    expect(parseCsv('a,b', 5)).toEqual([['a', 'b']]);
  });
});
