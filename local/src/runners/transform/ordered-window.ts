/**
 * Requests in flight, answered in the order they were sent (a transform's output keeps its input's order). A
 * request that fails while nobody awaits it yet (the next batch is still being read) must not be an unhandled
 * rejection, which would end the server's process: each promise gets a handler when it enters, and its failure
 * comes out when `next()` reaches it.
 */
export class OrderedWindow<T> {
  private readonly pending: Promise<T>[] = [];

  get size(): number {
    return this.pending.length;
  }

  push(promise: Promise<T>): void {
    promise.catch(() => undefined);
    this.pending.push(promise);
  }

  /** The oldest request's answer (or its failure). */
  next(): Promise<T> {
    const oldest = this.pending.shift();
    if (!oldest) throw new Error('OrderedWindow.next() with no request in flight');
    return oldest;
  }

  /** Waits for every request still in flight, whatever their outcome. */
  async settle(): Promise<void> {
    await Promise.allSettled(this.pending.splice(0));
  }
}
