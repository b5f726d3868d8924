/**
 * The one error type for bad input anywhere in Slipway. It says where the problem is (`where`: a step
 * name, a config field, an action input), which field, what was received, and how to fix it, so that a
 * message printed by the CLI, the GitHub action or the local server reads the same everywhere.
 */
export interface ValidationIssue {
  /** The thing being validated: a step name, a file, an action input. */
  readonly where: string;
  /** Dotted path of the offending field inside `where`, e.g. `Arguments.ProcessingInputs[0].S3Input.S3Uri`. */
  readonly field: string;
  /** The rule that failed and the value received, e.g. `must be at most 64 characters, got 71`. */
  readonly problem: string;
  /** What would make it valid, e.g. `shorten the step name`. */
  readonly fix?: string;
}

export function formatIssue(issue: ValidationIssue): string {
  const location = issue.field ? `${issue.where}: ${issue.field}` : issue.where;
  return issue.fix ? `${location} ${issue.problem}: ${issue.fix}` : `${location} ${issue.problem}`;
}

export class ValidationError extends Error {
  override readonly name = 'ValidationError';
  readonly issues: readonly ValidationIssue[];

  constructor(issues: ValidationIssue | readonly ValidationIssue[]) {
    const list = Array.isArray(issues) ? issues : [issues as ValidationIssue];
    super(
      list.length === 1
        ? formatIssue(list[0] as ValidationIssue)
        : `${list.length} problems:\n${list.map((i) => `  - ${formatIssue(i)}`).join('\n')}`,
    );
    this.issues = list;
  }
}

/** Collects issues while a validator walks its input, then throws them all at once. */
export class IssueCollector {
  private readonly found: ValidationIssue[] = [];

  add(issue: ValidationIssue): void {
    this.found.push(issue);
  }

  get issues(): readonly ValidationIssue[] {
    return this.found;
  }

  throwIfAny(): void {
    if (this.found.length > 0) throw new ValidationError(this.found);
  }
}

/** Renders a received value for an error message without dumping huge strings. */
export function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  const text = typeof value === 'string' ? JSON.stringify(value) : (JSON.stringify(value) ?? String(value));
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}
