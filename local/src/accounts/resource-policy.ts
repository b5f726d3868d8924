/**
 * Resource-based policies as the local server evaluates them: a model package group's policy and an S3 bucket
 * policy decide whether another account may act on the resource. What is evaluated is IAM's core: Deny wins,
 * then an Allow whose Principal, Action and Resource all match; nothing else is allowed. Two simplifications,
 * both documented in local/README.md: the server knows the caller's account (from its access key id) but not
 * its role, so a role or user ARN in `Principal` stands for its account; and a `Condition` is evaluated only
 * for `StringEquals`/`StringLike`/`Null` on keys the request carries (`s3:prefix`,
 * `sagemaker:ModelApprovalStatus`): a statement with any other
 * condition is not applied (its keys are about what the local server does not know: TLS, VPCs, organizations).
 */
export interface PolicyStatement {
  readonly sid?: string;
  readonly effect: 'Allow' | 'Deny';
  /** Account ids, or `*` for anyone. */
  readonly principals: readonly string[];
  readonly actions: readonly string[];
  readonly resources: readonly string[];
  /** The statement's Condition; only `StringEquals`/`StringLike`/`Null` are evaluated. */
  readonly condition?: Readonly<Record<string, Readonly<Record<string, readonly string[]>>>>;
}

export interface ResourcePolicy {
  readonly text: string;
  readonly statements: readonly PolicyStatement[];
}

export interface PolicyRequest {
  /** The caller's account id. */
  readonly account: string;
  /** `service:Action`, e.g. `sagemaker:DescribeModelPackage`. */
  readonly action: string;
  readonly resource: string;
  /** Condition keys the request carries, e.g. `s3:prefix` for ListObjects. */
  readonly context?: Readonly<Record<string, string>>;
}

/** `allowed`: a statement allows it; `denied`: a statement denies it; `not-allowed`: no statement applies. */
export type PolicyDecision = 'allowed' | 'denied' | 'not-allowed';

/** Thrown for a policy document that is not one: the caller words it in its service's error code. */
export class MalformedPolicyError extends Error {
  override readonly name = 'MalformedPolicyError';
}

const ACCOUNT_PRINCIPAL = /^(?:(\d{12})|arn:aws[a-z-]*:(?:iam|sts)::(\d{12}):.+)$/;
/** Largest policy SageMaker accepts for a model package group (and well above S3's 20 KB). */
export const MAX_POLICY_CHARACTERS = 20_480;

/** Parses and checks a policy document; throws MalformedPolicyError naming what is wrong. */
export function parseResourcePolicy(text: string): ResourcePolicy {
  if (text.length > MAX_POLICY_CHARACTERS)
    throw new MalformedPolicyError(`The policy is ${text.length} characters; at most ${MAX_POLICY_CHARACTERS}.`);
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch {
    throw new MalformedPolicyError('The policy is not valid JSON.');
  }
  if (!isRecord(document)) throw new MalformedPolicyError('The policy must be a JSON object.');
  const raw = document['Statement'];
  const list = Array.isArray(raw) ? raw : raw === undefined ? [] : [raw];
  if (list.length === 0) throw new MalformedPolicyError('The policy has no Statement.');
  return { text, statements: list.map((statement, index) => parseStatement(statement, index)) };
}

