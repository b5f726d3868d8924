/**
 * Python's view of JSON values, so that hyperparameters reach the user's script exactly as the SageMaker
 * training toolkit renders them: `json.loads` keeps `4.0` a float and `4` an int, `str(4.0)` is `4.0`,
 * `str(True)` is `True`, and `json.dumps(..., sort_keys=True, separators=(",", ":"))` escapes non-ASCII.
 * JavaScript's JSON would turn `4.0` into `4` and break an `argparse` `type=int`/`float` round trip.
 */
export type PyValue = null | boolean | string | PyInt | PyFloat | PyValue[] | PyDict;
export interface PyDict {
  readonly [key: string]: PyValue;
}

export class PyInt {
  constructor(readonly value: bigint) {}
}

export class PyFloat {
  constructor(readonly value: number) {}
}

/** `json.loads(text)`, or undefined where Python would raise (the toolkit then keeps the raw string). */
export function pyJsonLoads(text: string): PyValue | undefined {
  const parser = new Parser(text);
  try {
    parser.skipSpace();
    const value = parser.value();
    parser.skipSpace();
    return parser.atEnd() ? value : undefined;
  } catch {
    return undefined;
  }
}

class Parser {
  private at = 0;
  constructor(private readonly text: string) {}

  atEnd(): boolean {
    return this.at === this.text.length;
  }

  skipSpace(): void {
    while (this.at < this.text.length && ' \t\n\r'.includes(this.text[this.at]!)) this.at += 1;
  }

  value(): PyValue {
    const rest = this.text.slice(this.at);
    const char = rest[0];
    if (char === '{') return this.object();
    if (char === '[') return this.array();
    if (char === '"') return this.string();
    for (const [word, value] of [
      ['true', true],
      ['false', false],
      ['null', null],
      ['NaN', new PyFloat(NaN)],
      ['Infinity', new PyFloat(Infinity)],
      ['-Infinity', new PyFloat(-Infinity)],
    ] as const) {
      if (rest.startsWith(word)) {
        this.at += word.length;
        return value;
      }
    }
    const number = /^-?(?:0|[1-9]\d*)(\.\d+)?([eE][-+]?\d+)?/.exec(rest);
    if (!number) throw new SyntaxError(`unexpected ${char ?? 'end'}`);
    this.at += number[0].length;
    return number[1] !== undefined || number[2] !== undefined
      ? new PyFloat(Number(number[0]))
      : new PyInt(BigInt(number[0]));
  }

  private string(): string {
    if (this.text[this.at] !== '"') throw new SyntaxError('expected a string');
    let end = this.at + 1;
    while (end < this.text.length && this.text[end] !== '"') end += this.text[end] === '\\' ? 2 : 1;
    if (end >= this.text.length) throw new SyntaxError('unterminated string');
    const token = this.text.slice(this.at, end + 1);
    this.at = end + 1;
    // JSON.parse refuses raw control characters and bad escapes, as Python's json does by default.
    return JSON.parse(token) as string;
  }

  private expect(char: string): void {
    this.skipSpace();
    if (this.text[this.at] !== char) throw new SyntaxError(`expected ${char}`);
    this.at += 1;
  }

  private array(): PyValue[] {
    this.at += 1;
    const items: PyValue[] = [];
    this.skipSpace();
    if (this.text[this.at] === ']') {
      this.at += 1;
      return items;
    }
    for (;;) {
      this.skipSpace();
      items.push(this.value());
      this.skipSpace();
      if (this.text[this.at] === ']') {
        this.at += 1;
        return items;
      }
      this.expect(',');
    }
  }

  private object(): PyDict {
    this.at += 1;
    const result: Record<string, PyValue> = {};
    this.skipSpace();
    if (this.text[this.at] === '}') {
      this.at += 1;
      return result;
    }
    for (;;) {
      this.skipSpace();
      const key = this.string();
      this.expect(':');
      this.skipSpace();
      result[key] = this.value();
      this.skipSpace();
      if (this.text[this.at] === '}') {
        this.at += 1;
        return result;
      }
      this.expect(',');
    }
  }
}

