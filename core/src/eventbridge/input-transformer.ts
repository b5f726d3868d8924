import { ValidationError, describeValue, type ValidationIssue } from '../validation-error.js';
import { isPlainObject } from './json-object.js';

/**
 * EventBridge's InputTransformer, spelled as the PutTargets API spells it: JSON paths into the event, named
 * as variables, substituted into a template. (CDK and CloudFormation builders map it to their own casing.)
 */
export interface InputTransformer {
  /** Variable name → JSON path into the event (`$.detail.ModelPackageArn`). */
  readonly InputPathsMap?: Readonly<Record<string, string>>;
  /** Text with `<variable>` placeholders: a JSON object or array, or plain text. */
  readonly InputTemplate: string;
}

/** The rule a target belongs to, for the `aws.events.rule-*` variables. */
export interface TransformerRule {
  readonly name: string;
  readonly arn: string;
}

/** EventBridge's limits on an InputTransformer (PutTargets API reference). */
export const INPUT_TRANSFORMER_LIMITS = { maxVariables: 100, maxTemplateLength: 8192 } as const;

const RESERVED_PREFIX = 'aws.events.';
const VARIABLE_NAME = /^[A-Za-z0-9_-]{1,256}$/;
const PATH = /^\$((?:\.[A-Za-z0-9_@/-]+|\[\d+\])*)$/;
const SEGMENT = /\.([A-Za-z0-9_@/-]+)|\[(\d+)\]/g;
const PLACEHOLDER = /<([A-Za-z0-9_.-]+)>/g;
/** What a path that leads nowhere reads as (unlike a present `null`). */
const MISSING = Symbol('missing');

/** Throws a ValidationError listing every problem of the transformer, each with its field. */
export function validateInputTransformer(transformer: InputTransformer, where = 'InputTransformer'): void {
  const issues: ValidationIssue[] = [];
  const template: unknown = transformer.InputTemplate;
  if (typeof template !== 'string' || template.length === 0) {
    issues.push({ where, field: 'InputTemplate', problem: `is required and must be a non-empty string` });
  } else if (template.length > INPUT_TRANSFORMER_LIMITS.maxTemplateLength) {
    issues.push({
      where,
      field: 'InputTemplate',
      problem: `must be at most ${INPUT_TRANSFORMER_LIMITS.maxTemplateLength} characters, got ${template.length}`,
    });
  }
  const variables = Object.entries(transformer.InputPathsMap ?? {});
  if (variables.length > INPUT_TRANSFORMER_LIMITS.maxVariables) {
    issues.push({
      where,
      field: 'InputPathsMap',
      problem: `must define at most ${INPUT_TRANSFORMER_LIMITS.maxVariables} variables, got ${variables.length}`,
    });
  }
  for (const [name, path] of variables) {
    const field = `InputPathsMap.${name}`;
    if (name.startsWith(RESERVED_PREFIX)) {
      issues.push({ where, field, problem: `uses the reserved prefix "${RESERVED_PREFIX}"`, fix: 'rename it' });
    } else if (!VARIABLE_NAME.test(name)) {
      issues.push({ where, field, problem: 'must be a name of letters, digits, "_" or "-"', fix: 'rename it' });
    }
    if (typeof path !== 'string' || !PATH.test(path)) {
      issues.push({
        where,
        field,
        problem: `must be a JSON path such as "$.detail.ModelPackageArn" or "$.resources[0]", got ${describeValue(path)}`,
      });
    }
  }
  if (issues.length > 0) throw new ValidationError(issues);
}

/**
 * Evaluates the subset of JSONPath EventBridge accepts in InputPathsMap: `$`, `.name` and `[index]`.
 * Returns undefined when the path leads nowhere in the event; throws when the path itself is not accepted.
 */
export function readEventPath(event: unknown, path: string): unknown {
  const found = findPath(event, path);
  return found === MISSING ? undefined : found;
}

