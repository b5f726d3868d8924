import { describe, expect, it } from '@jest/globals';
import { isAwsStyleRegistry, parseImageUri } from '../../src/runtimes/index.js';

describe('parseImageUri', () => {
  it.each([
    [
      '683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-scikit-learn:1.2-1-cpu-py3',
      {
        registry: '683313688378.dkr.ecr.us-east-1.amazonaws.com',
        repository: 'sagemaker-scikit-learn',
        tag: '1.2-1-cpu-py3',
      },
    ],
    [
      '450853457545.dkr.ecr.cn-north-1.amazonaws.com.cn/sagemaker-scikit-learn:1.2-1',
      { registry: '450853457545.dkr.ecr.cn-north-1.amazonaws.com.cn', tag: '1.2-1' },
    ],
    [
      'localhost:5000/team/trainer:v2',
      { registry: 'localhost:5000', repository: 'team/trainer', name: 'trainer', tag: 'v2' },
    ],
    ['sagemaker-scikit-learn:1.2-1-cpu-py3', { repository: 'sagemaker-scikit-learn', tag: '1.2-1-cpu-py3' }],
    ['team/trainer@sha256:abc', { repository: 'team/trainer', digest: 'sha256:abc' }],
  ])('parses %s', (uri, expected) => {
    expect(parseImageUri(uri)).toMatchObject(expected);
  });

  it.each(['', ' ', 'repo:', 'a//b:1'])('refuses %j with a message naming the field', (uri) => {
    expect(() => parseImageUri(uri, 'AppSpecification.ImageUri')).toThrow(/^AppSpecification\.ImageUri /);
  });

  it('tells AWS registries from others', () => {
    expect(
      isAwsStyleRegistry(parseImageUri('123456789012.dkr-ecr.eu-west-1.on.aws/sagemaker-scikit-learn:1.2-1')),
    ).toBe(true);
    expect(isAwsStyleRegistry(parseImageUri('public.ecr.aws/sagemaker/sagemaker-scikit-learn:1.2-1'))).toBe(true);
    expect(isAwsStyleRegistry(parseImageUri('ghcr.io/someone/sagemaker-scikit-learn:1.2-1'))).toBe(false);
  });
});
