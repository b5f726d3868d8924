import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { openLocalService, type LocalService } from '@slipway/local';
import { executionStatusChangeEvent, modelPackageStateChangeEvent } from '../src/events/sagemaker-events.js';
import { memoryLogger, tempDir } from './support/harness.js';

import { carriedEvent } from '../../test/support/reference-data.js';

/** Every key path in a JSON value (`detail.InferenceSpecification.Containers[].Image`, ...). */
function keyPaths(value: unknown, prefix = ''): string[] {
  if (Array.isArray(value)) return value.flatMap((item) => keyPaths(item, `${prefix}[]`));
  if (value === null || typeof value !== 'object') return [prefix];
  return Object.entries(value).flatMap(([key, item]) => [
    `${prefix}${prefix ? '.' : ''}${key}`,
    ...keyPaths(item, `${prefix}${prefix ? '.' : ''}${key}`),
  ]);
}

function typesByPath(value: unknown, prefix = '', out = new Map<string, string>()): Map<string, string> {
  if (Array.isArray(value)) value.forEach((item) => typesByPath(item, `${prefix}[]`, out));
  else if (value !== null && typeof value === 'object')
    for (const [key, item] of Object.entries(value)) typesByPath(item, prefix ? `${prefix}.${key}` : key, out);
  else out.set(prefix, value === null ? 'null' : typeof value);
  return out;
}

// The carried samples have the published samples' keys and types (test/reference-samples.test.ts checks that
// against the shared reference where it is present).
describe('event shapes compared with the sample events (test/fixtures/events)', () => {
  let service: LocalService;
  beforeAll(async () => {
    service = await openLocalService({ dataDir: tempDir(), runners: {}, logger: memoryLogger() });
  });
  afterAll(async () => {
    await service.close();
  });

  it('pipeline execution status change: the same keys, in the same types, as the sample', () => {
    const sample = carriedEvent('pipeline-execution-status-change');
    const event = executionStatusChangeEvent(
      service.events,
      {
        pipelineArn: 'arn:aws:sagemaker:us-east-1:000000000000:pipeline/p',
        arn: 'arn:aws:sagemaker:us-east-1:000000000000:pipeline/p/execution/abc',
        displayName: 'SomeDisplayName',
        description: 'SomeDescription',
        createdAt: new Date('2021-03-15T16:03:13Z'),
      },
      { current: 'Succeeded', previous: 'Executing', endTime: new Date('2021-03-15T16:10:10Z') },
    );
    expect(new Set(keyPaths(event))).toEqual(new Set(keyPaths(sample)));
    expect(typesByPath(event)).toEqual(typesByPath(sample));
    expect(event.detail['executionStartTime']).toBe('2021-03-15T16:03:13Z');
    expect(Object.keys(event)).toEqual(Object.keys(sample));
  });

  it('model package state change: every key of the (normalised) sample, in the same types', () => {
    const sample = carriedEvent('model-package-state-change');
    const detail = sample['detail'] as Record<string, unknown>;
    const event = modelPackageStateChangeEvent(service.events, {
      ModelPackageGroupName: 'g',
      ModelPackageVersion: 2,
      ModelPackageArn: 'arn:aws:sagemaker:us-east-1:000000000000:model-package/g/2',
      CreationTime: new Date('2021-02-24T17:00:14Z'),
      InferenceSpecification: detail['InferenceSpecification'],
      ModelPackageStatus: 'Completed',
      ModelApprovalStatus: 'Rejected',
      MetadataProperties: detail['MetadataProperties'],
      ModelMetrics: detail['ModelMetrics'],
      LastModifiedTime: new Date('2021-02-24T17:00:14Z'),
    });
    const ours = typesByPath(event);
    for (const [path, type] of typesByPath(sample)) expect([path, ours.get(path)]).toEqual([path, type]);
    expect(keyPaths(event).filter((path) => !keyPaths(sample).includes(path))).toEqual([]);
    expect(Object.keys(event)).toEqual(Object.keys(sample));
  });
});
