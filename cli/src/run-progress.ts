import {
  arnTail,
  describeRunEvent,
  formatDuration,
  stepDuration,
  type RunEvent,
  type StepRecord,
} from '@slipway/build-pipeline';
import type { Output, Tone } from './output.js';

const SPINNER = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

const STEP_TONES: Record<string, Tone> = { Succeeded: 'good', Failed: 'bad', Stopped: 'warn', Stopping: 'warn' };

/**
 * Shows a run as it goes. On an interactive terminal the steps are a block of lines redrawn in place (a
 * spinner and a running clock on active steps); on CI or in a pipe every event is one plain line, the same
 * words the GitHub action logs.
 */
export class RunProgress {
  private readonly steps = new Map<string, StepRecord>();
  private drawn = 0;
  private frame = 0;
  private timer: NodeJS.Timeout | undefined;
  private uploadsSkipped = 0;

  constructor(private readonly output: Output) {}

  readonly handle = (event: RunEvent): void => {
    if (!this.output.interactive) {
      this.output.line(describeRunEvent(event), event.kind === 'warning' ? 'warn' : 'plain');
      return;
    }
    switch (event.kind) {
      case 'step':
        this.steps.set(event.step.name, event.step);
        this.redraw();
        this.tick();
        return;
      case 'asset':
        if (!event.uploaded) {
          this.uploadsSkipped += 1;
          return;
        }
        break;
      case 'status':
        if (event.status === 'Executing') return;
        this.redraw();
        break;
      case 'pipeline':
        if (this.uploadsSkipped > 0) this.say(`${this.uploadsSkipped} assets already in S3`, 'dim');
        break;
      default:
        break;
    }
    this.say(describeRunEvent(event), event.kind === 'warning' ? 'warn' : 'dim');
  };

  /** A line below the step block; the block is left as it is and later redraws start under the line. */
  private say(text: string, tone: Tone): void {
    this.output.line(text, tone);
    this.drawn = 0;
  }

  /** Stops the clock; the block stays as last drawn. */
  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    if (this.output.interactive && this.drawn > 0) this.redraw();
  }

  private tick(): void {
    const active = [...this.steps.values()].some((step) => step.status === 'Executing' || step.status === 'Starting');
    if (active && !this.timer) {
      this.timer = setInterval(() => {
        this.frame += 1;
        this.redraw();
      }, 120);
      this.timer.unref();
    } else if (!active && this.timer) {
      clearInterval(this.timer);
      this.timer = undefined;
    }
  }

  private redraw(): void {
    const width = Math.max(4, ...[...this.steps.keys()].map((name) => name.length));
    const lines = [...this.steps.values()].map((step) => this.stepLine(step, width));
    let text = this.drawn > 0 ? `\x1b[${this.drawn}A` : '';
    for (const line of lines) text += `\x1b[2K${line}\n`;
    this.output.write(text);
    this.drawn = lines.length;
  }

  private stepLine(step: StepRecord, width: number): string {
    const running = step.status === 'Executing' || step.status === 'Starting';
    const icon = running
      ? SPINNER[this.frame % SPINNER.length]!
      : step.status === 'Succeeded'
        ? '✓'
        : step.status === 'Failed'
          ? '✗'
          : '•';
    const duration = stepDuration(step);
    const details = [
      duration !== undefined ? formatDuration(duration) : '',
      step.cacheHitSource ? `cache hit from ${arnTail(step.cacheHitSource)}` : '',
      step.failureReason ?? '',
    ].filter((part) => part.length > 0);
    const tone = STEP_TONES[step.status] ?? 'plain';
    return `  ${this.output.paint(icon, tone)} ${step.name.padEnd(width)}  ${this.output.paint(
      step.status.padEnd(9),
      tone,
    )}  ${this.output.paint(details.join(' · '), 'dim')}`;
  }
}
