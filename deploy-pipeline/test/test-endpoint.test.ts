import { beforeAll, describe, expect, it } from '@jest/globals';
import { join } from 'node:path';
import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { ValidationError, type Backend } from '@slipway/core';
import {
  endpointTestRows,
  loadLabelledSamples,
  parsePredictions,
  percentile,
  testEndpoint,
  DEFAULT_SAMPLES_PATH,
  type LabelledSample,
} from '../src/index.js';
import { REPO_ROOT, describeWithMoto } from './support/moto-server.js';
import { answersFor, queueEndpointAnswers } from './support/moto-runtime.js';

const samples = loadLabelledSamples(join(REPO_ROOT, DEFAULT_SAMPLES_PATH));
const thresholds = { minAccuracy: 0.7, maxP95LatencyMs: 1000 };

describe('labelled samples and response parsing', () => {
  it('keeps a balanced labelled set with the deploy code', () => {
    expect(samples).toHaveLength(30);
    for (const label of ['negative', 'neutral', 'positive'])
      expect(samples.filter((s) => s.label === label)).toHaveLength(10);
  });

  it('fails naming the line of every bad sample', () => {
    const dir = mkdtempSync(join(tmpdir(), 'samples-'));
    const path = join(dir, 'bad.jsonl');
    writeFileSync(
      path,
      '{"text": "fine", "label": "positive"}\nnot json\n{"text": "", "label": "positive"}\n{"text": "x", "label": "happy"}\n',
    );
    expect(() => loadLabelledSamples(path)).toThrow(ValidationError);
    expect(() => loadLabelledSamples(path)).toThrow(
      /bad.jsonl:2 is not valid JSON[\s\S]*bad.jsonl:3: text must be a non-empty string[\s\S]*bad.jsonl:4: label must be one of negative, neutral, positive, got "happy"/,
    );
  });

  it.each([
    ['{"predictions": ["positive", "neutral"]}', 2, { labels: ['positive', 'neutral'] }],
    ['["negative"]', 1, { labels: ['negative'] }],
    ['{"predictions": [{"label": "neutral", "probabilities": [0.1, 0.8, 0.1]}]}', 1, { labels: ['neutral'] }],
    ['<html>', 1, { error: 'the response is not JSON: <html>' }],
    ['{"result": "positive"}', 1, { error: 'the response is neither a list nor an object with a "predictions" list' }],
    ['["positive"]', 2, { error: 'the response holds 1 predictions for 2 instances' }],
    ['["4 stars"]', 1, { error: 'prediction 0 is "4 stars", not one of negative, neutral, positive' }],
  ])('parses %s', (body, expected, result) => {
    expect(parsePredictions(body, expected)).toEqual(result);
  });

  it('computes nearest-rank percentiles', () => {
    const sorted = Array.from({ length: 20 }, (_, i) => i + 1);
    expect([percentile(sorted, 50), percentile(sorted, 95), percentile(sorted, 100), percentile([], 95)]).toEqual([
      10, 19, 20, 0,
    ]);
  });
});

describeWithMoto('testEndpoint (against moto SageMaker Runtime)', (moto) => {
  let backend: Backend;
  beforeAll(async () => {
    backend = { kind: 'local', region: moto().region, endpoint: moto().url, credentials: moto().credentials };
  });

  // moto remembers the answer given to each request body (whatever the endpoint), so each test marks its
  // review texts to send bodies moto has not seen.
  const run = async (endpointName: string, set: readonly LabelledSample[], answers: string[], clock?: () => number) => {
    await queueEndpointAnswers(moto(), answers);
    const marked = set.map((sample) => ({ ...sample, text: `[${endpointName}] ${sample.text}` }));
    return testEndpoint({ endpointName, samples: marked, thresholds, backend }, clock ? { now: clock } : {});
  };

  it('passes when the labelled samples are predicted and latency is low', async () => {
    const result = await run('pass', samples, answersFor(samples));
    expect(result).toMatchObject({ passed: true, accuracy: 1, correct: 30, total: 30, failures: [], mistakes: [] });
    expect(result.latency.p95Ms).toBeGreaterThan(0);
    expect(endpointTestRows(result)[1]).toEqual(['Accuracy', '100.0% (30/30)', '≥ 70.0%', 'pass']);
  });

  it('fails below the minimum accuracy and lists the mistakes', async () => {
    // The first 15 answers say neutral: 10 of those reviews are positive or negative.
    const labels = samples.map((sample, index) => (index < 15 ? 'neutral' : sample.label));
    const result = await run('inaccurate', samples, answersFor(samples, labels));
    expect(result).toMatchObject({ passed: false, correct: 20, total: 30 });
    expect(result.failures).toEqual(['Accuracy 66.7% is below the minimum 70.0%']);
    expect(result.mistakes).toHaveLength(10);
    expect(result.mistakes[0]).toMatchObject({ expected: 'positive', predicted: 'neutral' });
    expect(endpointTestRows(result)[1]?.[3]).toBe('FAIL');
  });

  it('fails when p95 latency is above the threshold', async () => {
    let tick = 0;
    // Each request takes 5 s by this clock.
    const clock = () => (tick++ % 2 === 0 ? 0 : 5000);
    const result = await run('slow', samples.slice(0, 3), answersFor(samples.slice(0, 3)), clock);
    expect(result.latency).toEqual({ p50Ms: 5000, p95Ms: 5000, maxMs: 5000 });
    expect(result.failures).toEqual(['p95 latency 5000 ms is above the maximum 1000 ms']);
  });

  it('fails on answers of the wrong shape', async () => {
    const set = samples.slice(0, 2);
    const result = await run('shapeless', set, [
      JSON.stringify({ predictions: ['positive'] }),
      '"positive"',
      JSON.stringify(['meh']),
    ]);
    expect(result.passed).toBe(false);
    expect(result.failures).toEqual([
      'Batch request: the response holds 1 predictions for 2 instances',
      'Sample 1: the response is neither a list nor an object with a "predictions" list',
      'Sample 2: prediction 0 is "meh", not one of negative, neutral, positive',
      'Accuracy 0.0% is below the minimum 70.0%',
    ]);
  });
});
