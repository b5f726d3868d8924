import { validationException } from '../server/service-error.js';

/**
 * Offset pagination with opaque tokens. A token names the operation it came from, so one operation's token
 * passed to another is refused instead of silently skipping items.
 */
export function paginate<T>(
  items: readonly T[],
  page: { maxResults: number; nextToken: string | undefined },
  operation: string,
): { items: T[]; nextToken: string | undefined } {
  const start = page.nextToken === undefined ? 0 : decodeToken(page.nextToken, operation);
  const slice = items.slice(start, start + page.maxResults);
  const next = start + slice.length;
  return { items: slice, nextToken: next < items.length ? encodeToken(next, operation) : undefined };
}

function encodeToken(offset: number, operation: string): string {
  return Buffer.from(JSON.stringify({ o: operation, i: offset })).toString('base64url');
}

function decodeToken(token: string, operation: string): number {
  try {
    const parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as { o?: unknown; i?: unknown };
    if (parsed.o === operation && typeof parsed.i === 'number' && Number.isInteger(parsed.i) && parsed.i >= 0) {
      return parsed.i;
    }
  } catch {
    // fall through to the error below
  }
  throw validationException(`${operation}: NextToken is not a token this operation returned; start again without it`);
}
