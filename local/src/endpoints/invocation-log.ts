/** One InvokeEndpoint as the server answered it. */
export interface InvocationRecord {
  readonly at: Date;
  /** From the request's arrival to the last byte of the answer: what CloudWatch's ModelLatency plus
   * OverheadLatency add up to. */
  readonly latencyMs: number;
  /** The HTTP status the caller got (200, or the runtime error's). */
  readonly status: number;
  /** The production variant that answered (`X-Amzn-Invoked-Production-Variant`), when one did. */
  readonly variant?: string;
}

/**
 * The most recent invocations of each endpoint, in memory: the local stand-in for the latency metrics
 * SageMaker sends to CloudWatch. Data capture keeps the payloads but, as on SageMaker, no timings.
 */
export class InvocationLog {
  private readonly byEndpoint = new Map<string, InvocationRecord[]>();
  private readonly listeners = new Set<(endpointName: string) => void>();

  /** @param limit how many invocations are kept per endpoint */
  constructor(private readonly limit = 500) {}

  record(endpointName: string, invocation: InvocationRecord): void {
    const key = endpointName.toLowerCase();
    const list = this.byEndpoint.get(key) ?? [];
    list.push(invocation);
    if (list.length > this.limit) list.splice(0, list.length - this.limit);
    this.byEndpoint.set(key, list);
    for (const listener of this.listeners) listener(endpointName);
  }

  /** The endpoint's recent invocations, oldest first. */
  recent(endpointName: string): readonly InvocationRecord[] {
    return [...(this.byEndpoint.get(endpointName.toLowerCase()) ?? [])];
  }

  forget(endpointName: string): void {
    this.byEndpoint.delete(endpointName.toLowerCase());
  }

  /** Called with the endpoint's name after each invocation; returns the function that stops listening. */
  onRecord(listener: (endpointName: string) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
