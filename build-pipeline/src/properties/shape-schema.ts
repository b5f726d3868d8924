import { DESCRIBE_SHAPES } from './describe-shapes.generated.js';

/**
 * The shapes of the Describe* responses step properties mirror, as a small table generated from the runtime
 * schemas `@aws-sdk/client-sagemaker` publishes (Smithy "static schemas"; build-pipeline/test/describe-shapes.test.ts
 * regenerates it and fails when it differs). Property paths are thus checked against the same source as the
 * TypeScript types, as the Python SDK checks them against botocore's service model, without importing the
 * SageMaker client: evaluating it costs about a third of a second, paid by every import of this package.
 */
export type LeafKind = 'string' | 'number' | 'boolean' | 'timestamp' | 'document' | 'blob';

/** A member's or element's shape: a leaf kind, the name of a shape in the table, or an unnamed list or map. */
export type ShapeRef = LeafKind | string | { readonly list: ShapeRef } | { readonly map: ShapeRef };

/** A named shape: a structure (unions and errors too) with its members, or a named list or map. */
export type ShapeDefinition =
  { readonly members: Readonly<Record<string, ShapeRef>> } | { readonly list: ShapeRef } | { readonly map: ShapeRef };

export type ShapeTable = Readonly<Record<string, ShapeDefinition>>;

export type ShapeInfo =
  | { readonly kind: 'structure'; readonly name: string; readonly members: ReadonlyMap<string, ShapeRef> }
  | { readonly kind: 'list' | 'map'; readonly name: string; readonly value: ShapeRef }
  | { readonly kind: 'leaf'; readonly leaf: LeafKind };

const LEAF_KINDS: readonly LeafKind[] = ['string', 'number', 'boolean', 'timestamp', 'document', 'blob'];

const named = new Map<string, ShapeInfo>();

function isLeafKind(ref: string): ref is LeafKind {
  return (LEAF_KINDS as readonly string[]).includes(ref);
}

function namedShape(name: string): ShapeInfo {
  const cached = named.get(name);
  if (cached) return cached;
  const definition = Object.hasOwn(DESCRIBE_SHAPES, name) ? DESCRIBE_SHAPES[name] : undefined;
  if (definition === undefined) throw new Error(`shape table: no shape named ${name} (regenerate the table)`);
  const info: ShapeInfo =
    'members' in definition
      ? { kind: 'structure', name, members: new Map(Object.entries(definition.members)) }
      : 'list' in definition
        ? { kind: 'list', name, value: definition.list }
        : { kind: 'map', name, value: definition.map };
  named.set(name, info);
  return info;
}

/** Classifies a shape reference: a structure (with members), a list or map (with its value), or a leaf. */
export function shapeOf(ref: ShapeRef): ShapeInfo {
  if (typeof ref !== 'string') {
    return 'list' in ref
      ? { kind: 'list', name: 'list', value: ref.list }
      : { kind: 'map', name: 'map', value: ref.map };
  }
  return isLeafKind(ref) ? { kind: 'leaf', leaf: ref } : namedShape(ref);
}
