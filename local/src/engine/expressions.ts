import { describeValue } from '@slipway/core';
import type { ParameterValue } from './definition/index.js';
import { isObject } from './definition/index.js';
import { parsePropertyPath, walkPath } from './property-path.js';

/**
 * Evaluation of pipeline expressions (`Get`, `Std:Join`, `Std:JsonGet`) inside any JSON value, without I/O:
 * what a step reads (other steps' properties, property files, S3 JSON documents) comes from the scope.
 * JsonGet on an S3 URI needs its document loaded first: `s3JsonGetUris` lists them for the caller to fetch.
 */

export class ExpressionError extends Error {
  override readonly name = 'ExpressionError';
}

/** What an executed step offers to expressions in later steps. */
export interface StepView {
  /** The Describe* shape of the step's job or resource, or `{Outcome}` for a Condition step. */
  readonly properties: unknown;
  /** Parsed property files by PropertyFileName (Processing steps). */
  readonly propertyFiles: Readonly<Record<string, unknown>>;
}

export interface ExpressionScope {
  readonly parameters: Readonly<Record<string, ParameterValue>>;
  /** Execution variables by name (StartDateTime, PipelineExecutionId, ProcessingJobName ...). */
  readonly execution: Readonly<Record<string, string | undefined>>;
  readonly experiment?: { readonly ExperimentName?: string; readonly TrialName?: string } | null;
  step(name: string): StepView | undefined;
  /** Documents already fetched for Std:JsonGet with an S3Uri, by URI. */
  readonly s3Documents?: ReadonlyMap<string, unknown>;
  /** The current time, for Execution.CurrentDateTime. */
  now(): Date;
}

/** True for a value that is one expression (an object whose only key is Get, Std:Join or Std:JsonGet). */
export function isExpression(value: unknown): value is Record<string, unknown> {
  if (!isObject(value)) return false;
  const keys = Object.keys(value);
  return keys.length === 1 && (keys[0] === 'Get' || keys[0] === 'Std:Join' || keys[0] === 'Std:JsonGet');
}

/** Replaces every expression inside `value` (at any depth) with its value. */
export function resolveExpressions(value: unknown, scope: ExpressionScope): unknown {
  if (isExpression(value)) return evaluateExpression(value, scope);
  if (Array.isArray(value)) return value.map((item) => resolveExpressions(item, scope));
  if (isObject(value)) {
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) out[key] = resolveExpressions(item, scope);
    return out;
  }
  return value;
}

export function evaluateExpression(expression: Record<string, unknown>, scope: ExpressionScope): unknown {
  if ('Get' in expression) return evaluateGet(expression, scope);
  if ('Std:Join' in expression) return evaluateJoin(expression, scope);
  return evaluateJsonGet(expression, scope);
}

function undefinedError(expression: unknown, why: string): ExpressionError {
  return new ExpressionError(`${JSON.stringify(expression)} is undefined: ${why}`);
}

function evaluateGet(expression: Record<string, unknown>, scope: ExpressionScope): unknown {
  const reference = expression['Get'];
  if (typeof reference !== 'string')
    throw new ExpressionError(`Get must name a string reference, got ${describeValue(reference)}`);
  const [root, ...rest] = reference.split('.');
  const tail = rest.join('.');
  let value: unknown;
  if (root === 'Parameters') {
    value = scope.parameters[tail];
    if (value === undefined) throw undefinedError(expression, `the execution has no parameter ${tail}`);
  } else if (root === 'Execution') {
    value = tail === 'CurrentDateTime' ? scope.now().toISOString() : scope.execution[tail];
    if (value === undefined) throw undefinedError(expression, `execution variable ${tail} has no value in this step`);
  } else if (root === 'PipelineExperimentConfig') {
    value = scope.experiment?.[tail as 'ExperimentName' | 'TrialName'];
    if (value === undefined) throw undefinedError(expression, 'the pipeline has no PipelineExperimentConfig');
  } else if (root === 'Steps') {
    const [stepName = '', ...path] = rest;
    const step = scope.step(stepName);
    if (!step) throw undefinedError(expression, `step ${stepName} has not run in this execution`);
    const segments = parsePropertyPath(path.join('.'));
    if (!segments) throw undefinedError(expression, `cannot parse the property path ${path.join('.')}`);
    value = walkPath(step.properties, segments);
    if (value === undefined || value === null)
      throw undefinedError(expression, `step ${stepName} has no property ${path.join('.')}`);
  } else {
    throw new ExpressionError(`unknown reference ${JSON.stringify(reference)}`);
  }
  return value;
}

