import type { ComponentChildren } from 'preact';
import { useState } from 'preact/hooks';
import { statusClass } from '../format.js';

export function Status({ value }: { value: string | undefined }) {
  return <span class={`status ${statusClass(value)}`}>{value ?? '—'}</span>;
}

export function Problem({ error }: { error: Error | string }) {
  return (
    <div class="problem" role="alert">
      {typeof error === 'string' ? error : error.message}
    </div>
  );
}

export function Loading() {
  return <p class="muted">Loading…</p>;
}

export function Section({
  title,
  children,
  actions,
}: {
  title: string;
  children: ComponentChildren;
  actions?: ComponentChildren;
}) {
  return (
    <section class="card">
      <header class="card-head">
        <h2>{title}</h2>
        {actions ? <div class="actions">{actions}</div> : null}
      </header>
      {children}
    </section>
  );
}

/** A JSON value, folded beyond the first levels so a large Describe response stays readable. */
export function JsonView({ value, open = 2 }: { value: unknown; open?: number }) {
  return (
    <pre class="json">
      <JsonNode value={value} depth={0} open={open} />
    </pre>
  );
}

function JsonNode({ value, depth, open }: { value: unknown; depth: number; open: number }) {
  const [expanded, setExpanded] = useState(depth < open);
  if (value === null || typeof value !== 'object') {
    return <span class={`json-${value === null ? 'null' : typeof value}`}>{JSON.stringify(value)}</span>;
  }
  const entries = Array.isArray(value)
    ? value.map((item, index) => [String(index), item] as const)
    : Object.entries(value);
  const [left, right] = Array.isArray(value) ? ['[', ']'] : ['{', '}'];
  if (entries.length === 0) return <span>{left + right}</span>;
  if (!expanded) {
    return (
      <button class="json-fold" onClick={() => setExpanded(true)}>
        {left}… {entries.length} {right}
      </button>
    );
  }
  const pad = '  '.repeat(depth + 1);
  return (
    <span>
      <button class="json-fold" onClick={() => setExpanded(false)}>
        {left}
      </button>
      {'\n'}
      {entries.map(([key, child], index) => (
        <span key={key}>
          {pad}
          {Array.isArray(value) ? null : <span class="json-key">{JSON.stringify(key)}: </span>}
          <JsonNode value={child} depth={depth + 1} open={open} />
          {index < entries.length - 1 ? ',' : ''}
          {'\n'}
        </span>
      ))}
      {'  '.repeat(depth)}
      {right}
    </span>
  );
}

export interface Column<T> {
  readonly key: string;
  readonly title: string;
  readonly render: (row: T) => ComponentChildren;
  /** Sortable when given. */
  readonly sortValue?: (row: T) => number | string | undefined;
  readonly numeric?: boolean;
}

/** A table whose sortable columns sort on a click (again: the other way). */
export function SortableTable<T>({
  rows,
  columns,
  rowKey,
  initialSort,
  testId,
}: {
  rows: readonly T[];
  columns: readonly Column<T>[];
  rowKey: (row: T) => string;
  initialSort?: { key: string; descending: boolean };
  testId?: string;
}) {
  const [sort, setSort] = useState(initialSort);
  const column = columns.find((candidate) => candidate.key === sort?.key);
  const sorted = column?.sortValue
    ? [...rows].sort((a, b) => {
        const [x, y] = [column.sortValue!(a), column.sortValue!(b)];
        if (x === y) return 0;
        if (x === undefined) return 1;
        if (y === undefined) return -1;
        return (x < y ? -1 : 1) * (sort?.descending ? -1 : 1);
      })
    : rows;
  return (
    <table class="table" data-testid={testId}>
      <thead>
        <tr>
          {columns.map((candidate) => (
            <th key={candidate.key} class={candidate.numeric ? 'num' : ''}>
              {candidate.sortValue ? (
                <button
                  class="sort"
                  aria-sort={sort?.key === candidate.key ? (sort.descending ? 'descending' : 'ascending') : 'none'}
                  onClick={() =>
                    setSort({ key: candidate.key, descending: sort?.key === candidate.key ? !sort.descending : true })
                  }
                >
                  {candidate.title}
                  {sort?.key === candidate.key ? (sort.descending ? ' ▾' : ' ▴') : ''}
                </button>
              ) : (
                candidate.title
              )}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {sorted.map((row) => (
          <tr key={rowKey(row)}>
            {columns.map((candidate) => (
              <td key={candidate.key} class={candidate.numeric ? 'num' : ''}>
                {candidate.render(row)}
              </td>
            ))}
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** A link that leaves the console (GitHub, the AWS console): never with the page as its opener or referrer. */
export function External({ href, children }: { href: string; children: ComponentChildren }) {
  return (
    <a href={href} target="_blank" rel="noopener noreferrer">
      {children}
    </a>
  );
}
