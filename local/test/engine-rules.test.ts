import { describe, expect, it } from '@jest/globals';
import { ValidationError } from '@slipway/core';
import { cacheKey } from '../src/engine/cache-key.js';
import { parseExpireAfter } from '../src/engine/durations.js';
import { pipelineResourceName } from '../src/engine/naming.js';
import { resolveParameters } from '../src/engine/parameters.js';
import { DEFAULT_MAX_RETRIES, nextRetry, type RetryPolicy } from '../src/engine/retry.js';
import { finalStatus, planNext, type GraphNode, type NodeState } from '../src/engine/scheduler.js';

describe('parseExpireAfter', () => {
  it('reads ISO-8601 durations and the short forms the SageMaker guide shows', () => {
    const hour = 3_600_000;
    const day = 24 * hour;
    expect(parseExpireAfter('PT1H')).toBe(hour);
    expect(parseExpireAfter('P30D')).toBe(30 * day);
    expect(parseExpireAfter('30d')).toBe(30 * day);
    expect(parseExpireAfter('5y')).toBe(5 * 365 * day);
    expect(parseExpireAfter('T16m')).toBe(16 * 60_000);
    expect(parseExpireAfter('30dT5h')).toBe(30 * day + 5 * hour);
    expect(parseExpireAfter('P1M')).toBe(30 * day);
    expect(parseExpireAfter('P2W')).toBe(14 * day);
    expect(parseExpireAfter('PT1.5H')).toBe(1.5 * hour);
  });

  it('refuses anything else, saying what it accepts', () => {
    for (const bad of ['', 'P', 'PT', '1 hour', 'PT1X', 'T', 42]) {
      expect(() => parseExpireAfter(bad)).toThrow(/must be an ISO-8601 duration such as "PT1H"/);
    }
  });
});

describe('cacheKey', () => {
  const args = {
    AppSpecification: { ImageUri: 'img', ContainerEntrypoint: ['python3', 'p.py'] },
    Environment: { A: '1' },
    ProcessingInputs: [{ InputName: 'code', S3Input: { S3Uri: 's3://b/code/abc/p.py' } }],
    ProcessingOutputConfig: { Outputs: [{ OutputName: 'o', S3Output: { S3Uri: 's3://b/exec-1/o' } }] },
    ProcessingResources: { ClusterConfig: { InstanceType: 'ml.m5.large' } },
  };

  it('depends only on the attributes SageMaker lists for the step type, in any key order', () => {
    const base = cacheKey('Processing', args)!;
    expect(base).toMatch(/^[0-9a-f]{64}$/);
    expect(cacheKey('Processing', { ...args, ProcessingOutputConfig: { Outputs: [] }, ProcessingResources: {} })).toBe(
      base,
    );
    expect(
      cacheKey('Processing', {
        ProcessingInputs: args.ProcessingInputs,
        Environment: args.Environment,
        AppSpecification: args.AppSpecification,
      }),
    ).toBe(base);
    expect(cacheKey('Processing', { ...args, Environment: { A: '2' } })).not.toBe(base);
    expect(
      cacheKey('Processing', {
        ...args,
        ProcessingInputs: [{ InputName: 'code', S3Input: { S3Uri: 's3://b/code/def/p.py' } }],
      }),
    ).not.toBe(base);
    expect(cacheKey('Training', args)).not.toBe(base);
  });

  it('has no key for step types that cannot be cached', () => {
    expect(cacheKey('Condition', {})).toBeUndefined();
    expect(cacheKey('RegisterModel', {})).toBeUndefined();
  });
});

describe('nextRetry', () => {
  const start = new Date('2026-01-01T00:00:00Z');
  const policy: RetryPolicy = {
    exceptionTypes: ['SageMaker.JOB_INTERNAL_ERROR'],
    intervalSeconds: 2,
    backoffRate: 3,
    maxAttempts: 3,
  };

  it('backs off exponentially until MaxAttempts retries', () => {
    const failure = ['Step.SERVICE_FAULT', 'SageMaker.JOB_INTERNAL_ERROR'];
    expect(nextRetry([policy], failure, 1, start, start)).toEqual({ delayMs: 2000 });
    expect(nextRetry([policy], failure, 2, start, start)).toEqual({ delayMs: 6000 });
    expect(nextRetry([policy], failure, 3, start, start)).toEqual({ delayMs: 18000 });
    expect(nextRetry([policy], failure, 4, start, start)).toBeUndefined();
  });

  it('retries only failures a policy names, never algorithm errors', () => {
    expect(nextRetry([policy], ['Step.THROTTLING'], 1, start, start)).toBeUndefined();
    expect(nextRetry([policy], [], 1, start, start)).toBeUndefined();
    expect(nextRetry([], ['SageMaker.JOB_INTERNAL_ERROR'], 1, start, start)).toBeUndefined();
  });

  it('stops at ExpireAfterMin, and uses the local default when neither limit is set', () => {
    const expiring: RetryPolicy = {
      exceptionTypes: ['Step.SERVICE_FAULT'],
      intervalSeconds: 60,
      backoffRate: 2,
      expireAfterMin: 2,
    };
    expect(nextRetry([expiring], ['Step.SERVICE_FAULT'], 1, start, new Date(start.getTime() + 30_000))).toEqual({
      delayMs: 60_000,
    });
    expect(nextRetry([expiring], ['Step.SERVICE_FAULT'], 2, start, new Date(start.getTime() + 90_000))).toBeUndefined();
    const unlimited: RetryPolicy = { exceptionTypes: ['Step.SERVICE_FAULT'], intervalSeconds: 1, backoffRate: 1 };
    expect(nextRetry([unlimited], ['Step.SERVICE_FAULT'], DEFAULT_MAX_RETRIES, start, start)).toBeDefined();
    expect(nextRetry([unlimited], ['Step.SERVICE_FAULT'], DEFAULT_MAX_RETRIES + 1, start, start)).toBeUndefined();
  });
});

