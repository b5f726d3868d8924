import { inspect } from 'node:util';
import { ValidationError } from '@slipway/core';
import type { PathSegment, StepHandle } from '../dsl/pipeline-variable.js';
import type { PropertyRoot, PropertyRoots } from './property-roots.js';
import { shapeOf, type ShapeInfo } from './shape-schema.js';
import { StepProperty, formatPath } from './step-property.js';

type LeafValue<T> = T extends string ? string : T extends number ? number : T extends boolean ? boolean : string;

/**
 * The typed view of a Describe* response: structures expose their members, lists and maps are indexed by
 * position or key, and every scalar is a `StepProperty`. A misspelt member is a type error.
 */
export type PropertyTree<T> = [T] extends [string | number | boolean | Date]
  ? StepProperty<LeafValue<T>>
  : [T] extends [Uint8Array]
    ? never
    : [T] extends [readonly (infer E)[]]
      ? PropertyCollection<E>
      : [T] extends [object]
        ? string extends keyof T
          ? PropertyCollection<T[keyof T & string]>
          : PropertyStruct<T>
        : never;

export type PropertyStruct<T> = { readonly [K in keyof T]-?: PropertyTree<NonNullable<T[K]>> };

/** A list or map: `[0]` or `['name']` (lists of named things, such as processing outputs, take names too). */
export interface PropertyCollection<E> {
  readonly [key: string]: PropertyTree<NonNullable<E>>;
}

const NODE = Symbol('slipway.propertyNode');

/** True for a structure, list or map node: something that is not a single value. */
export function propertyNodePath(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const path = (value as { [NODE]?: string })[NODE];
  return typeof path === 'string' ? path : undefined;
}

const INDEX = /^(0|[1-9]\d*)$/;

function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i++) {
    let previous = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const current = row[j]!;
      row[j] = Math.min(
        row[j]! + 1,
        row[j - 1]! + 1,
        previous + (a[i - 1]!.toLowerCase() === b[j - 1]!.toLowerCase() ? 0 : 1),
      );
      previous = current;
    }
  }
  return row[b.length]!;
}

function suggestion(wanted: string, members: Iterable<string>): string {
  const ranked = [...members]
    .map((name) => ({ name, score: distance(wanted, name) }))
    .sort((a, b) => a.score - b.score);
  const close = ranked.filter((entry) => entry.score <= Math.max(2, wanted.length / 3)).map((entry) => entry.name);
  return close.length > 0
    ? `did you mean ${close.slice(0, 3).join(' or ')}?`
    : `members: ${ranked
        .map((entry) => entry.name)
        .sort()
        .slice(0, 12)
        .join(', ')}${ranked.length > 12 ? ', …' : ''}`;
}

function node(step: StepHandle, path: readonly PathSegment[], shape: ShapeInfo): unknown {
  if (shape.kind === 'leaf') return new StepProperty(step, path, shape.leaf);
  const describe = (): string => `Steps.${step.name}${formatPath(path)}`;
  return new Proxy(Object.create(null) as object, {
    get(_target, key) {
      if (key === NODE) return describe();
      if (key === inspect.custom) return () => `[${shape.name} ${describe()}]`;
      // Promise resolution and JSON.stringify probe these; a node is neither thenable nor serialisable.
      if (typeof key === 'symbol' || key === 'then' || key === 'toJSON') return undefined;
      if (shape.kind === 'structure') {
        const member = shape.members.get(key);
        if (member === undefined) {
          throw new ValidationError({
            where: step.name,
            field: `properties${formatPath(path)}`,
            problem: `has no member "${key}" (${shape.name})`,
            fix: suggestion(key, shape.members.keys()),
          });
        }
        return node(step, [...path, { kind: 'member', name: key }], shapeOf(member));
      }
      const segment: PathSegment =
        shape.kind === 'list' && INDEX.test(key) ? { kind: 'index', index: Number(key) } : { kind: 'key', key };
      return node(step, [...path, segment], shapeOf(shape.value));
    },
  });
}

/** The property tree of a step whose Describe* response is the shape `root`. */
export function createProperties<R extends PropertyRoot>(step: StepHandle, root: R): PropertyStruct<PropertyRoots[R]> {
  return node(step, [], shapeOf(root)) as PropertyStruct<PropertyRoots[R]>;
}
