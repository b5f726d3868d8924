import { describe, expect, it } from '@jest/globals';
import {
  ValidationError,
  matchesEventPattern,
  parseEventPattern,
  validateEventPattern,
  type EventPattern,
} from '@slipway/core';

import { carriedEvent, carriedEventText } from '../../test/support/reference-data.js';

const approved = {
  version: '0',
  id: 'e1',
  'detail-type': 'SageMaker Model Package State Change',
  source: 'aws.sagemaker',
  account: '123456789012',
  time: '2021-02-24T17:00:14Z',
  region: 'us-east-2',
  resources: ['arn:aws:sagemaker:us-east-2:123456789012:model-package/sentiment/2'],
  detail: {
    ModelPackageGroupName: 'sentiment-models',
    ModelPackageVersion: 2,
    ModelApprovalStatus: 'Approved',
    Score: 0.93,
    Empty: null,
    Tags: ['prod', 'nlp'],
    Containers: [{ Image: 'a:1', Port: 8080 }, { Image: 'b:2' }],
    Source: { Ip: '10.0.3.7', Host: 'build-7.example.com' },
  },
};

const match = (pattern: object, event: unknown = approved) => matchesEventPattern(parseEventPattern(pattern), event);

describe('matchesEventPattern', () => {
  it('matches exact strings, numbers (numerically), booleans and null, all keys ANDed', () => {
    expect(match({ source: ['aws.sagemaker'], detail: { ModelApprovalStatus: ['Approved'] } })).toBe(true);
    expect(match({ source: ['aws.sagemaker'], detail: { ModelApprovalStatus: ['Rejected'] } })).toBe(false);
    expect(match({ detail: { ModelPackageVersion: [2.0] } })).toBe(true);
    expect(match({ detail: { ModelPackageVersion: ['2'] } })).toBe(false);
    expect(match({ detail: { Empty: [null] } })).toBe(true);
    expect(match({ detail: { Missing: [null] } })).toBe(false);
    expect(match({ detail: { Flag: [true] } }, { detail: { Flag: true } })).toBe(true);
    expect(match({ detail: { Flag: [true] } }, { detail: { Flag: 'true' } })).toBe(false);
  });

  it('matches any of several values, and array fields when any element matches', () => {
    expect(match({ detail: { ModelApprovalStatus: ['Rejected', 'Approved'] } })).toBe(true);
    expect(match({ detail: { Tags: ['nlp'] } })).toBe(true);
    expect(match({ detail: { Tags: ['vision'] } })).toBe(false);
    expect(match({ detail: { Containers: { Image: ['b:2'] } } })).toBe(true);
    expect(match({ detail: { Containers: { Port: [8080] } } })).toBe(true);
    expect(match({ detail: { Containers: { Image: ['c:3'] } } })).toBe(false);
  });

  it('matches nested fields and fails when the parent is missing', () => {
    expect(match({ detail: { Source: { Ip: ['10.0.3.7'] } } })).toBe(true);
    expect(match({ detail: { Nope: { Ip: ['10.0.3.7'] } } })).toBe(false);
    expect(match({ detail: { Nope: { Ip: [{ exists: false }] } } })).toBe(true);
  });

  it('prefix and suffix, with equals-ignore-case variants, only on strings', () => {
    expect(match({ detail: { ModelPackageGroupName: [{ prefix: 'senti' }] } })).toBe(true);
    expect(match({ detail: { ModelPackageGroupName: [{ prefix: 'SENTI' }] } })).toBe(false);
    expect(match({ detail: { ModelPackageGroupName: [{ prefix: { 'equals-ignore-case': 'SENTI' } }] } })).toBe(true);
    expect(match({ detail: { ModelPackageGroupName: [{ suffix: '-models' }] } })).toBe(true);
    expect(match({ detail: { ModelPackageGroupName: [{ suffix: { 'equals-ignore-case': '-MODELS' } }] } })).toBe(true);
    expect(match({ detail: { ModelPackageVersion: [{ prefix: '2' }] } })).toBe(false);
    expect(match({ detail: { ModelApprovalStatus: [{ 'equals-ignore-case': 'approved' }] } })).toBe(true);
  });

  it('anything-but with a value, a list, numbers, prefix, suffix, equals-ignore-case and wildcard', () => {
    expect(match({ detail: { ModelApprovalStatus: [{ 'anything-but': 'Rejected' }] } })).toBe(true);
    expect(match({ detail: { ModelApprovalStatus: [{ 'anything-but': ['Approved', 'Rejected'] }] } })).toBe(false);
    expect(match({ detail: { ModelPackageVersion: [{ 'anything-but': [1, 3] }] } })).toBe(true);
    expect(match({ detail: { ModelPackageVersion: [{ 'anything-but': 2 }] } })).toBe(false);
    expect(match({ detail: { ModelPackageGroupName: [{ 'anything-but': { prefix: 'senti' } }] } })).toBe(false);
    expect(match({ detail: { ModelPackageGroupName: [{ 'anything-but': { suffix: '-dev' } }] } })).toBe(true);
    expect(
      match({ detail: { ModelApprovalStatus: [{ 'anything-but': { 'equals-ignore-case': ['APPROVED'] } }] } }),
    ).toBe(false);
    expect(match({ detail: { ModelPackageGroupName: [{ 'anything-but': { wildcard: '*-models' } }] } })).toBe(false);
    // anything-but needs the field to be there
    expect(match({ detail: { Missing: [{ 'anything-but': 'x' }] } })).toBe(false);
    // on an array, any element other than the excluded ones matches
    expect(match({ detail: { Tags: [{ 'anything-but': 'prod' }] } })).toBe(true);
  });

  it('numeric comparisons and ranges, never on strings', () => {
    expect(match({ detail: { Score: [{ numeric: ['>', 0.9] }] } })).toBe(true);
    expect(match({ detail: { Score: [{ numeric: ['>=', 0.9, '<', 0.93] }] } })).toBe(false);
    expect(match({ detail: { Score: [{ numeric: ['>', 0, '<=', 0.93] }] } })).toBe(true);
    expect(match({ detail: { ModelPackageVersion: [{ numeric: ['=', 2] }] } })).toBe(true);
    expect(match({ detail: { ModelApprovalStatus: [{ numeric: ['>', 0] }] } })).toBe(false);
    expect(match({ detail: { Containers: { Port: [{ numeric: ['<', 9000] }] } } })).toBe(true);
  });

  it('exists true/false on leaves', () => {
    expect(match({ detail: { ModelApprovalStatus: [{ exists: true }] } })).toBe(true);
    expect(match({ detail: { Missing: [{ exists: true }] } })).toBe(false);
    expect(match({ detail: { Missing: [{ exists: false }] } })).toBe(true);
    expect(match({ detail: { ModelApprovalStatus: [{ exists: false }] } })).toBe(false);
    expect(match({ detail: { Empty: [{ exists: true }] } })).toBe(true);
  });

  it('$or between sub-patterns, combined with the other keys', () => {
    const pattern = {
      source: ['aws.sagemaker'],
      detail: { $or: [{ ModelApprovalStatus: ['Rejected'] }, { Score: [{ numeric: ['>', 0.9] }] }] },
    };
    expect(match(pattern)).toBe(true);
    expect(match({ ...pattern, source: ['aws.s3'] })).toBe(false);
    expect(match({ $or: [{ source: ['x'] }, { 'detail-type': [{ prefix: 'SageMaker Model Package' }] }] })).toBe(true);
    expect(match({ $or: [{ source: ['x'] }, { region: ['eu-west-1'] }] })).toBe(false);
  });

  it('cidr on IPv4 and IPv6, and wildcard with escapes', () => {
    expect(match({ detail: { Source: { Ip: [{ cidr: '10.0.0.0/16' }] } } })).toBe(true);
    expect(match({ detail: { Source: { Ip: [{ cidr: '10.1.0.0/16' }] } } })).toBe(false);
    expect(match({ ip: [{ cidr: '2001:db8::/32' }] }, { ip: '2001:db8:0:1::7' })).toBe(true);
    expect(match({ ip: [{ cidr: '2001:db8::/32' }] }, { ip: '2001:db9::7' })).toBe(false);
    expect(match({ detail: { Source: { Host: [{ wildcard: 'build-*.example.com' }] } } })).toBe(true);
    expect(match({ detail: { Source: { Host: [{ wildcard: 'build-*.example.org' }] } } })).toBe(false);
    expect(match({ name: [{ wildcard: 'a\\*b' }] }, { name: 'a*b' })).toBe(true);
    expect(match({ name: [{ wildcard: 'a\\*b' }] }, { name: 'axxb' })).toBe(false);
  });

  it('an empty pattern matches every event', () => {
    expect(match({})).toBe(true);
  });
});

