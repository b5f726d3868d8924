/**
 * How the CLI talks to a person or a machine: colour and progress on a terminal, plain lines on CI or in a
 * pipe, and one JSON document on stdout with `--json` (all human text then goes to stderr).
 */
export interface OutputOptions {
  readonly json: boolean;
  readonly stdout?: NodeJS.WritableStream & { isTTY?: boolean };
  readonly stderr?: NodeJS.WritableStream & { isTTY?: boolean };
  readonly env?: NodeJS.ProcessEnv;
}

export type Tone = 'plain' | 'good' | 'bad' | 'warn' | 'dim' | 'bold';

const COLOURS: Record<Tone, [string, string]> = {
  plain: ['', ''],
  good: ['\x1b[32m', '\x1b[39m'],
  bad: ['\x1b[31m', '\x1b[39m'],
  warn: ['\x1b[33m', '\x1b[39m'],
  dim: ['\x1b[2m', '\x1b[22m'],
  bold: ['\x1b[1m', '\x1b[22m'],
};

export class Output {
  readonly json: boolean;
  readonly colour: boolean;
  /** The person's stream is an interactive terminal (not CI, not a pipe): live progress may redraw lines. */
  readonly interactive: boolean;
  private readonly out: NodeJS.WritableStream;
  private readonly err: NodeJS.WritableStream;

  constructor(options: OutputOptions) {
    const env = options.env ?? process.env;
    this.json = options.json;
    this.out = options.stdout ?? process.stdout;
    this.err = options.stderr ?? process.stderr;
    const human = this.json ? this.err : this.out;
    const tty = (human as { isTTY?: boolean }).isTTY === true;
    this.colour = tty && !env.CI && !env.NO_COLOR && env.TERM !== 'dumb';
    this.interactive = tty && !env.CI && env.TERM !== 'dumb';
  }

  /** Raw text for the person (live progress); with --json it goes to stderr like every human line. */
  write(text: string): void {
    (this.json ? this.err : this.out).write(text);
  }

  paint(text: string, tone: Tone): string {
    if (!this.colour || tone === 'plain') return text;
    const [open, close] = COLOURS[tone];
    return `${open}${text}${close}`;
  }

  /** A line for the person; with --json it goes to stderr so stdout stays one JSON document. */
  line(text = '', tone: Tone = 'plain'): void {
    (this.json ? this.err : this.out).write(`${this.paint(text, tone)}\n`);
  }

  warn(text: string): void {
    this.err.write(`${this.paint(`warning: ${text}`, 'warn')}\n`);
  }

  error(text: string): void {
    this.err.write(`${this.paint(`error: ${text}`, 'bad')}\n`);
  }

  /** The command's result: printed as JSON with --json, otherwise rendered by `human`. */
  result<T>(value: T, human: (value: T) => void): void {
    if (this.json) this.out.write(`${JSON.stringify(value, null, 2)}\n`);
    else human(value);
  }
}
