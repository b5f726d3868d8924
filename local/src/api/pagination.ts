import { createHash } from 'node:crypto';
import { validationException } from '../server/service-error.js';
import type { SqlValue } from '../store/keyset.js';

/**
 * Offset pagination with opaque tokens, for short in-memory lists. A token names the operation it came from,
 * so one operation's token passed to another is refused instead of silently skipping items.
 */
export function paginate<T>(
  items: readonly T[],
  page: { maxResults: number; nextToken: string | undefined },
  operation: string,
): { items: T[]; nextToken: string | undefined } {
  const start = page.nextToken === undefined ? 0 : decodeOffsetToken(page.nextToken, operation);
  const slice = items.slice(start, start + page.maxResults);
  const next = start + slice.length;
  return { items: slice, nextToken: next < items.length ? encode({ o: operation, i: next }) : undefined };
}

/**
 * The NextToken of a keyset page: the operation, a fingerprint of the query it pages through (filters and
 * order) and the key of the last item returned. The same position always gives the same token, and a token
 * stays valid however the listing grows meanwhile: the next page starts after that key.
 */
export function keysetToken(operation: string, query: unknown, key: readonly SqlValue[]): string {
  return encode({ o: operation, q: fingerprint(query), k: key });
}

/** The key a keyset NextToken carries; undefined without a token. Refuses another operation's or query's token. */
export function keyFromToken(token: string | undefined, operation: string, query: unknown): SqlValue[] | undefined {
  if (token === undefined) return undefined;
  const parsed = decode(token, operation);
  const key = parsed['k'];
  if (parsed['o'] !== operation || !Array.isArray(key) || !key.every(isSqlValue)) throw notOurs(operation);
  if (parsed['q'] !== fingerprint(query)) {
    throw validationException(
      `${operation}: NextToken belongs to a request with other filters, SortBy or SortOrder; repeat that request ` +
        'with the token, or start again without it',
    );
  }
  return key;
}

function decodeOffsetToken(token: string, operation: string): number {
  const parsed = decode(token, operation);
  const offset = parsed['i'];
  if (parsed['o'] === operation && typeof offset === 'number' && Number.isInteger(offset) && offset >= 0) return offset;
  throw notOurs(operation);
}

function encode(token: object): string {
  return Buffer.from(JSON.stringify(token)).toString('base64url');
}

function decode(token: string, operation: string): Record<string, unknown> {
  try {
    const parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as unknown;
    if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed))
      return parsed as Record<string, unknown>;
  } catch {
    // fall through to the error below
  }
  throw notOurs(operation);
}

function notOurs(operation: string): Error {
  return validationException(`${operation}: NextToken is not a token this operation returned; start again without it`);
}

function fingerprint(query: unknown): string {
  return createHash('sha256').update(JSON.stringify(query)).digest('base64url').slice(0, 16);
}

function isSqlValue(value: unknown): value is SqlValue {
  return value === null || typeof value === 'string' || typeof value === 'number';
}