function parseStatement(statement: unknown, index: number): PolicyStatement {
  const at = `Statement[${index}]`;
  if (!isRecord(statement)) throw new MalformedPolicyError(`${at} must be an object.`);
  const effect = statement['Effect'];
  if (effect !== 'Allow' && effect !== 'Deny') throw new MalformedPolicyError(`${at}.Effect must be Allow or Deny.`);
  if (
    statement['NotPrincipal'] !== undefined ||
    statement['NotAction'] !== undefined ||
    statement['NotResource'] !== undefined
  )
    throw new MalformedPolicyError(
      `${at}: NotPrincipal, NotAction and NotResource are not evaluated by the local server.`,
    );
  const principal = statement['Principal'];
  let principals: string[];
  if (principal === '*') principals = ['*'];
  else if (isRecord(principal) && principal['AWS'] !== undefined) {
    principals = strings(principal['AWS'], `${at}.Principal.AWS`).map((value) => {
      if (value === '*') return '*';
      const match = ACCOUNT_PRINCIPAL.exec(value);
      if (!match)
        throw new MalformedPolicyError(`${at}.Principal.AWS has an invalid principal ${JSON.stringify(value)}.`);
      return (match[1] ?? match[2])!;
    });
  } else if (isRecord(principal) && principal['Service'] !== undefined) {
    principals = []; // a service principal is never another account's caller
  } else
    throw new MalformedPolicyError(
      `${at}.Principal must be "*" or {"AWS": ...}; a resource policy names who it allows.`,
    );
  return {
    ...(typeof statement['Sid'] === 'string' ? { sid: statement['Sid'] } : {}),
    effect,
    principals,
    actions: strings(statement['Action'], `${at}.Action`),
    resources: strings(statement['Resource'], `${at}.Resource`),
    ...(statement['Condition'] !== undefined
      ? { condition: parseCondition(statement['Condition'], `${at}.Condition`) }
      : {}),
  };
}

function parseCondition(value: unknown, at: string): Record<string, Record<string, string[]>> {
  if (!isRecord(value)) throw new MalformedPolicyError(`${at} must be an object.`);
  return Object.fromEntries(
    Object.entries(value).map(([operator, keys]) => {
      if (!isRecord(keys)) throw new MalformedPolicyError(`${at}.${operator} must be an object.`);
      return [
        operator,
        Object.fromEntries(
          Object.entries(keys).map(([key, values]) => [key, strings(values, `${at}.${operator}.${key}`)]),
        ),
      ];
    }),
  );
}

/** True when every condition holds; a condition the local server cannot evaluate never holds. */
function conditionHolds(condition: PolicyStatement['condition'], context: Readonly<Record<string, string>>): boolean {
  for (const [operator, keys] of Object.entries(condition ?? {})) {
    if (operator === 'Null') {
      // "true": the key must be absent from the request; "false": present.
      for (const [key, values] of Object.entries(keys))
        if (!values.some((value) => (value === 'true') === (context[key] === undefined))) return false;
      continue;
    }
    if (operator !== 'StringEquals' && operator !== 'StringLike') return false;
    for (const [key, values] of Object.entries(keys)) {
      const actual = context[key];
      if (actual === undefined) return false;
      if (!values.some((value) => (operator === 'StringLike' ? globMatch(value, actual, false) : value === actual)))
        return false;
    }
  }
  return true;
}

/** Evaluates `request` against `policy` (no policy: nothing is allowed). */
export function evaluateResourcePolicy(policy: ResourcePolicy | undefined, request: PolicyRequest): PolicyDecision {
  let allowed = false;
  for (const statement of policy?.statements ?? []) {
    if (statement.condition && !conditionHolds(statement.condition, request.context ?? {})) continue;
    if (!statement.principals.some((principal) => principal === '*' || principal === request.account)) continue;
    if (!statement.actions.some((action) => globMatch(action, request.action, true))) continue;
    if (!statement.resources.some((resource) => globMatch(resource, request.resource, false))) continue;
    if (statement.effect === 'Deny') return 'denied';
    allowed = true;
  }
  return allowed ? 'allowed' : 'not-allowed';
}

/** IAM's wildcards: `*` any run of characters, `?` one; actions compare without case. */
export function globMatch(pattern: string, value: string, ignoreCase: boolean): boolean {
  const source = pattern
    .split('')
    .map((character) =>
      character === '*' ? '.*' : character === '?' ? '.' : character.replace(/[.+^${}()|[\]\\]/g, '\\$&'),
    )
    .join('');
  return new RegExp(`^${source}$`, ignoreCase ? 'is' : 's').test(value);
}

function strings(value: unknown, at: string): string[] {
  const list = Array.isArray(value) ? value : [value];
  if (list.length === 0 || list.some((item) => typeof item !== 'string' || item.length === 0))
    throw new MalformedPolicyError(`${at} must be a string or a list of strings.`);
  return list as string[];
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
