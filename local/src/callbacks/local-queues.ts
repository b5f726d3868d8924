import { createHash, randomUUID } from 'node:crypto';

/** One message as SQS's ReceiveMessage returns it. */
export interface QueueMessage {
  readonly MessageId: string;
  readonly ReceiptHandle: string;
  readonly MD5OfBody: string;
  readonly Body: string;
}

interface Stored {
  readonly id: string;
  readonly body: string;
  /** Epoch ms before which a received, undeleted message stays invisible. */
  visibleAt: number;
  receipt?: string;
}

/**
 * The local stand-in for the SQS queues Callback steps send their tokens to: one in-memory queue per queue name
 * (the last segment of a queue URL, so `https://sqs.<region>.amazonaws.com/<account>/<name>` and the local URL are
 * the same queue). Messages are received at least once: a received message that is not deleted within its
 * visibility timeout is received again. Nothing is kept across restarts, as the executions waiting on the tokens
 * are not resumed either.
 */
export class LocalQueues {
  private readonly queues = new Map<string, Stored[]>();
  private readonly waiters = new Map<string, Set<() => void>>();

  /** The queue's name from its URL (or a bare name). */
  static queueName(urlOrName: string): string {
    return urlOrName.replace(/\/+$/, '').split('/').pop() ?? urlOrName;
  }

  send(queue: string, body: string): string {
    const name = LocalQueues.queueName(queue);
    const id = randomUUID();
    const list = this.queues.get(name) ?? [];
    list.push({ id, body, visibleAt: 0 });
    this.queues.set(name, list);
    for (const wake of this.waiters.get(name) ?? []) wake();
    return id;
  }

  /** Up to `max` visible messages, waiting up to `waitSeconds` for one (long polling). */
  async receive(queue: string, max: number, waitSeconds: number, visibilitySeconds: number): Promise<QueueMessage[]> {
    const name = LocalQueues.queueName(queue);
    const deadline = Date.now() + waitSeconds * 1000;
    for (;;) {
      const now = Date.now();
      const visible = (this.queues.get(name) ?? []).filter((message) => message.visibleAt <= now).slice(0, max);
      if (visible.length > 0 || now >= deadline) {
        return visible.map((message) => {
          message.visibleAt = now + visibilitySeconds * 1000;
          message.receipt = `${message.id}:${randomUUID()}`;
          return {
            MessageId: message.id,
            ReceiptHandle: message.receipt,
            MD5OfBody: createHash('md5').update(message.body).digest('hex'),
            Body: message.body,
          };
        });
      }
      await this.nextSend(name, deadline - now);
    }
  }

  /** Deletes a received message; false when no message has this receipt handle. */
  delete(queue: string, receiptHandle: string): boolean {
    const name = LocalQueues.queueName(queue);
    const list = this.queues.get(name) ?? [];
    const index = list.findIndex((message) => message.receipt === receiptHandle);
    if (index < 0) return false;
    list.splice(index, 1);
    return true;
  }

  private nextSend(name: string, ms: number): Promise<void> {
    return new Promise((resolve) => {
      const set = this.waiters.get(name) ?? new Set<() => void>();
      this.waiters.set(name, set);
      const done = () => {
        clearTimeout(timer);
        set.delete(done);
        resolve();
      };
      const timer = setTimeout(done, Math.max(0, Math.min(ms, 1000)));
      set.add(done);
    });
  }
}
