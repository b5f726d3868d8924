/**
 * The local server's scheduler for recurring work (the drift check of every endpoint, as SageMaker's
 * monitoring schedule or EventBridge Scheduler would run it on AWS): runs a task every `everyMs`, never two
 * runs at once (a run that takes longer than the period delays the next one instead of overlapping it), and
 * reports a failed run to `onError` without stopping the schedule.
 */
export interface PeriodicTaskOptions {
  readonly everyMs: number;
  readonly task: () => Promise<void>;
  readonly onError: (error: unknown) => void;
}

export class PeriodicTask {
  private timer?: NodeJS.Timeout;
  private running?: Promise<void> | undefined;
  private stopped = false;

  constructor(private readonly options: PeriodicTaskOptions) {
    if (!Number.isFinite(options.everyMs) || options.everyMs < 1000) {
      throw new RangeError(`a periodic task's period must be at least 1000 ms, got ${options.everyMs}`);
    }
  }

  start(): this {
    this.schedule();
    return this;
  }

  /** Runs the task now (or waits for the run in progress), as an on-demand run between scheduled ones. */
  runNow(): Promise<void> {
    this.running ??= this.options
      .task()
      .catch(this.options.onError)
      .finally(() => {
        this.running = undefined;
      });
    return this.running;
  }

  /** Stops the schedule and waits for a run in progress. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      void this.runNow().then(() => this.schedule());
    }, this.options.everyMs);
    // A schedule alone does not keep the process alive: the server does.
    this.timer.unref();
  }
}
