import { ValidationError } from '@slipway/core';
import type { EventBridgeEvent, InputTransformer } from './event-types.js';

const PATH = /^\$(?:\.[A-Za-z0-9_@-]+|\[\d+\])*$/;
const PLACEHOLDER = /<([A-Za-z0-9_.-]+)>/g;

export function validateInputTransformer(transformer: InputTransformer, where: string): void {
  if (typeof transformer.InputTemplate !== 'string') {
    throw new ValidationError({ where, field: 'InputTemplate', problem: 'is required and must be a string' });
  }
  for (const [name, path] of Object.entries(transformer.InputPathsMap ?? {})) {
    if (name.startsWith('aws.events.')) {
      throw new ValidationError({
        where,
        field: `InputPathsMap.${name}`,
        problem: 'uses the reserved prefix "aws.events."',
      });
    }
    if (typeof path !== 'string' || !PATH.test(path)) {
      throw new ValidationError({
        where,
        field: `InputPathsMap.${name}`,
        problem: `must be a JSONPath such as "$.detail.ModelPackageArn", got ${JSON.stringify(path)}`,
      });
    }
  }
}

/**
 * Renders a target's input as EventBridge does. In a JSON template a placeholder inside quotes receives the
 * value's text (escaped for JSON) and a bare placeholder receives the value as JSON; in a plain-text template
 * placeholders receive the value's text. Missing paths render as null (bare) or empty (quoted or text).
 */
export function applyInputTransformer(
  transformer: InputTransformer,
  event: EventBridgeEvent,
  rule: { name: string; arn: string },
): string {
  const values = new Map<string, unknown>();
  for (const [name, path] of Object.entries(transformer.InputPathsMap ?? {})) values.set(name, readPath(event, path));
  values.set('aws.events.rule-name', rule.name);
  values.set('aws.events.rule-arn', rule.arn);
  values.set('aws.events.event.ingestion-time', event.time);
  values.set('aws.events.event', event);
  values.set('aws.events.event.json', event);
  const template = transformer.InputTemplate;
  const isJson = /^\s*[{[]/.test(template);
  return template.replace(PLACEHOLDER, (whole, name: string, offset: number) => {
    if (!values.has(name)) return whole;
    const value = values.get(name);
    const quoted = template[offset - 1] === '"' && template[offset + whole.length] === '"';
    if (isJson && !quoted) return value === undefined ? 'null' : JSON.stringify(value);
    const text = value === undefined || value === null ? '' : typeof value === 'string' ? value : JSON.stringify(value);
    return isJson ? JSON.stringify(text).slice(1, -1) : text;
  });
}

export function readPath(root: unknown, path: string): unknown {
  let current: unknown = root;
  for (const segment of path.slice(1).match(/\.[^.[\]]+|\[\d+\]/g) ?? []) {
    if (current === null || typeof current !== 'object') return undefined;
    current = segment.startsWith('[')
      ? (current as unknown[])[Number(segment.slice(1, -1))]
      : (current as Record<string, unknown>)[segment.slice(1)];
  }
  return current;
}
