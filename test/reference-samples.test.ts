/**
 * The sample events the tests carry (test/fixtures/events) stand for published samples. Where the optional
 * shared reference is present, this checks that each has the published sample's keys, in the same types, so
 * the tests that use them test the real formats.
 */
import { expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { carriedEvent, describeWithSharedReference, type CarriedEventName } from './support/reference-data.js';

/** Each leaf's key path (array elements as `[]`) and JSON type. */
function typesByPath(value: unknown, prefix = '', out = new Map<string, string>()): Map<string, string> {
  if (Array.isArray(value)) {
    if (value.length === 0) out.set(`${prefix}[]`, 'empty');
    value.forEach((item) => typesByPath(item, `${prefix}[]`, out));
  } else if (value !== null && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) typesByPath(item, prefix ? `${prefix}.${key}` : key, out);
  } else out.set(prefix, value === null ? 'null' : typeof value);
  return out;
}

const PUBLISHED: Record<CarriedEventName, string> = {
  'model-package-state-change': 'aws-docs-model-package-state-change.json',
  'model-package-state-change-duplicate-source': 'aws-docs-model-package-state-change.json',
  'pipeline-execution-status-change': 'aws-docs-pipeline-execution-status-change.json',
  'repository-dispatch-request': 'github-docs-repository-dispatch-request-example.json',
};

describeWithSharedReference('events', 'the carried sample events against the published samples', (dir) => {
  const published = (name: CarriedEventName): Record<string, unknown> =>
    JSON.parse(readFileSync(join(dir, PUBLISHED[name]), 'utf8')) as Record<string, unknown>;

  it.each(['model-package-state-change-duplicate-source', 'pipeline-execution-status-change'] as const)(
    '%s has the same keys, in the same order and types, as the published sample',
    (name) => {
      const ours = carriedEvent(name);
      const theirs = published(name);
      expect(Object.keys(ours)).toEqual(Object.keys(theirs));
      expect(typesByPath(ours)).toEqual(typesByPath(theirs));
    },
  );

  it('the model package sample is the published one with "source" written once, as a string', () => {
    const theirs = { ...published('model-package-state-change'), source: 'aws.sagemaker' };
    const ours = carriedEvent('model-package-state-change');
    expect(Object.keys(ours)).toEqual(Object.keys(theirs));
    expect(typesByPath(ours)).toEqual(typesByPath(theirs));
  });

  it('the dispatch request has the top-level shape GitHub documents', () => {
    const ours = carriedEvent('repository-dispatch-request');
    const theirs = published('repository-dispatch-request');
    expect(Object.keys(ours)).toEqual(Object.keys(theirs));
    expect(typeof ours['event_type']).toBe(typeof theirs['event_type']);
    expect(typeof ours['client_payload']).toBe(typeof theirs['client_payload']);
  });
});
