import { ValidationError, describeValue } from '@slipway/core';

/**
 * The JSONPath subset batch transform's DataProcessing filters take (SageMaker's "Supported JSONPath
 * operators"): `$` the root; `.name` and `['name']` a member; `['a','b']` several members (an object of
 * them); `[n]` an index (negative counts from the end); `[n,m]` several indices (an array of them);
 * `[start:end]` a slice; `.*` / `[*]` every member or element.
 */
type Segment =
  | { readonly kind: 'member'; readonly names: readonly string[]; readonly multiple: boolean }
  | { readonly kind: 'index'; readonly indices: readonly number[]; readonly multiple: boolean }
  | { readonly kind: 'slice'; readonly start?: number; readonly end?: number }
  | { readonly kind: 'wildcard' };

export interface JsonPath {
  readonly text: string;
  readonly segments: readonly Segment[];
}

/** Parses a filter expression; a ValidationError names the field and the part it could not read. */
export function parseJsonPath(text: string, where: string, field: string): JsonPath {
  const fail = (problem: string): never => {
    throw new ValidationError({
      where,
      field,
      problem: `${problem}, got ${describeValue(text)}`,
      fix: "use SageMaker's JSONPath subset: $, $.name, $['a','b'], $[0], $[0,2], $[1:], $[*]",
    });
  };
  if (!text.startsWith('$')) fail('must start with $');
  const segments: Segment[] = [];
  let i = 1;
  while (i < text.length) {
    const char = text[i];
    if (char === '.') {
      const match = /^\.(\*|[A-Za-z_][A-Za-z0-9_-]*)/.exec(text.slice(i));
      if (!match) fail(`has a "." not followed by a member name at ${i}`);
      segments.push(
        match![1] === '*' ? { kind: 'wildcard' } : { kind: 'member', names: [match![1]!], multiple: false },
      );
      i += match![0].length;
    } else if (char === '[') {
      const close = text.indexOf(']', i);
      if (close < 0) fail(`has a "[" without "]" at ${i}`);
      segments.push(bracket(text.slice(i + 1, close).trim(), fail));
      i = close + 1;
    } else {
      fail(`has an unexpected ${JSON.stringify(char)} at ${i}`);
    }
  }
  return { text, segments };
}

function bracket(inner: string, fail: (problem: string) => never): Segment {
  if (inner === '*') return { kind: 'wildcard' };
  if (/^'/.test(inner)) {
    const names = inner.split(',').map((part) => {
      const match = /^\s*'([^']*)'\s*$/.exec(part);
      if (!match) fail(`has a bracket of names that is not 'a','b'`);
      return match![1]!;
    });
    return { kind: 'member', names, multiple: names.length > 1 };
  }
  const slice = /^(-?\d+)?\s*:\s*(-?\d+)?$/.exec(inner);
  if (slice) {
    return {
      kind: 'slice',
      ...(slice[1] !== undefined ? { start: Number(slice[1]) } : {}),
      ...(slice[2] !== undefined ? { end: Number(slice[2]) } : {}),
    };
  }
  const indices = inner.split(',').map((part) => {
    if (!/^\s*-?\d+\s*$/.test(part)) fail(`has a bracket that is neither indices, a slice nor quoted names`);
    return Number(part);
  });
  return { kind: 'index', indices, multiple: indices.length > 1 };
}

/** What a path selects from a value; a member or index that is missing is an error naming the path. */
export function applyJsonPath(path: JsonPath, value: unknown): unknown {
  let current = value;
  for (const segment of path.segments) current = step(segment, current, path.text);
  return current;
}

function step(segment: Segment, value: unknown, text: string): unknown {
  const missing = (what: string): never => {
    throw new Error(`the filter ${text} selects ${what}, which the record does not have`);
  };
  switch (segment.kind) {
    case 'wildcard':
      if (Array.isArray(value)) return value;
      if (isRecord(value)) return Object.values(value);
      return missing('every member of a value that is neither an object nor an array');
    case 'member': {
      if (!isRecord(value)) return missing(`member ${segment.names.join(', ')} of a non-object`);
      const record = value;
      if (!segment.multiple) {
        const name = segment.names[0]!;
        if (!(name in record)) missing(`member ${JSON.stringify(name)}`);
        return record[name];
      }
      return Object.fromEntries(segment.names.filter((name) => name in record).map((name) => [name, record[name]]));
    }
    case 'index': {
      if (!Array.isArray(value)) return missing(`index ${segment.indices.join(', ')} of a non-array`);
      const list = value;
      const at = (index: number) => {
        const position = index < 0 ? list.length + index : index;
        if (position < 0 || position >= list.length) missing(`index ${index} of ${list.length} values`);
        return list[position];
      };
      return segment.multiple ? segment.indices.map(at) : at(segment.indices[0]!);
    }
    case 'slice':
      if (!Array.isArray(value)) return missing('a slice of a non-array');
      return value.slice(segment.start, segment.end);
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
