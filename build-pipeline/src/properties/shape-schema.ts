import type { DescribeTrainingJobResponse$ } from '@aws-sdk/client-sagemaker';

/**
 * Reads the runtime schemas that `@aws-sdk/client-sagemaker` publishes for its shapes (Smithy "static
 * schemas"), so property paths are checked against the same source as the TypeScript types: the Python SDK
 * walks botocore's service model for the same purpose.
 */
export type StructureSchema = typeof DescribeTrainingJobResponse$;
type SchemaRef = StructureSchema[5][number];

export type LeafKind = 'string' | 'number' | 'boolean' | 'timestamp' | 'document' | 'blob';

export type ShapeInfo =
  | { readonly kind: 'structure'; readonly name: string; readonly members: ReadonlyMap<string, SchemaRef> }
  | { readonly kind: 'list' | 'map'; readonly name: string; readonly value: SchemaRef }
  | { readonly kind: 'leaf'; readonly leaf: LeafKind };

// Simple-schema sentinels and modifiers, as @smithy/types documents them.
const LIST_MODIFIER = 0b0100_0000;
const MAP_MODIFIER = 0b1000_0000;
const STRUCTURE = 3;
const UNION = 4;
const ERROR = -3;
const LIST = 1;
const MAP = 2;
const SIMPLE = 0;

const structureCache = new WeakMap<object, ShapeInfo>();

function leafKind(sentinel: number): LeafKind {
  if (sentinel === 0) return 'string';
  if (sentinel === 1 || sentinel === 0b0001_0001 || sentinel === 0b0001_0011) return 'number';
  if (sentinel === 2) return 'boolean';
  if (sentinel >= 4 && sentinel <= 7) return 'timestamp';
  if (sentinel === 0b0000_1111) return 'document';
  return 'blob';
}

/** Classifies a schema reference: a structure (with members), a list or map (with its value), or a leaf. */
export function shapeOf(ref: SchemaRef | unknown): ShapeInfo {
  const schema: unknown = typeof ref === 'function' ? (ref as () => unknown)() : ref;
  if (typeof schema === 'number') {
    if (schema & MAP_MODIFIER) return { kind: 'map', name: 'map', value: (schema & ~MAP_MODIFIER) as SchemaRef };
    if (schema & LIST_MODIFIER) return { kind: 'list', name: 'list', value: (schema & ~LIST_MODIFIER) as SchemaRef };
    return { kind: 'leaf', leaf: leafKind(schema) };
  }
  if (!Array.isArray(schema)) return { kind: 'leaf', leaf: 'document' };
  // A member schema `[target, traits]` wraps its target.
  if (schema.length === 2) return shapeOf(schema[0]);
  const cached = structureCache.get(schema);
  if (cached) return cached;
  const [id, , name] = schema as [number, string, string];
  let info: ShapeInfo;
  if (id === STRUCTURE || id === UNION || id === ERROR) {
    const names = schema[4] as readonly string[];
    const refs = schema[5] as readonly SchemaRef[];
    info = { kind: 'structure', name, members: new Map(names.map((member, index) => [member, refs[index]!])) };
  } else if (id === LIST) {
    info = { kind: 'list', name, value: schema[4] as SchemaRef };
  } else if (id === MAP) {
    info = { kind: 'map', name, value: schema[5] as SchemaRef };
  } else if (id === SIMPLE) {
    info = shapeOf(schema[4]);
  } else {
    info = { kind: 'leaf', leaf: 'document' };
  }
  structureCache.set(schema, info);
  return info;
}
