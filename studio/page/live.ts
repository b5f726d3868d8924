import type { LiveTopic } from '../src/views.js';

type Listener = (topics: readonly LiveTopic[]) => void;

/**
 * One event stream for the page (`/studio/api/events`): views subscribe to the topics they draw and read
 * again when one changes. The browser reconnects a dropped stream by itself; after a reconnect every view
 * reads again, since changes may have been missed meanwhile.
 */
class LiveFeed {
  private readonly listeners = new Set<Listener>();
  private source: EventSource | undefined;
  private connected = false;
  private readonly statusListeners = new Set<(connected: boolean) => void>();

  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    this.open();
    return () => this.listeners.delete(listener);
  }

  onStatus(listener: (connected: boolean) => void): () => void {
    this.statusListeners.add(listener);
    listener(this.connected);
    return () => this.statusListeners.delete(listener);
  }

  private open(): void {
    if (this.source) return;
    const source = new EventSource('/studio/api/events');
    this.source = source;
    let seenHello = false;
    source.addEventListener('hello', () => {
      const reconnect = seenHello;
      seenHello = true;
      this.setConnected(true);
      if (reconnect) this.emit([{ topic: 'refresh' }]);
    });
    source.addEventListener('change', (event) => {
      this.emit(JSON.parse((event as MessageEvent<string>).data) as LiveTopic[]);
    });
    source.addEventListener('error', () => this.setConnected(false));
  }

  private emit(topics: readonly LiveTopic[]): void {
    for (const listener of this.listeners) listener(topics);
  }

  private setConnected(connected: boolean): void {
    this.connected = connected;
    for (const listener of this.statusListeners) listener(connected);
  }
}

export const live = new LiveFeed();

/** Whether any of `topics` concerns a view that `matches` (a `refresh` concerns every view). */
export function concerns(topics: readonly LiveTopic[], matches: (topic: LiveTopic) => boolean): boolean {
  return topics.some((topic) => topic.topic === 'refresh' || matches(topic));
}
