import { loadProjectConfig, type LoadedProjectConfig } from './project-config.js';
import { ValidationError, describeValue, type ValidationIssue } from './validation-error.js';

/** Reads one input of a GitHub action, trimmed, '' when not given (`core.getInput` in an action, a map in tests). */
export type InputReader = (name: string) => string;

/** How a number input is checked. */
export interface NumberRule {
  readonly min: number;
  readonly max: number;
  /**
   * Whole numbers only.
   * @default false
   */
  readonly integer?: boolean;
}

/**
 * The one way Slipway's actions read their inputs. `required: true` in action.yml is documentation only (the
 * runner does not enforce it), so each input is checked here; every problem is collected, each naming its
 * input (`input NAME`) with a fix, and `finish()` throws them all at once, before the action does anything.
 */
export class ActionInputs {
  private readonly issues: ValidationIssue[] = [];

  constructor(private readonly read: InputReader) {}

  /** The input as given ('' when not given). */
  text(name: string): string {
    return this.read(name);
  }

  /** The input, or a problem when it was not given. */
  required(name: string, fix: string): string {
    const value = this.read(name);
    if (value === '') this.problem(name, 'is required and was not given', fix);
    return value;
  }

  /** `true`/`false` (as YAML 1.2 core schema writes them: true, True, TRUE); `fallback` when not given. */
  boolean(name: string, fallback: boolean): boolean {
    const value = this.read(name);
    if (value === '') return fallback;
    if (/^(true|True|TRUE)$/.test(value)) return true;
    if (/^(false|False|FALSE)$/.test(value)) return false;
    this.problem(name, `must be true or false, got ${describeValue(value)}`, `write ${name}: ${fallback}`);
    return fallback;
  }

  /** One of `choices`' keys, mapped to its value; `fallback` (a key) when not given. */
  choice<T>(name: string, choices: Readonly<Record<string, T>>, fallback: string, fix: string): T {
    const key = this.read(name) || fallback;
    const keys = Object.keys(choices);
    if (!Object.hasOwn(choices, key)) {
      this.problem(name, `must be ${keys.map((k) => JSON.stringify(k)).join(' or ')}, got ${describeValue(key)}`, fix);
      return choices[fallback] as T;
    }
    return choices[key] as T;
  }

  /** A number within `rule`; `fallback` when not given (undefined: optional). */
  number(name: string, rule: NumberRule, fallback: number, fix: string): number;
  number(name: string, rule: NumberRule, fallback: undefined, fix: string): number | undefined;
  number(name: string, rule: NumberRule, fallback: number | undefined, fix: string): number | undefined {
    const text = this.read(name);
    if (text === '') return fallback;
    const value = Number(text);
    if (!Number.isFinite(value) || value < rule.min || value > rule.max || (rule.integer && !Number.isInteger(value))) {
      const kind = rule.integer ? 'a whole number' : 'a number';
      this.problem(name, `must be ${kind} from ${rule.min} to ${rule.max}, got ${describeValue(text)}`, fix);
      return fallback;
    }
    return value;
  }

  /** An http(s) URL, or '' when not given. */
  url(name: string, fix: string): string {
    const value = this.read(name);
    if (value !== '' && !/^https?:\/\/[^\s/]+/.test(value)) {
      this.problem(name, `must be an http(s) URL, got ${describeValue(value)}`, fix);
    }
    return value;
  }

  /** Records a problem with an input that the action checks itself. */
  problem(name: string, problem: string, fix: string): void {
    this.issues.push({ where: `input ${name}`, field: '', problem, fix });
  }

  /** Throws every problem found so far as one ValidationError. */
  finish(): void {
    if (this.issues.length > 0) throw new ValidationError(this.issues);
  }
}

/**
 * The project an action works on: its `config` input, else slipway.config.json at the workspace root (the
 * checkout, GITHUB_WORKSPACE).
 */
export function loadActionProject(config: string, env: NodeJS.ProcessEnv = process.env): LoadedProjectConfig {
  return loadProjectConfig({ ...(config ? { path: config } : {}), cwd: env.GITHUB_WORKSPACE ?? process.cwd() });
}

/** What an action reports a failure through (`@actions/core`'s functions). */
export interface FailureSink {
  debug(message: string): void;
  setFailed(message: string): void;
}

/**
 * Fails the step with the error's message, and logs where it happened as a debug line (shown when the job is
 * re-run with debug logging; the bundle's source map makes its stack name lines of src/).
 */
export function failStep(sink: FailureSink, error: unknown): void {
  if (error instanceof Error && error.stack) sink.debug(error.stack);
  sink.setFailed(error instanceof Error ? error.message : String(error));
}
