import { describe, expect, it } from '@jest/globals';
import {
  INPUT_TRANSFORMER_LIMITS,
  ValidationError,
  applyInputTransformer,
  readEventPath,
  validateInputTransformer,
  type InputTransformer,
} from '@slipway/core';

const event = {
  version: '0',
  id: 'e-1',
  source: 'aws.sagemaker',
  time: '2026-01-02T03:04:05Z',
  detail: { name: 'ab"c', count: 2, list: ['x', 'y'], nested: { a: 1 }, empty: null },
};
const rule = { name: 'approved', arn: 'arn:aws:events:us-east-1:000000000000:rule/approved' };

const render = (InputTemplate: string): string =>
  applyInputTransformer(
    {
      InputPathsMap: {
        name: '$.detail.name',
        count: '$.detail.count',
        first: '$.detail.list[0]',
        nested: '$.detail.nested',
        empty: '$.detail.empty',
        gone: '$.detail.missing',
      },
      InputTemplate,
    },
    event,
    rule,
  );

describe('applyInputTransformer: JSON templates', () => {
  it('inserts values as JSON outside quotes', () => {
    expect(JSON.parse(render('{"n": <name>, "c": <count>, "o": <nested>, "f": <first>}'))).toEqual({
      n: 'ab"c',
      c: 2,
      o: { a: 1 },
      f: 'x',
    });
    expect(JSON.parse(render('[<count>, "<first>"]'))).toEqual([2, 'x']);
  });

  it('inserts the text of a value inside quotes (a number becomes a string), wherever it stands in the string', () => {
    expect(JSON.parse(render('{"s": "<count> of <first>"}'))).toEqual({ s: '2 of x' });
    expect(JSON.parse(render('{"s": "v<count>", "o": "<nested>"}'))).toEqual({ s: 'v2', o: '{"a":1}' });
  });

  it('escapes inserted text so the output stays JSON, also after escaped quotes in the template', () => {
    expect(JSON.parse(render('{"s": "<name>"}'))).toEqual({ s: 'ab"c' });
    expect(JSON.parse(render('{"s": "say \\"<name>\\"", "c": <count>}'))).toEqual({ s: 'say "ab"c"', c: 2 });
  });

  it('renders a missing path as null outside quotes and as nothing inside them', () => {
    expect(JSON.parse(render('{"a": <gone>, "b": "[<gone>]"}'))).toEqual({ a: null, b: '[]' });
  });

  it('renders a present null as null outside quotes and as nothing inside them', () => {
    expect(JSON.parse(render('{"a": <empty>, "b": "[<empty>]"}'))).toEqual({ a: null, b: '[]' });
  });
});

describe('applyInputTransformer: plain-text templates', () => {
  it('inserts the text of each value as it is, and nothing for a missing path', () => {
    expect(render('<name> has <count> items, first <first> [<gone>]')).toBe('ab"c has 2 items, first x []');
  });

  it('leaves placeholders that name no variable alone', () => {
    expect(render('<unknown> <count>')).toBe('<unknown> 2');
  });
});

describe('applyInputTransformer: reserved aws.events variables', () => {
  it('gives the rule, the ingestion time, the event without detail and the whole event', () => {
    const output = JSON.parse(
      render(
        '{"rule": "<aws.events.rule-name>", "arn": <aws.events.rule-arn>, "at": "<aws.events.event.ingestion-time>",' +
          ' "envelope": <aws.events.event>, "event": <aws.events.event.json>}',
      ),
    ) as Record<string, unknown>;
    expect(output).toEqual({
      rule: 'approved',
      arn: rule.arn,
      at: '2026-01-02T03:04:05Z',
      envelope: { version: '0', id: 'e-1', source: 'aws.sagemaker', time: '2026-01-02T03:04:05Z' },
      event,
    });
  });

  it('refuses a template that names the rule when no rule is given', () => {
    expect(() => applyInputTransformer({ InputTemplate: '{"r": "<aws.events.rule-name>"}' }, event)).toThrow(
      /names the rule, but no rule was given/,
    );
    expect(applyInputTransformer({ InputTemplate: '"<aws.events.event.ingestion-time>"' }, event)).toBe(
      '"2026-01-02T03:04:05Z"',
    );
  });
});

describe('readEventPath', () => {
  it('reads names and indexes, and nothing where the path leads nowhere', () => {
    expect(readEventPath(event, '$.detail.list[1]')).toBe('y');
    expect(readEventPath(event, '$')).toBe(event);
    expect(readEventPath(event, '$.detail.empty')).toBeNull();
    expect(readEventPath(event, '$.detail.list[5]')).toBeUndefined();
    expect(readEventPath(event, '$.detail.list.length')).toBeUndefined();
    expect(readEventPath(event, '$.detail.nested[0]')).toBeUndefined();
    expect(readEventPath(event, '$.detail.constructor')).toBeUndefined();
    expect(readEventPath(event, '$.detail.name.length')).toBeUndefined();
  });

  it('refuses JSON path syntax EventBridge does not accept', () => {
    expect(() => readEventPath(event, '$..name')).toThrow(/not a JSON path EventBridge accepts/);
    expect(() => readEventPath(event, 'detail.name')).toThrow(/not a JSON path/);
  });
});

describe('validateInputTransformer', () => {
  const problems = (transformer: unknown): string => {
    try {
      validateInputTransformer(transformer as InputTransformer, 'target t');
    } catch (error) {
      expect(error).toBeInstanceOf(ValidationError);
      return (error as Error).message;
    }
    throw new Error('expected the transformer to be rejected');
  };

  it('accepts the dispatch-style transformer', () => {
    expect(() =>
      validateInputTransformer({
        InputPathsMap: { arn: '$.detail.ModelPackageArn', first: '$.resources[0]' },
        InputTemplate: '{"model_package_arn": "<arn>"}',
      }),
    ).not.toThrow();
  });

  it('names the field and the rule for each kind of mistake', () => {
    expect(problems({})).toMatch(/target t: InputTemplate is required/);
    expect(problems({ InputTemplate: 'x'.repeat(INPUT_TRANSFORMER_LIMITS.maxTemplateLength + 1) })).toMatch(
      /must be at most 8192 characters, got 8193/,
    );
    expect(problems({ InputTemplate: 'x', InputPathsMap: { 'aws.events.x': '$.a' } })).toMatch(
      /InputPathsMap\.aws\.events\.x uses the reserved prefix "aws\.events\."/,
    );
    expect(problems({ InputTemplate: 'x', InputPathsMap: { 'a b': '$.a' } })).toMatch(/must be a name of letters/);
    expect(problems({ InputTemplate: 'x', InputPathsMap: { a: 'detail.a' } })).toMatch(
      /InputPathsMap\.a must be a JSON path such as/,
    );
    const many = Object.fromEntries(Array.from({ length: 101 }, (_, i) => [`v${i}`, '$.a']));
    expect(problems({ InputTemplate: 'x', InputPathsMap: many })).toMatch(/at most 100 variables, got 101/);
  });

  it('reports every problem at once', () => {
    expect(problems({ InputTemplate: '', InputPathsMap: { a: '$..a' } })).toMatch(/^2 problems:/);
  });
});