describe('planNext', () => {
  const nodes: GraphNode[] = [
    { name: 'A', upstream: [] },
    { name: 'B', upstream: [] },
    { name: 'C', upstream: ['A', 'B'] },
    { name: 'Cond', upstream: ['C'] },
    { name: 'Yes', upstream: ['Cond'], branch: { condition: 'Cond', outcome: true } },
    { name: 'No', upstream: ['Cond'], branch: { condition: 'Cond', outcome: false } },
    { name: 'AfterNo', upstream: ['No'] },
    { name: 'AfterBoth', upstream: ['Yes', 'C'] },
  ];
  const states = (entries: [string, NodeState][]) => new Map(entries);

  it('starts ready steps in graph order up to the parallel limit', () => {
    expect(planNext(nodes, states([]), { maxParallel: 50, halted: false })).toEqual({ start: ['A', 'B'], skip: [] });
    expect(planNext(nodes, states([]), { maxParallel: 1, halted: false }).start).toEqual(['A']);
    expect(planNext(nodes, states([['A', { status: 'running' }]]), { maxParallel: 1, halted: false }).start).toEqual(
      [],
    );
    expect(planNext(nodes, states([['A', { status: 'succeeded' }]]), { maxParallel: 5, halted: false }).start).toEqual([
      'B',
    ]);
  });

  it('skips the untaken branch and everything downstream of it', () => {
    const done = states([
      ['A', { status: 'succeeded' }],
      ['B', { status: 'succeeded' }],
      ['C', { status: 'succeeded' }],
      ['Cond', { status: 'succeeded', outcome: true }],
    ]);
    expect(planNext(nodes, done, { maxParallel: 5, halted: false })).toEqual({
      start: ['Yes'],
      skip: ['No', 'AfterNo'],
    });
    const otherWay = new Map(done).set('Cond', { status: 'succeeded', outcome: false });
    expect(planNext(nodes, otherWay, { maxParallel: 5, halted: false })).toEqual({
      start: ['No'],
      skip: ['Yes', 'AfterBoth'],
    });
  });

  it('starts nothing once halted, and never starts steps behind a failure', () => {
    expect(planNext(nodes, states([]), { maxParallel: 5, halted: true }).start).toEqual([]);
    const failed = states([
      ['A', { status: 'failed' }],
      ['B', { status: 'succeeded' }],
    ]);
    expect(planNext(nodes, failed, { maxParallel: 5, halted: false }).start).toEqual([]);
  });

  it('decides the final status', () => {
    expect(finalStatus(states([['A', { status: 'succeeded' }]]), false)).toBe('Succeeded');
    expect(finalStatus(states([['A', { status: 'failed' }]]), false)).toBe('Failed');
    expect(finalStatus(states([['A', { status: 'stopped' }]]), true)).toBe('Stopped');
  });
});

describe('resolveParameters', () => {
  const declared = [
    { name: 'N', type: 'Integer' as const, defaultValue: 1 },
    { name: 'B', type: 'Boolean' as const },
  ];
  it('types the overrides, applies defaults, and reports every value as text', () => {
    const resolved = resolveParameters(declared, [{ Name: 'B', Value: 'False' }], 'p');
    expect(resolved.values).toEqual({ N: 1, B: false });
    expect(resolved.assignments).toEqual([
      { Name: 'N', Value: '1' },
      { Name: 'B', Value: 'false' },
    ]);
  });
  it('collects every problem', () => {
    expect(() =>
      resolveParameters(
        declared,
        [
          { Name: 'N', Value: '1.5' },
          { Name: 'N', Value: '2' },
        ],
        'p',
      ),
    ).toThrow(ValidationError);
    try {
      resolveParameters(
        declared,
        [
          { Name: 'N', Value: '1.5' },
          { Name: 'N', Value: '2' },
        ],
        'p',
      );
    } catch (error) {
      expect((error as ValidationError).issues.map((i) => i.problem)).toEqual([
        'for N (Integer) must be a whole number, got "1.5"',
        'gives parameter N twice',
        'has no default value and was not given',
      ]);
    }
  });
});

describe('pipelineResourceName', () => {
  it('follows pipelines-<execution id>-<step>-<suffix> within 63 characters and the job name pattern', () => {
    expect(pipelineResourceName('abcdefghij12', 'Train')).toMatch(/^pipelines-abcdefghij12-Train-[A-Za-z0-9]{10}$/);
    const long = pipelineResourceName('abcdefghij12', 'a_very_long_step_name_with_underscores_and_more');
    expect(long.length).toBeLessThanOrEqual(63);
    expect(long).toMatch(/^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$/);
  });
});
