/** The page's places, in the address's hash (`#/pipelines/NAME`, `#/execution?arn=…`): reloadable, linkable. */
export interface Route {
  readonly path: readonly string[];
  readonly query: URLSearchParams;
}

export function parseRoute(hash: string): Route {
  const text = hash.replace(/^#/, '');
  const [pathPart = '', queryPart = ''] = text.split('?', 2) as [string?, string?];
  const path = pathPart
    .split('/')
    .filter((segment) => segment !== '')
    .map((segment) => decodeURIComponent(segment));
  return { path, query: new URLSearchParams(queryPart) };
}

/** A hash link: path segments encoded, query from an object (undefined values left out). */
export function href(path: readonly string[], query: Readonly<Record<string, string | undefined>> = {}): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) if (value !== undefined) search.set(key, value);
  const text = search.toString();
  return `#/${path.map((segment) => encodeURIComponent(segment)).join('/')}${text ? `?${text}` : ''}`;
}
