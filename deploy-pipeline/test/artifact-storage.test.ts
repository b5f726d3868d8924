import { describe, expect, it } from '@jest/globals';
import { App, Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { ArtifactStorage, FEATURE_FLAGS } from '../src/cdk/index.js';

function artifactBucketRules(props: Partial<ConstructorParameters<typeof ArtifactStorage>[2]> = {}) {
  const stack = new Stack(new App({ context: FEATURE_FLAGS }), 'Storage');
  new ArtifactStorage(stack, 'Artifacts', {
    bucketName: 'slipway-test-bucket',
    keyAlias: 'alias/slipway-test',
    ...props,
  });
  return Template.fromStack(stack);
}

describe('ArtifactStorage', () => {
  it('takes its retention periods as CDK Durations, with the documented defaults', () => {
    artifactBucketRules().hasResourceProperties('AWS::S3::Bucket', {
      BucketName: 'slipway-test-bucket',
      LifecycleConfiguration: {
        Rules: Match.arrayWith([
          Match.objectLike({ Id: 'expire-noncurrent-versions', NoncurrentVersionExpiration: { NoncurrentDays: 90 } }),
          Match.objectLike({ Id: 'expire-captured-data', ExpirationInDays: 365 }),
        ]),
      },
    });
    artifactBucketRules({
      noncurrentVersionExpiration: Duration.days(30),
      dataCaptureExpiration: Duration.days(60),
    }).hasResourceProperties('AWS::S3::Bucket', {
      BucketName: 'slipway-test-bucket',
      LifecycleConfiguration: {
        Rules: Match.arrayWith([
          Match.objectLike({ Id: 'expire-noncurrent-versions', NoncurrentVersionExpiration: { NoncurrentDays: 30 } }),
          Match.objectLike({ Id: 'expire-captured-data', ExpirationInDays: 60 }),
        ]),
      },
    });
  });

  it('refuses a retention that is not whole days, naming the amount', () => {
    expect(() => artifactBucketRules({ dataCaptureExpiration: Duration.hours(36) })).toThrow(/36 hours/);
  });
});