function evaluateJoin(expression: Record<string, unknown>, scope: ExpressionScope): string {
  const spec = expression['Std:Join'];
  if (!isObject(spec) || !Array.isArray(spec['Values'])) {
    throw new ExpressionError(`Std:Join needs {"On": string, "Values": [...]}, got ${describeValue(spec)}`);
  }
  const separator = spec['On'] ?? '';
  if (typeof separator !== 'string')
    throw new ExpressionError(`Std:Join "On" must be a string, got ${describeValue(separator)}`);
  return spec['Values'].map((item) => joinText(resolveExpressions(item, scope), expression)).join(separator);
}

/** How Std:Join renders a value: text as is, numbers in shortest form, booleans as true/false, others as JSON. */
export function joinText(value: unknown, expression?: unknown): string {
  if (value === undefined || value === null) throw undefinedError(expression, 'a joined value is null');
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value);
}

function evaluateJsonGet(expression: Record<string, unknown>, scope: ExpressionScope): unknown {
  const spec = expression['Std:JsonGet'];
  if (!isObject(spec) || typeof spec['Path'] !== 'string') {
    throw new ExpressionError(
      `Std:JsonGet needs a "Path" string and a "PropertyFile" or "S3Uri", got ${describeValue(spec)}`,
    );
  }
  const path = spec['Path'];
  let document: unknown;
  let source: string;
  if (spec['PropertyFile'] !== undefined) {
    const reference = isObject(spec['PropertyFile']) ? spec['PropertyFile']['Get'] : spec['PropertyFile'];
    const match = typeof reference === 'string' ? /^Steps\.([^.]+)\.PropertyFiles\.(.+)$/.exec(reference) : null;
    if (!match)
      throw new ExpressionError(
        `Std:JsonGet PropertyFile must be {"Get": "Steps.<step>.PropertyFiles.<name>"}, got ${describeValue(spec['PropertyFile'])}`,
      );
    const step = scope.step(match[1]!);
    if (!step) throw undefinedError(expression, `step ${match[1]} has not run in this execution`);
    document = step.propertyFiles[match[2]!];
    source = `property file ${match[2]} of step ${match[1]}`;
    if (document === undefined)
      throw undefinedError(expression, `step ${match[1]} produced no property file ${match[2]}`);
  } else if (spec['S3Uri'] !== undefined) {
    const uri = joinText(resolveExpressions(spec['S3Uri'], scope), expression);
    if (!scope.s3Documents?.has(uri)) throw undefinedError(expression, `the JSON document ${uri} was not loaded`);
    document = scope.s3Documents.get(uri);
    source = uri;
  } else {
    throw new ExpressionError('Std:JsonGet needs a "PropertyFile" or an "S3Uri"');
  }
  const segments = parsePropertyPath(path);
  if (!segments) throw new ExpressionError(`Std:JsonGet cannot parse the path ${JSON.stringify(path)}`);
  const value = walkPath(document, segments);
  if (value === undefined || value === null) throw undefinedError(expression, `${source} has nothing at ${path}`);
  return value;
}

/** The S3 URIs of every `Std:JsonGet` with an `S3Uri` inside `value`, resolved, so they can be fetched first. */
export function s3JsonGetUris(value: unknown, scope: ExpressionScope, out = new Set<string>()): Set<string> {
  if (Array.isArray(value)) {
    for (const item of value) s3JsonGetUris(item, scope, out);
  } else if (isObject(value)) {
    const spec = value['Std:JsonGet'];
    if (Object.keys(value).length === 1 && isObject(spec) && spec['S3Uri'] !== undefined) {
      out.add(joinText(resolveExpressions(spec['S3Uri'], scope), value));
    } else {
      for (const item of Object.values(value)) s3JsonGetUris(item, scope, out);
    }
  }
  return out;
}
