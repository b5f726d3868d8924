import { ValidationError } from '@slipway/core';

/** An EventBridge target's InputTransformer (CloudFormation's `InputPathsMap` and `InputTemplate`). */
export interface InputTransformer {
  /** Variable name → JSON path into the event (`$.detail.ModelPackageArn`). */
  readonly inputPathsMap: Readonly<Record<string, string>>;
  /** Text with `<variable>` placeholders; for Slipway always a JSON object. */
  readonly inputTemplate: string;
}

const PATH = /^\$((?:\.[A-Za-z0-9_-]+|\[\d+\])*)$/;
const SEGMENT = /\.([A-Za-z0-9_-]+)|\[(\d+)\]/g;
const PLACEHOLDER = /<([A-Za-z0-9_.-]+)>/g;
const MISSING = Symbol('missing');

/** Evaluates the subset of JSONPath EventBridge accepts in InputPathsMap: `$`, `.name` and `[index]`. */
export function readEventPath(event: unknown, path: string): unknown {
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
      if (node === null || typeof node !== 'object' || Array.isArray(node) || !(key in node)) return MISSING;
      node = (node as Record<string, unknown>)[key];
    } else {
      if (!Array.isArray(node) || Number(index) >= node.length) return MISSING;
      node = node[Number(index)];
    }
  }
  return node;
}

/**
 * Renders an InputTransformer against an event as EventBridge does for a JSON template:
 * - a placeholder inside a JSON string (`"<arn>"`) is replaced by the value's text: a string's characters,
 *   a number's digits (so `"<version>"` gives `"2"`);
 * - a placeholder outside quotes (`<arn>`) is replaced by the value as JSON (`"arn:…"`, `2`, `{…}`);
 * - a path missing from the event gives an empty string inside quotes and `null` outside.
 * Returns the text EventBridge would send to the target.
 */
export function applyInputTransformer(transformer: InputTransformer, event: unknown): string {
  const values = new Map<string, unknown>();
  for (const [name, path] of Object.entries(transformer.inputPathsMap)) values.set(name, readEventPath(event, path));
  const template = transformer.inputTemplate;
  let output = '';
  let last = 0;
  for (const match of template.matchAll(PLACEHOLDER)) {
    const name = match[1] as string;
    const start = match.index;
    output += template.slice(last, start);
    last = start + match[0].length;
    if (!values.has(name)) {
      // EventBridge leaves text that names no variable as it is.
      output += match[0];
      continue;
    }
    const value = values.get(name);
    output += insideJsonString(template, start) ? textInsideString(value) : jsonValue(value);
  }
  return output + template.slice(last);
}

/** True when position `at` of a JSON-ish template lies inside a string literal. */
function insideJsonString(template: string, at: number): boolean {
  let inside = false;
  for (let i = 0; i < at; i += 1) {
    const char = template[i];
    if (char === '\\' && inside) i += 1;
    else if (char === '"') inside = !inside;
  }
  return inside;
}

function textInsideString(value: unknown): string {
  if (value === MISSING || value === null) return '';
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  // EventBridge inserts the text as it is. Escaping it keeps the output parseable whatever the value; for the
  // values Slipway routes (ARNs, names, status enums: no quotes or backslashes) both give the same text.
  return JSON.stringify(text).slice(1, -1);
}

function jsonValue(value: unknown): string {
  return value === MISSING ? 'null' : JSON.stringify(value);
}
