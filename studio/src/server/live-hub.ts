import type { ServerResponse } from 'node:http';
import type { StudioBackend } from '../backend/studio-backend.js';
import type { LiveTopic } from '../views.js';

/** A comment line keeps idle connections (and proxies) from timing the stream out. */
const HEARTBEAT_MS = 15_000;

/**
 * The console's server-sent events: each connected page hears which views changed (a step's status, a
 * version's approval, an endpoint, a deploy run), batched per tick and de-duplicated, and reads them again.
 * The backend is listened to only while a page is connected. A backend without a change feed (AWS) makes
 * the hub send `refresh` every `refreshSeconds` instead.
 */
export class LiveHub {
  private readonly clients = new Set<ServerResponse>();
  private pending = new Map<string, LiveTopic>();
  private unsubscribe: (() => void) | undefined;
  private timer: NodeJS.Timeout | undefined;
  private heartbeat: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(
    private readonly backend: StudioBackend,
    private readonly refreshSeconds: number,
  ) {}

  attach(response: ServerResponse): void {
    if (this.closed) {
      response.writeHead(503).end();
      return;
    }
    response.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      'x-accel-buffering': 'no',
    });
    response.write(`retry: 1000\nevent: hello\ndata: {}\n\n`);
    this.clients.add(response);
    response.once('close', () => {
      this.clients.delete(response);
      if (this.clients.size === 0) this.stopListening();
    });
    if (this.clients.size === 1) this.startListening();
  }

  /** Ends every stream (the server is closing). */
  close(): void {
    this.closed = true;
    this.stopListening();
    for (const client of this.clients) client.end();
    this.clients.clear();
  }

  private startListening(): void {
    if (this.backend.subscribe) {
      this.unsubscribe = this.backend.subscribe((topics) => this.queue(topics));
    } else {
      this.timer = setInterval(() => this.queue([{ topic: 'refresh' }]), this.refreshSeconds * 1000);
    }
    this.heartbeat = setInterval(() => {
      for (const client of this.clients) client.write(': keep-alive\n\n');
    }, HEARTBEAT_MS);
  }

  private stopListening(): void {
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    clearInterval(this.timer);
    clearInterval(this.heartbeat);
  }

  private queue(topics: readonly LiveTopic[]): void {
    if (topics.length === 0) return;
    const first = this.pending.size === 0;
    for (const topic of topics) this.pending.set(JSON.stringify(topic), topic);
    if (first) setImmediate(() => this.flush());
  }

  private flush(): void {
    const topics = [...this.pending.values()];
    this.pending = new Map();
    if (topics.length === 0) return;
    const message = `event: change\ndata: ${JSON.stringify(topics)}\n\n`;
    for (const client of this.clients) client.write(message);
  }
}