describe('validateEventPattern', () => {
  const problems = (pattern: unknown): string => {
    try {
      validateEventPattern(pattern);
    } catch (error) {
      expect(error).toBeInstanceOf(ValidationError);
      return (error as Error).message;
    }
    throw new Error('expected the pattern to be rejected');
  };

  it('accepts the project-style pattern', () => {
    const pattern: EventPattern = {
      source: ['aws.sagemaker'],
      'detail-type': ['SageMaker Model Package State Change'],
      detail: { ModelPackageGroupName: ['sentiment-models'], ModelApprovalStatus: ['Approved'] },
    };
    expect(() => validateEventPattern(pattern)).not.toThrow();
  });

  it('rejects malformed patterns naming the field and the rule', () => {
    expect(problems('nope')).toMatch(/must be a JSON object/);
    expect(problems({ source: 'aws.sagemaker' })).toMatch(/source must be a list of values or a nested pattern object/);
    expect(problems({ source: [] })).toMatch(/source must list at least one value/);
    expect(problems({ detail: {} })).toMatch(/detail must not be an empty object/);
    expect(problems({ a: [{ prefix: 1 }] })).toMatch(/a\[0\]\.prefix must be a string/);
    expect(problems({ a: [{ numeric: ['>', 'x'] }] })).toMatch(/value "x" must be a number/);
    expect(problems({ a: [{ numeric: ['<', 5, '>', 1] }] })).toMatch(/lower bound .* followed by an upper bound/);
    expect(problems({ a: [{ numeric: ['>', 5, '<', 1] }] })).toMatch(/lower bound 5 must be below the upper bound 1/);
    expect(problems({ a: [{ numeric: ['~', 5] }] })).toMatch(/operator "~" is not one of/);
    expect(problems({ a: [{ exists: 'yes' }] })).toMatch(/exists must be true or false/);
    expect(problems({ a: [{ 'anything-but': [] }] })).toMatch(/anything-but must be a non-empty list/);
    expect(problems({ a: [{ 'anything-but': ['x', 1] }] })).toMatch(/only strings or only numbers/);
    expect(problems({ a: [{ 'anything-but': { numeric: ['>', 1] } }] })).toMatch(/anything-but must be a value/);
    expect(problems({ a: [{ cidr: '10.0.0.0/40' }] })).toMatch(/cidr must be a CIDR block/);
    expect(problems({ a: [{ wildcard: 'a**b' }] })).toMatch(/consecutive "\*"/);
    expect(problems({ a: [{ unknown: 1 }] })).toMatch(/exactly one operator/);
    expect(problems({ a: [{ prefix: 'a', suffix: 'b' }] })).toMatch(/exactly one operator/);
    expect(problems({ $or: [{ a: ['x'] }] })).toMatch(/\$or must be a list of at least two pattern objects/);
  });

  it('reports every problem at once', () => {
    expect(problems({ a: [], b: 'x' })).toMatch(/^2 problems:/);
  });

  it('parses JSON text and says when it is not JSON', () => {
    expect(parseEventPattern('{"source":["aws.sagemaker"]}')).toEqual({ source: ['aws.sagemaker'] });
    expect(() => parseEventPattern('{source:')).toThrow(/is not valid JSON/);
  });
});

