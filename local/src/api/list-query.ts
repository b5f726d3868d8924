import type { Input } from './input.js';
import { paginate } from './pagination.js';

export interface ListQuery<T> {
  /** Members naming the creation-time window, e.g. CreatedAfter/CreatedBefore or CreationTimeAfter/...Before. */
  readonly window: readonly [after: string, before: string];
  readonly created: (item: T) => Date;
  /** SortBy values and the key each sorts on; the first is the default. */
  readonly sortKeys: Readonly<Record<string, (item: T) => string | number>>;
  readonly defaultOrder: 'Ascending' | 'Descending';
}

/**
 * The common tail of every List operation: the creation-time window, SortBy/SortOrder and
 * MaxResults/NextToken, applied to already-filtered items.
 */
export function listPage<T>(
  input: Input,
  items: readonly T[],
  query: ListQuery<T>,
): { items: T[]; nextToken: string | undefined } {
  const after = input.optionalTimestamp(query.window[0]);
  const before = input.optionalTimestamp(query.window[1]);
  const sortNames = Object.keys(query.sortKeys);
  const sort = input.optionalString('SortBy', { oneOf: sortNames }) ?? sortNames[0]!;
  const order = input.sortOrder(query.defaultOrder);
  const page = input.page();
  const key = query.sortKeys[sort]!;
  const sign = order === 'Ascending' ? 1 : -1;
  const sorted = items
    .filter((item) => {
      const time = query.created(item).getTime();
      return (!after || time > after.getTime()) && (!before || time < before.getTime());
    })
    .map((item, index) => ({ item, index, value: key(item) }))
    .sort((a, b) => (a.value < b.value ? -sign : a.value > b.value ? sign : a.index - b.index))
    .map((entry) => entry.item);
  return paginate(sorted, page, input.operation);
}
