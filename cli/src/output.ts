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

/** Whether the terminal behind `stream` shows live output: a TTY, not CI, not a dumb terminal. */
function isTerminal(stream: NodeJS.WritableStream, env: NodeJS.ProcessEnv): boolean {
  return (stream as { isTTY?: boolean }).isTTY === true && !env.CI && env.TERM !== 'dumb';
}

/**
 * Whether text written to `stream` may carry colour. Decided per stream: stdout on a terminal and stderr
 * redirected to a file (or the other way round) colour only the terminal. `NO_COLOR` (any non-empty value,
 * https://no-color.org) turns colour off everywhere; otherwise `FORCE_COLOR` (non-empty, not `0` or `false`)
 * turns it on everywhere, and `FORCE_COLOR=0` off.
 */
export function colourFor(stream: NodeJS.WritableStream, env: NodeJS.ProcessEnv): boolean {
  if (env.NO_COLOR) return false;
  const force = env.FORCE_COLOR;
  if (force) return force !== '0' && force !== 'false';
  return isTerminal(stream, env);
}

function paintWith(colour: boolean, text: string, tone: Tone): string {
  if (!colour || tone === 'plain') return text;
  const [open, close] = COLOURS[tone];
  return `${open}${text}${close}`;
}

export class Output {
  readonly json: boolean;
  /** Whether the person's stream (stdout, or stderr with --json) takes colour: what `paint` and `line` use. */
  readonly colour: boolean;
  /** The person's stream is an interactive terminal (not CI, not a pipe): live progress may redraw lines. */
  readonly interactive: boolean;
  private readonly out: NodeJS.WritableStream;
  private readonly err: NodeJS.WritableStream;
  /** Whether stderr takes colour, for warnings and errors (decided apart from stdout). */
  private readonly errColour: boolean;

  constructor(options: OutputOptions) {
    const env = options.env ?? process.env;
    this.json = options.json;
    this.out = options.stdout ?? process.stdout;
    this.err = options.stderr ?? process.stderr;
    const human = this.json ? this.err : this.out;
    this.colour = colourFor(human, env);
    this.errColour = colourFor(this.err, env);
    this.interactive = isTerminal(human, env);
  }

  /** Raw text for the person (live progress); with --json it goes to stderr like every human line. */
  write(text: string): void {
    (this.json ? this.err : this.out).write(text);
  }

  /** `text` in `tone`, for a line written with `line` or `write` (the person's stream). */
  paint(text: string, tone: Tone): string {
    return paintWith(this.colour, text, tone);
  }

  /** A line for the person; with --json it goes to stderr so stdout stays one JSON document. */
  line(text = '', tone: Tone = 'plain'): void {
    (this.json ? this.err : this.out).write(`${this.paint(text, tone)}\n`);
  }

  warn(text: string): void {
    this.err.write(`${paintWith(this.errColour, `warning: ${text}`, 'warn')}\n`);
  }

  error(text: string): void {
    this.err.write(`${paintWith(this.errColour, `error: ${text}`, 'bad')}\n`);
  }

  /** A line on stderr that goes with an error or a warning (how to fix it, where to look). */
  note(text: string): void {
    this.err.write(`${paintWith(this.errColour, text, 'dim')}\n`);
  }

  /** The command's result: printed as JSON with --json, otherwise rendered by `human`. */
  result<T>(value: T, human: (value: T) => void): void {
    if (this.json) this.document(value);
    else human(value);
  }

  /** One JSON document on stdout, whatever the mode (a failure under --json is one too). */
  document(value: unknown): void {
    this.out.write(`${JSON.stringify(value, null, 2)}\n`);
  }
}