/** Python's `repr(float)`: the shortest round-trip digits, in exponent form below 1e-4 or from 1e16. */
export function pyFloatRepr(value: number): string {
  if (Number.isNaN(value)) return 'nan';
  if (!Number.isFinite(value)) return value > 0 ? 'inf' : '-inf';
  if (value === 0) return Object.is(value, -0) ? '-0.0' : '0.0';
  const [mantissa, exponentText] = Math.abs(value).toExponential().split('e') as [string, string];
  const digits = mantissa.replace('.', '');
  const exponent = Number(exponentText);
  const sign = value < 0 ? '-' : '';
  if (exponent >= -4 && exponent < 16) {
    if (exponent < 0) return `${sign}0.${'0'.repeat(-exponent - 1)}${digits}`;
    const whole = digits.slice(0, exponent + 1).padEnd(exponent + 1, '0');
    return `${sign}${whole}.${digits.slice(exponent + 1) || '0'}`;
  }
  const head = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
  return `${sign}${head}e${exponent < 0 ? '-' : '+'}${String(Math.abs(exponent)).padStart(2, '0')}`;
}

/** `json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=True)`. */
export function pyJsonDumps(value: PyValue | undefined): string {
  if (value === null || value === undefined) return 'null';
  if (value === true) return 'true';
  if (value === false) return 'false';
  if (typeof value === 'string') return pyJsonString(value);
  if (value instanceof PyInt) return value.value.toString();
  if (value instanceof PyFloat) {
    if (Number.isNaN(value.value)) return 'NaN';
    if (!Number.isFinite(value.value)) return value.value > 0 ? 'Infinity' : '-Infinity';
    return pyFloatRepr(value.value);
  }
  if (Array.isArray(value)) return `[${value.map(pyJsonDumps).join(',')}]`;
  const keys = Object.keys(value).sort();
  return `{${keys.map((key) => `${pyJsonString(key)}:${pyJsonDumps((value as PyDict)[key])}`).join(',')}}`;
}

function pyJsonString(text: string): string {
  let out = '"';
  for (const char of text) {
    for (let i = 0; i < char.length; i += 1) {
      const code = char.charCodeAt(i);
      const single = char[i]!;
      if (single === '"') out += '\\"';
      else if (single === '\\') out += '\\\\';
      else if (single === '\n') out += '\\n';
      else if (single === '\r') out += '\\r';
      else if (single === '\t') out += '\\t';
      else if (single === '\b') out += '\\b';
      else if (single === '\f') out += '\\f';
      else if (code < 0x20 || code > 0x7e) out += `\\u${code.toString(16).padStart(4, '0')}`;
      else out += single;
    }
  }
  return `${out}"`;
}

/** Python's `str(value)` as the toolkit's `_decode` uses it (`None` → empty string). */
export function pyStr(value: PyValue | undefined): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  return pyRepr(value);
}

/** Python's `repr`, which is also `str` for everything but strings and None. */
export function pyRepr(value: PyValue): string {
  if (value === null) return 'None';
  if (value === true) return 'True';
  if (value === false) return 'False';
  if (typeof value === 'string') return pyStringRepr(value);
  if (value instanceof PyInt) return value.value.toString();
  if (value instanceof PyFloat) return pyFloatRepr(value.value);
  if (Array.isArray(value)) return `[${value.map(pyRepr).join(', ')}]`;
  return `{${Object.entries(value)
    .map(([key, item]) => `${pyStringRepr(key)}: ${pyRepr(item)}`)
    .join(', ')}}`;
}

function pyStringRepr(text: string): string {
  const quote = text.includes("'") && !text.includes('"') ? '"' : "'";
  let out = quote;
  for (const char of text) {
    const code = char.codePointAt(0)!;
    if (char === quote || char === '\\') out += `\\${char}`;
    else if (char === '\n') out += '\\n';
    else if (char === '\r') out += '\\r';
    else if (char === '\t') out += '\\t';
    else if (code < 0x20 || code === 0x7f) out += `\\x${code.toString(16).padStart(2, '0')}`;
    else out += char;
  }
  return out + quote;
}

/** True for a Python dict (what the toolkit's `hasattr(value, "items")` sees). */
export function isPyDict(value: PyValue | undefined): value is PyDict {
  return (
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    !(value instanceof PyInt) &&
    !(value instanceof PyFloat)
  );
}
