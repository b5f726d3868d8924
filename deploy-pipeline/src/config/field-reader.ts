import { IssueCollector, describeValue } from '@slipway/core';

/**
 * Reads fields out of parsed JSON while collecting one issue per bad field (path, value received, fix), so a
 * config with three mistakes reports all three at once.
 */
export class FieldReader {
  readonly issues = new IssueCollector();

  constructor(private readonly where: string) {}

  private add(field: string, problem: string, fix: string): undefined {
    this.issues.add({ where: this.where, field, problem, fix });
    return undefined;
  }

  object(value: unknown, field: string, fix: string): Record<string, unknown> | undefined {
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) return value as Record<string, unknown>;
    return this.add(field, `must be an object, got ${describeValue(value)}`, fix);
  }

  /** Flags keys the schema does not know, so a typo ("instancetype") is not silently ignored. */
  knownKeys(record: Record<string, unknown>, prefix: string, known: readonly string[]): void {
    for (const key of Object.keys(record)) {
      if (key === '$schema' || known.includes(key)) continue;
      this.add(join(prefix, key), 'is not a known setting', `remove it; known settings: ${known.join(', ')}`);
    }
  }

  string(
    record: Record<string, unknown>,
    prefix: string,
    key: string,
    rule: { pattern: RegExp; allowed: string; fix: string },
  ): string | undefined {
    const value = record[key];
    const field = join(prefix, key);
    if (value === undefined) return this.add(field, 'is missing', rule.fix);
    if (typeof value !== 'string' || !rule.pattern.test(value)) {
      return this.add(field, `must be ${rule.allowed}, got ${describeValue(value)}`, rule.fix);
    }
    return value;
  }

  number(record: Record<string, unknown>, prefix: string, key: string, rule: NumberRule): number | undefined {
    const value = record[key];
    const field = join(prefix, key);
    if (value === undefined) return this.add(field, 'is missing', rule.fix);
    const kind = rule.integer ? 'an integer' : 'a number';
    if (typeof value !== 'number' || !Number.isFinite(value) || (rule.integer && !Number.isInteger(value))) {
      return this.add(field, `must be ${kind}, got ${describeValue(value)}`, rule.fix);
    }
    if (value < rule.min || value > rule.max) {
      return this.add(field, `must be ${kind} from ${rule.min} to ${rule.max}, got ${value}`, rule.fix);
    }
    return value;
  }

  /** Reads several numbers at once; the result is undefined unless every one of them is valid. */
  numbers<K extends string>(
    record: Record<string, unknown>,
    prefix: string,
    rules: Record<K, NumberRule>,
  ): Record<K, number> | undefined {
    const values = {} as Record<K, number>;
    let complete = true;
    for (const key of Object.keys(rules) as K[]) {
      const value = this.number(record, prefix, key, rules[key]);
      if (value === undefined) complete = false;
      else values[key] = value;
    }
    return complete ? values : undefined;
  }

  boolean(record: Record<string, unknown>, prefix: string, key: string, fix: string): boolean | undefined {
    const value = record[key];
    const field = join(prefix, key);
    if (value === undefined) return this.add(field, 'is missing', fix);
    if (typeof value !== 'boolean') return this.add(field, `must be true or false, got ${describeValue(value)}`, fix);
    return value;
  }

  /** A rule that relates two fields (e.g. min ≤ max); `field` names the one to change. */
  check(condition: boolean, field: string, problem: string, fix: string): void {
    if (!condition) this.add(field, problem, fix);
  }
}

export interface NumberRule {
  readonly min: number;
  readonly max: number;
  readonly integer?: boolean;
  readonly fix: string;
}

function join(prefix: string, key: string): string {
  return prefix ? `${prefix}.${key}` : key;
}
