import { CSRF_HEADER } from '../../src/views.js';

/** A signed-in client of the console's API over real HTTP, as the page is (cookie, Origin, console header). */
export interface ConsoleClient {
  readonly cookie: string;
  get<T>(path: string, query?: Record<string, string>): Promise<{ status: number; body: T }>;
  post<T>(path: string, body: unknown, headers?: Record<string, string>): Promise<{ status: number; body: T }>;
}

/** Follows the token link: the answer sets the session cookie and sends the browser to /studio/. */
export async function signIn(serverUrl: string, token: string): Promise<ConsoleClient> {
  const answer = await fetch(`${serverUrl}/studio/?token=${encodeURIComponent(token)}`, { redirect: 'manual' });
  if (answer.status !== 303) throw new Error(`signing in answered ${answer.status}`);
  const cookie = (answer.headers.get('set-cookie') ?? '').split(';')[0]!;
  const origin = serverUrl;
  return {
    cookie,
    async get<T>(path: string, query: Record<string, string> = {}) {
      const search = new URLSearchParams(query).toString();
      const response = await fetch(`${serverUrl}/studio/api/${path}${search ? `?${search}` : ''}`, {
        headers: { cookie },
      });
      return { status: response.status, body: (await response.json()) as T };
    },
    async post<T>(path: string, body: unknown, headers: Record<string, string> = {}) {
      const response = await fetch(`${serverUrl}/studio/api/${path}`, {
        method: 'POST',
        headers: { cookie, origin, 'content-type': 'application/json', [CSRF_HEADER]: '1', ...headers },
        body: JSON.stringify(body),
      });
      return { status: response.status, body: (await response.json()) as T };
    },
  };
}

/** Reads server-sent events until `until` says stop (or the time runs out); resolves with every event read. */
export async function readEvents(
  url: string,
  cookie: string,
  until: (events: readonly { event: string; data: string }[]) => boolean,
  timeoutMs = 15_000,
  afterConnect?: () => Promise<unknown>,
): Promise<{ event: string; data: string }[]> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  const events: { event: string; data: string }[] = [];
  try {
    const response = await fetch(url, { headers: { cookie }, signal: controller.signal });
    if (!response.ok || !response.body) throw new Error(`the stream answered ${response.status}`);
    const reader = response.body.getReader();
    const decoder = new TextDecoder();
    let buffer = '';
    let connected = false;
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      buffer += decoder.decode(value, { stream: true });
      let end: number;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const event = /^event: (.*)$/m.exec(block)?.[1] ?? 'message';
        const data = block
          .split('\n')
          .filter((line) => line.startsWith('data: '))
          .map((line) => line.slice(6))
          .join('\n');
        if (!block.startsWith(':')) events.push({ event, data });
      }
      if (!connected && events.length > 0 && afterConnect) {
        connected = true;
        void afterConnect();
      }
      if (until(events)) break;
    }
    controller.abort();
    return events;
  } catch (error) {
    if (controller.signal.aborted) return events;
    throw error;
  } finally {
    clearTimeout(timer);
  }
}
