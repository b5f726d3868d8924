/**
 * Reads every page of a List call, up to `limit` items: `fetch(token)` returns one page and the next token.
 * The limit keeps a console page bounded on an account with years of history.
 */
export async function allPages<T>(
  fetch: (
    nextToken: string | undefined,
  ) => Promise<{ items: readonly T[] | undefined; nextToken?: string | undefined }>,
  limit = 500,
): Promise<T[]> {
  const items: T[] = [];
  let token: string | undefined;
  do {
    const page = await fetch(token);
    items.push(...(page.items ?? []));
    token = page.nextToken;
  } while (token && items.length < limit);
  return items.slice(0, limit);
}

/** Runs `work` over `items` with at most `concurrency` at a time, keeping the order. */
export async function mapLimited<T, R>(
  items: readonly T[],
  concurrency: number,
  work: (item: T) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
  return results;
}

/** ISO-8601 of an SDK date, if any. */
export function iso(date: Date): string;
export function iso(date: Date | undefined): string | undefined;
export function iso(date: Date | undefined): string | undefined {
  return date ? date.toISOString() : undefined;
}