function findPath(event: unknown, path: string): unknown {
  const match = PATH.exec(path);
  if (!match) {
    throw new ValidationError({
      where: 'InputPathsMap',
      field: path,
      problem: 'is not a JSON path EventBridge accepts here (use $.a.b or $.a[0])',
      fix: 'use dot notation from $',
    });
  }
  let node: unknown = event;
  for (const [, key, index] of (match[1] ?? '').matchAll(SEGMENT)) {
    if (key !== undefined) {
      if (!isPlainObject(node) || !Object.hasOwn(node, key)) return MISSING;
      node = node[key];
    } else {
      if (!Array.isArray(node) || Number(index) >= node.length) return MISSING;
      node = node[Number(index)];
    }
  }
  return node;
}

/**
 * Renders a target's input as EventBridge does, and returns the text it would send.
 * - In a JSON template (one starting with `{` or `[`), a placeholder inside a string literal (`"v<version>"`)
 *   receives the value's text, escaped so the output stays JSON (a number's digits, so `"<n>"` gives `"2"`);
 *   a placeholder outside quotes receives the value as JSON (`"arn:…"`, `2`, `{…}`). A path missing from the
 *   event gives nothing inside quotes and `null` outside.
 * - In a plain-text template every placeholder receives the value's text as it is; a missing path, nothing.
 * - The reserved variables: `aws.events.rule-name` and `aws.events.rule-arn` (from `rule`),
 *   `aws.events.event.ingestion-time` (the event's time), `aws.events.event` (the event without `detail`)
 *   and `aws.events.event.json` (the whole event).
 * - A placeholder that names no variable is left as it is.
 */
export function applyInputTransformer(transformer: InputTransformer, event: unknown, rule?: TransformerRule): string {
  const values = new Map<string, unknown>();
  for (const [name, path] of Object.entries(transformer.InputPathsMap ?? {})) values.set(name, findPath(event, path));
  for (const [name, value] of reservedVariables(event, rule)) values.set(name, value);
  const template = transformer.InputTemplate;
  const isJson = /^\s*[{[]/.test(template);
  let output = '';
  let last = 0;
  let inString = false;
  for (const match of template.matchAll(PLACEHOLDER)) {
    const start = match.index;
    inString = isJson && insideJsonString(template, last, start, inString);
    output += template.slice(last, start);
    last = start + match[0].length;
    const name = match[1] as string;
    if (!values.has(name)) {
      if (rule === undefined && name.startsWith(`${RESERVED_PREFIX}rule-`)) {
        throw new ValidationError({
          where: 'InputTemplate',
          field: `<${name}>`,
          problem: 'names the rule, but no rule was given',
          fix: 'pass the rule ({name, arn}) to applyInputTransformer',
        });
      }
      output += match[0];
      continue;
    }
    const value = values.get(name);
    if (!isJson) output += text(value);
    else if (inString) output += JSON.stringify(text(value)).slice(1, -1);
    else output += value === MISSING ? 'null' : JSON.stringify(value);
  }
  return output + template.slice(last);
}

function reservedVariables(event: unknown, rule: TransformerRule | undefined): [string, unknown][] {
  const envelope = isPlainObject(event) ? event : {};
  const withoutDetail = Object.fromEntries(Object.entries(envelope).filter(([key]) => key !== 'detail'));
  const variables: [string, unknown][] = [
    [`${RESERVED_PREFIX}event.ingestion-time`, 'time' in envelope ? envelope['time'] : MISSING],
    [`${RESERVED_PREFIX}event`, withoutDetail],
    [`${RESERVED_PREFIX}event.json`, event],
  ];
  if (rule) variables.push([`${RESERVED_PREFIX}rule-name`, rule.name], [`${RESERVED_PREFIX}rule-arn`, rule.arn]);
  return variables;
}

/**
 * Whether position `to` of a template lies inside a JSON string literal, scanning on from `from` where the
 * answer was `inside`. (Scanning on keeps rendering linear in the template's length.)
 */
function insideJsonString(template: string, from: number, to: number, inside: boolean): boolean {
  for (let i = from; i < to; i += 1) {
    const char = template[i];
    if (char === '\\' && inside) i += 1;
    else if (char === '"') inside = !inside;
  }
  return inside;
}

function text(value: unknown): string {
  if (value === MISSING || value === null || value === undefined) return '';
  return typeof value === 'string' ? value : JSON.stringify(value);
}
