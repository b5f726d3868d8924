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

/** The members every List operation shares, read and checked. */
export interface ListOptions<S extends string> {
  readonly createdAfter?: Date;
  readonly createdBefore?: Date;
  readonly sortBy: S;
  readonly descending: boolean;
  readonly maxResults: number;
  readonly nextToken: string | undefined;
}

/**
 * Reads the creation-time window, SortBy (one of `sortNames`, the first by default), SortOrder and
 * MaxResults/NextToken.
 */
export function listOptions<S extends string>(
  input: Input,
  query: {
    readonly window: readonly [after: string, before: string];
    readonly sortNames: readonly [S, ...S[]];
    readonly defaultOrder: 'Ascending' | 'Descending';
    readonly defaultMax?: number;
  },
): ListOptions<S> {
  const createdAfter = input.optionalTimestamp(query.window[0]);
  const createdBefore = input.optionalTimestamp(query.window[1]);
  const sortBy = (input.optionalString('SortBy', { oneOf: query.sortNames }) ?? query.sortNames[0]) as S;
  const descending = input.sortOrder(query.defaultOrder) === 'Descending';
  const page = input.page(query.defaultMax);
  return {
    ...(createdAfter ? { createdAfter } : {}),
    ...(createdBefore ? { createdBefore } : {}),
    sortBy,
    descending,
    ...page,
  };
}

/**
 * The common tail of List operations over short in-memory lists: the creation-time window, SortBy/SortOrder
 * and MaxResults/NextToken, applied to already-filtered items.
 */
export function listPage<T>(
  input: Input,
  items: readonly T[],
  query: ListQuery<T>,
): { items: T[]; nextToken: string | undefined } {
  const sortNames = Object.keys(query.sortKeys) as [string, ...string[]];
  const options = listOptions(input, { window: query.window, sortNames, defaultOrder: query.defaultOrder });
  const { createdAfter: after, createdBefore: before } = options;
  const key = query.sortKeys[options.sortBy]!;
  const sign = options.descending ? -1 : 1;
  const sorted = items
    .filter((item) => {
      const time = query.created(item).getTime();
      return (!after || time > after.getTime()) && (!before || time < before.getTime());
    })
    .map((item, index) => ({ item, index, value: key(item) }))
    .sort((a, b) => (a.value < b.value ? -sign : a.value > b.value ? sign : a.index - b.index))
    .map((entry) => entry.item);
  return paginate(sorted, options, input.operation);
}
