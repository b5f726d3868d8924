import { beforeEach, describe, expect, it, jest } from '@jest/globals';
import type { EndpointTestOptions, EndpointTestResult } from '@slipway/deploy-pipeline';
import { createCoreFake } from '../../../test/support/core-fake.js';

const core = createCoreFake();
const testEndpoint = jest.fn<(options: EndpointTestOptions) => Promise<EndpointTestResult>>();
const actual = await import('@slipway/deploy-pipeline');
jest.unstable_mockModule('@actions/core', () => core.module);
jest.unstable_mockModule('@slipway/deploy-pipeline', () => ({ ...actual, testEndpoint }));
const { run } = await import('../src/main.js');

function result(overrides: Partial<EndpointTestResult> = {}): EndpointTestResult {
  return {
    endpointName: 'sentiment-staging',
    passed: true,
    accuracy: 0.9,
    correct: 27,
    total: 30,
    latency: { p50Ms: 12.5, p95Ms: 40.1, maxMs: 52 },
    thresholds: { minAccuracy: 0.7, maxP95LatencyMs: 1000 },
    failures: [],
    mistakes: [],
    ...overrides,
  };
}

describe('test-endpoint main', () => {
  beforeEach(() => {
    testEndpoint.mockReset();
  });

  it('tests the stage endpoint with the stage thresholds and the committed samples, and reports', async () => {
    core.reset({ stage: 'staging' });
    testEndpoint.mockResolvedValue(result());
    await run();
    expect(core.failures).toEqual([]);
    const options = testEndpoint.mock.calls[0]?.[0];
    expect(options).toMatchObject({
      endpointName: 'sentiment-staging',
      thresholds: { minAccuracy: 0.7, maxP95LatencyMs: 1000 },
      backend: { kind: 'aws', region: 'us-east-1' },
    });
    expect(options?.samples).toHaveLength(30);
    expect(core.outputs).toEqual({ passed: 'true', accuracy: '0.9000', 'p50-ms': '12.5', 'p95-ms': '40.1' });
    expect(core.summaryText()).toMatch(
      /Endpoint tests: staging \(sentiment-staging\) passed[\s\S]*Accuracy \| 90\.0% \(27\/30\) \| ≥ 70\.0% \| pass[\s\S]*Latency p95 \| 40\.1 ms/,
    );
  });

  it('lets inputs override the endpoint and thresholds', async () => {
    core.reset({ stage: 'prod', 'endpoint-name': 'canary-prod', 'min-accuracy': '0.95', 'max-p95-latency-ms': '80' });
    testEndpoint.mockResolvedValue(result({ endpointName: 'canary-prod' }));
    await run();
    expect(testEndpoint.mock.calls[0]?.[0]).toMatchObject({
      endpointName: 'canary-prod',
      thresholds: { minAccuracy: 0.95, maxP95LatencyMs: 80 },
    });
  });

  it('fails the job below the thresholds, after writing the summary', async () => {
    core.reset({ stage: 'staging' });
    testEndpoint.mockResolvedValue(
      result({
        passed: false,
        accuracy: 0.5,
        correct: 15,
        failures: ['Accuracy 50.0% is below the minimum 70.0%'],
        mistakes: [{ text: 'meh', expected: 'neutral', predicted: 'positive' }],
      }),
    );
    await run();
    expect(core.failures).toEqual(['The staging endpoint failed its tests: Accuracy 50.0% is below the minimum 70.0%']);
    expect(core.outputs.passed).toBe('false');
    expect(core.summaryText()).toMatch(/FAILED[\s\S]*- Accuracy 50\.0% is below[\s\S]*neutral → positive: meh/);
  });

  it.each([
    [{}, 'input stage is required'],
    [{ stage: 'qa' }, "must be one of the project's stages"],
    [{ stage: 'staging', 'min-accuracy': '70' }, 'input min-accuracy must be a number from 0 to 1, got "70"'],
    [{ stage: 'staging', samples: 'missing.jsonl' }, 'missing.jsonl cannot be read'],
  ])('fails the step on bad inputs %j', async (inputs, message) => {
    core.reset(inputs);
    await run();
    expect(core.failures[0]).toContain(message);
    expect(testEndpoint).not.toHaveBeenCalled();
  });
});
