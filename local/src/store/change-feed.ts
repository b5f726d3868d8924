/**
 * What changed in the store, by resource: the console's live view (server-sent events) listens here instead
 * of polling the database. A change names what to read again, never the new state: the database stays the
 * one record of truth.
 */
export type StoreChange =
  | { readonly kind: 'pipeline'; readonly name: string }
  | { readonly kind: 'execution'; readonly arn: string; readonly pipelineName?: string }
  | { readonly kind: 'step'; readonly executionArn: string; readonly stepName: string }
  | { readonly kind: 'job'; readonly name: string }
  | { readonly kind: 'model-package'; readonly arn?: string; readonly groupName: string }
  | { readonly kind: 'endpoint'; readonly name: string };

export type StoreChangeListener = (changes: readonly StoreChange[]) => void;

/**
 * Collects the changes the repositories report and hands them to listeners in one batch on the next
 * microtask. better-sqlite3 transactions are synchronous, so by then the transaction that made a change has
 * committed (or rolled back: a listener then reads the unchanged state, which is harmless).
 */
export class ChangeFeed {
  private readonly listeners = new Set<StoreChangeListener>();
  private pending: StoreChange[] = [];

  notify(change: StoreChange): void {
    if (this.listeners.size === 0) return;
    this.pending.push(change);
    if (this.pending.length === 1) queueMicrotask(() => this.flush());
  }

  /** Returns the function that stops listening. */
  subscribe(listener: StoreChangeListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private flush(): void {
    const batch = this.pending;
    this.pending = [];
    for (const listener of this.listeners) {
      try {
        listener(batch);
      } catch {
        // A listener's failure is its own: the write it reports has happened, and other listeners still hear.
      }
    }
  }
}
