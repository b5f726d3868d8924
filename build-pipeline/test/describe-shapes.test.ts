/**
 * The shape table step properties are validated against is generated from the installed SageMaker client's
 * schemas and checked in (so importing the DSL does not load the client). This test regenerates it and
 * fails when the checked-in file differs; SLIPWAY_UPDATE_GENERATED=1 rewrites it instead.
 */
import { describe, expect, it } from '@jest/globals';
import { readFileSync, writeFileSync } from 'node:fs';
import { PROPERTY_ROOTS } from '../src/properties/property-roots.js';
import { shapeOf, type ShapeInfo } from '../src/properties/shape-schema.js';
import { DESCRIBE_SHAPES_FILE, describeShapesSource } from './support/describe-shapes-source.js';

describe('describe-shapes.generated.ts', () => {
  it('is exactly what regenerating it from the installed @aws-sdk/client-sagemaker gives', async () => {
    const expected = await describeShapesSource();
    if (process.env.SLIPWAY_UPDATE_GENERATED === '1') writeFileSync(DESCRIBE_SHAPES_FILE, expected);
    expect(readFileSync(DESCRIBE_SHAPES_FILE, 'utf8')).toBe(expected);
  });

  it('resolves every root and every shape a member names', () => {
    const pending = Object.keys(PROPERTY_ROOTS).map((root) => shapeOf(root));
    // Named shapes are cached objects, so a cycle through one ends here; unnamed lists and maps cannot cycle.
    const visited = new Set<ShapeInfo>();
    for (let shape = pending.pop(); shape !== undefined; shape = pending.pop()) {
      if (shape.kind === 'leaf' || visited.has(shape)) continue;
      visited.add(shape);
      const refs = shape.kind === 'structure' ? [...shape.members.values()] : [shape.value];
      pending.push(...refs.map((ref) => shapeOf(ref)));
    }
    expect(visited.size).toBeGreaterThan(Object.keys(PROPERTY_ROOTS).length);
  });
});