describe('the carried sample events (test/fixtures/events)', () => {
  const raw = carriedEventText('model-package-state-change-duplicate-source');
  const pattern = parseEventPattern({
    source: ['aws.sagemaker'],
    'detail-type': ['SageMaker Model Package State Change'],
    detail: { ModelPackageGroupName: ['reviews-sentiment-p-3k9x2m7q1z8w'], ModelApprovalStatus: ['Rejected'] },
  });

  it('copes with a duplicate "source" key, which parses to the last (an array), as in the published sample', () => {
    const parsed = JSON.parse(raw) as Record<string, unknown>;
    expect(parsed['source']).toEqual(['aws.sagemaker']);
    expect(matchesEventPattern(pattern, parsed)).toBe(true);
  });

  it('matches the model package sample, and the pipeline execution sample by status', () => {
    expect(matchesEventPattern(pattern, carriedEvent('model-package-state-change'))).toBe(true);
    const execution = carriedEvent('pipeline-execution-status-change');
    expect(
      matchesEventPattern(
        parseEventPattern({ detail: { currentPipelineExecutionStatus: ['Succeeded', 'Failed'] } }),
        execution,
      ),
    ).toBe(true);
    expect(
      matchesEventPattern(parseEventPattern({ detail: { currentPipelineExecutionStatus: ['Stopped'] } }), execution),
    ).toBe(false);
  });
});
