import { describe, expect, it } from '@jest/globals';
import { belongsToGroup, modelPackageArn, parseModelPackageArn } from '../src/index.js';

describe('model package ARNs', () => {
  it('round-trips, lowercasing the group as SageMaker does', () => {
    const arn = modelPackageArn('us-east-2', '123456789012', 'My-Group', 7);
    expect(arn).toBe('arn:aws:sagemaker:us-east-2:123456789012:model-package/my-group/7');
    const parsed = parseModelPackageArn(arn);
    expect(parsed.version).toBe(7);
    expect(belongsToGroup(parsed, 'My-Group')).toBe(true);
    expect(belongsToGroup(parsed, 'other')).toBe(false);
  });

  it.each([
    ['not an arn', /must be a SageMaker ARN/],
    ['arn:aws:sagemaker:us-east-1:123456789012:model-package-group/g', /versioned model package ARN/],
    ['arn:aws:sagemaker:us-east-1:123456789012:model-package/g', /versioned model package ARN/],
    ['arn:aws:sagemaker:us-east-1:123456789012:endpoint/g/1', /versioned model package ARN/],
    ['arn:aws:sagemaker:us-east-1:123456789012:model-package/g/0', /versioned model package ARN/],
    [42, /must be a SageMaker ARN/],
  ])('rejects %p', (value, message) => {
    expect(() => parseModelPackageArn(value)).toThrow(message);
  });
});
