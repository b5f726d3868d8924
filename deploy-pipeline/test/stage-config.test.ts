import { describe, expect, it } from '@jest/globals';
import { ValidationError } from '@slipway/core';
import { loadStageConfig, validateStageConfig } from '../src/index.js';
import { testProject } from './support/project.js';

const valid = {
  instanceType: 'ml.m5.large',
  initialInstanceCount: 2,
  variantName: 'AllTraffic',
  encryptWithProjectKey: true,
  enableNetworkIsolation: false,
  dataCapture: { enabled: true, samplingPercentage: 20, s3Prefix: 'data-capture/prod' },
  autoscaling: { minCapacity: 2, maxCapacity: 4, targetInvocationsPerInstance: 100 },
  deployment: {
    canary: { type: 'CAPACITY_PERCENT', size: 25 },
    waitIntervalSeconds: 300,
    terminationWaitSeconds: 300,
    maximumExecutionTimeoutSeconds: 1800,
    rollbackAlarms: { invocation5xxErrorsPerMinute: 1, modelLatencyP99Milliseconds: 400 },
  },
  endpointTests: { minAccuracy: 0.7, maxP95LatencyMs: 500 },
};

function problems(input: unknown): string[] {
  try {
    validateStageConfig(input, 'prod');
  } catch (error) {
    if (error instanceof ValidationError) return error.issues.map((issue) => `${issue.field} ${issue.problem}`);
    throw error;
  }
  return [];
}

describe('stage configs', () => {
  it('loads the committed config of every stage of the project', () => {
    const project = testProject();
    for (const stage of project.stages) {
      const config = loadStageConfig(project, stage);
      expect(config.stage).toBe(stage);
      expect(config.instanceType).toMatch(/^ml\./);
    }
    expect(loadStageConfig(project, 'prod')).toMatchObject({
      autoscaling: { minCapacity: 2 },
      deployment: { canary: { type: 'CAPACITY_PERCENT' } },
    });
  });

  it('accepts a complete config and keeps every field', () => {
    expect(validateStageConfig(valid, 'prod')).toEqual({ stage: 'prod', ...valid });
  });

  it('fails when the stage is not one of the project stages', () => {
    expect(() => loadStageConfig(testProject(), 'qa')).toThrow(
      /must be one of the project's stages \(staging, prod\), got "qa"/,
    );
  });

  it('fails naming every bad field at once', () => {
    const found = problems({
      ...valid,
      instanceType: 'm5.large',
      initialInstanceCount: 0,
      variantName: '-bad',
      typo: 1,
      dataCapture: { ...valid.dataCapture, s3Prefix: '/abs/../x' },
    });
    expect(found).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^instanceType must be a SageMaker instance type .* got "m5.large"/),
        'initialInstanceCount must be an integer from 1 to 100, got 0',
        expect.stringMatching(/^variantName must be letters, digits and hyphens/),
        'typo is not a known setting',
        expect.stringMatching(/^dataCapture.s3Prefix must be an S3 key prefix/),
      ]),
    );
  });

  it('fails when a required field is missing', () => {
    const { endpointTests: _tests, enableNetworkIsolation: _isolation, ...rest } = valid;
    expect(problems(rest)).toEqual([
      'enableNetworkIsolation is missing',
      'endpointTests must be an object, got nothing',
    ]);
  });

  it('fails when autoscaling bounds contradict each other or the instance count', () => {
    expect(
      problems({
        ...valid,
        initialInstanceCount: 5,
        autoscaling: { minCapacity: 3, maxCapacity: 2, targetInvocationsPerInstance: 10 },
      }),
    ).toEqual([
      'autoscaling.maxCapacity must be at least minCapacity (3), got 2',
      "initialInstanceCount must lie within autoscaling's 3–2, got 5",
    ]);
  });

  it('fails when the canary is larger than half of the fleet', () => {
    expect(
      problems({ ...valid, deployment: { ...valid.deployment, canary: { type: 'INSTANCE_COUNT', size: 2 } } }),
    ).toEqual(['deployment.canary.size must be an integer from 1 to 1, got 2']);
    expect(
      problems({ ...valid, deployment: { ...valid.deployment, canary: { type: 'CAPACITY_PERCENT', size: 60 } } }),
    ).toEqual(['deployment.canary.size must be an integer from 1 to 50, got 60']);
  });

  it('fails when the update may not outlast the canary wait', () => {
    expect(
      problems({
        ...valid,
        deployment: { ...valid.deployment, waitIntervalSeconds: 3600, maximumExecutionTimeoutSeconds: 3600 },
      }),
    ).toEqual(['deployment.maximumExecutionTimeoutSeconds must exceed waitIntervalSeconds (3600), got 3600']);
  });

  it('fails when thresholds are out of range', () => {
    expect(problems({ ...valid, endpointTests: { minAccuracy: 1.5, maxP95LatencyMs: 0 } })).toEqual([
      'endpointTests.minAccuracy must be a number from 0 to 1, got 1.5',
      'endpointTests.maxP95LatencyMs must be a number from 1 to 60000, got 0',
    ]);
  });

  it('fails when the file is not an object', () => {
    expect(() => validateStageConfig([1], 'prod')).toThrow(/must be an object, got \[1\]/);
  });
});
