import { describe, expect, it } from '@jest/globals';
import { canonicalJson } from '@slipway/core';

describe('canonicalJson', () => {
  it('canonical JSON sorts keys at every level and keeps list order', () => {
    expect(canonicalJson({ b: 1, a: { d: [2, { z: 1, y: 2 }], c: null } })).toBe(
      '{"a":{"c":null,"d":[2,{"y":2,"z":1}]},"b":1}',
    );
  });

  it('drops undefined members and writes undefined list items as null, as JSON.stringify does', () => {
    const value = { b: undefined, a: [undefined, 1] };
    expect(canonicalJson(value)).toBe('{"a":[null,1]}');
    expect(canonicalJson(value)).toBe(JSON.stringify({ a: [undefined, 1] }));
    expect(canonicalJson(undefined)).toBe('null');
  });
});
