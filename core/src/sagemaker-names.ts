/**
 * SageMaker's naming rules, as its API documents them, in one table. The project config, the pipeline
 * compiler, the local server and the deploy logic all check names against these, so a name that passes
 * locally is one AWS accepts.
 */
export interface NameRule {
  readonly what: string;
  readonly pattern: RegExp;
  readonly minLength: number;
  readonly maxLength: number;
  /** A human description of the pattern, for error messages. */
  readonly allowed: string;
}

export const NAME_RULES = {
  pipelineName: {
    what: 'pipeline name',
    pattern: /^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,255}$/,
    minLength: 1,
    maxLength: 256,
    allowed: 'letters, digits and hyphens, starting and ending with a letter or digit',
  },
  stepName: {
    what: 'step name',
    pattern: /^[A-Za-z0-9\-_]{1,64}$/,
    minLength: 1,
    maxLength: 64,
    allowed: 'letters, digits, hyphens and underscores',
  },
  parameterName: {
    what: 'parameter name',
    pattern: /^[A-Za-z0-9\-_]{1,64}$/,
    minLength: 1,
    maxLength: 64,
    allowed: 'letters, digits, hyphens and underscores',
  },
  modelPackageGroupName: {
    what: 'model package group name',
    pattern: /^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$/,
    minLength: 1,
    maxLength: 63,
    allowed: 'letters, digits and hyphens, starting and ending with a letter or digit',
  },
  /** Endpoint, endpoint config and model names share this rule. */
  endpointName: {
    what: 'endpoint name',
    pattern: /^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$/,
    minLength: 1,
    maxLength: 63,
    allowed: 'letters, digits and hyphens, starting and ending with a letter or digit',
  },
  projectName: {
    what: 'project name',
    pattern: /^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,31}$/,
    minLength: 1,
    maxLength: 32,
    allowed: 'letters, digits and hyphens, starting and ending with a letter or digit',
  },
  projectId: {
    what: 'project id',
    pattern: /^p-[a-z0-9]{12}$/,
    minLength: 14,
    maxLength: 14,
    allowed: '"p-" followed by 12 lowercase letters or digits, as SageMaker Projects issues them',
  },
  s3BucketName: {
    what: 'S3 bucket name',
    pattern: /^(?!xn--)(?!.*\.\.)(?!\d+\.\d+\.\d+\.\d+$)[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/,
    minLength: 3,
    maxLength: 63,
    allowed: 'lowercase letters, digits, dots and hyphens, starting and ending with a letter or digit',
  },
  githubRepository: {
    what: 'GitHub repository',
    pattern: /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})\/[A-Za-z0-9._-]{1,100}$/,
    minLength: 3,
    maxLength: 140,
    allowed: 'OWNER/REPO',
  },
  /** CreatePipeline's RoleArn, as the API documents it. */
  iamRoleArn: {
    what: 'IAM role ARN',
    pattern: /^arn:aws[a-z-]*:iam::\d{12}:role\/?[a-zA-Z_0-9+=,.@\-_/]+$/,
    minLength: 20,
    maxLength: 2048,
    allowed: 'an IAM role ARN (arn:aws:iam::ACCOUNT:role/NAME)',
  },
  awsRegion: {
    what: 'AWS region',
    pattern: /^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d$/,
    minLength: 9,
    maxLength: 20,
    allowed: 'a region code such as us-east-1',
  },
  awsAccountId: {
    what: 'AWS account id',
    pattern: /^\d{12}$/,
    minLength: 12,
    maxLength: 12,
    allowed: 'the 12 digits of an AWS account id, as a string',
  },
} as const satisfies Record<string, NameRule>;

export type NameKind = keyof typeof NAME_RULES;

/**
 * Returns why `value` breaks the rule for `kind`, or undefined when it is fine. The message states the
 * rule and the value, e.g. `must be at most 64 characters, got 71`.
 */
export function checkName(kind: NameKind, value: unknown): string | undefined {
  const rule: NameRule = NAME_RULES[kind];
  if (typeof value !== 'string') return `must be a string (${rule.allowed}), got ${typeof value}`;
  if (value.length < rule.minLength) return `must be at least ${rule.minLength} characters, got ${value.length}`;
  if (value.length > rule.maxLength) return `must be at most ${rule.maxLength} characters, got ${value.length}`;
  if (!rule.pattern.test(value)) return `must use ${rule.allowed}, got ${JSON.stringify(value)}`;
  return undefined;
}
