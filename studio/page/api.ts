import { CSRF_HEADER, type ApiErrorBody } from '../src/views.js';

/** An answer of the console's API that is not a success, with the server's message. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

const BASE = '/studio/api/';

function url(path: string, query: Readonly<Record<string, string | undefined>> = {}): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) if (value !== undefined) search.set(key, value);
  const text = search.toString();
  return `${BASE}${path}${text ? `?${text}` : ''}`;
}

async function answer<T>(response: Response): Promise<T> {
  const text = await response.text();
  let body: unknown;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    body = undefined;
  }
  if (!response.ok) {
    const error = (body as ApiErrorBody | undefined)?.error;
    if (response.status === 401) location.reload();
    throw new ApiError(response.status, error?.code ?? String(response.status), error?.message ?? text.slice(0, 300));
  }
  return body as T;
}

export async function getJson<T>(path: string, query?: Readonly<Record<string, string | undefined>>): Promise<T> {
  return answer<T>(
    await fetch(url(path, query), { credentials: 'same-origin', headers: { accept: 'application/json' } }),
  );
}

/** A state-changing call: the console's own header proves it comes from this page. */
export async function postJson<T>(path: string, body: unknown): Promise<T> {
  return answer<T>(
    await fetch(url(path), {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'content-type': 'application/json', [CSRF_HEADER]: '1' },
      body: JSON.stringify(body),
    }),
  );
}

/** InvokeEndpoint through the console: the model's answer as it is, timed in the browser. */
export async function invokeEndpoint(
  name: string,
  body: string,
): Promise<{ status: number; text: string; ms: number; variant?: string }> {
  const started = performance.now();
  const response = await fetch(url('endpoint/invoke', { name }), {
    method: 'POST',
    credentials: 'same-origin',
    headers: { 'content-type': 'application/json', accept: 'application/json', [CSRF_HEADER]: '1' },
    body,
  });
  const text = await response.text();
  const variant = response.headers.get('x-amzn-invoked-production-variant') ?? undefined;
  return { status: response.status, text, ms: performance.now() - started, ...(variant ? { variant } : {}) };
}

export function apiUrl(path: string, query: Readonly<Record<string, string | undefined>>): string {
  return url(path, query);
}
