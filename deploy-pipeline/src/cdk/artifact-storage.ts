import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { acknowledge } from './private/acknowledge.js';
import { asInterface } from './private/as-interface.js';
import { skipCheckov } from './private/checkov.js';

export interface ArtifactStorageProps {
  /** Name of the artifact bucket (the project config's `artifactBucket`). */
  readonly bucketName: string;
  /** Alias of the project's KMS key, e.g. `alias/slipway-sentiment`. */
  readonly keyAlias: string;
  /**
   * How long a superseded object version is kept before it is deleted (whole days).
   * @default Duration.days(90)
   */
  readonly noncurrentVersionExpiration?: Duration;
  /**
   * How long captured endpoint data is kept before it is deleted (whole days).
   * @default Duration.days(365)
   */
  readonly dataCaptureExpiration?: Duration;
  /**
   * What happens to the bucket and key when the stack is deleted.
   * @default RemovalPolicy.RETAIN - models, data and their key outlive the stack
   */
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * The project's KMS key, its artifact bucket (KMS-encrypted, TLS only, private, versioned, with lifecycle
 * rules) and the bucket that receives the artifact bucket's server access logs.
 */
export class ArtifactStorage extends Construct {
  readonly key: kms.Key;
  readonly bucket: s3.Bucket;
  readonly accessLogsBucket: s3.Bucket;

  constructor(scope: Construct, id: string, props: ArtifactStorageProps) {
    super(scope, id);
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;

    this.key = new kms.Key(this, 'Key', {
      alias: props.keyAlias,
      description: `Encrypts the artifacts, captured data and endpoint volumes of ${props.bucketName}`,
      enableKeyRotation: true,
      removalPolicy,
    });

    this.accessLogsBucket = new s3.Bucket(this, 'AccessLogs', {
      // S3 server access logging only delivers to buckets encrypted with S3-managed keys.
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      versioned: true,
      lifecycleRules: [
        { id: 'expire-access-logs', expiration: Duration.days(365), noncurrentVersionExpiration: Duration.days(30) },
      ],
      removalPolicy,
    });
    acknowledge(this.accessLogsBucket, {
      id: 'AwsSolutions-S1',
      reason: 'This bucket is the access-log destination; logging it into itself would loop.',
    });
    skipCheckov(
      this.accessLogsBucket,
      { id: 'CKV_AWS_18', comment: 'The access-log destination bucket; logging it into itself would loop.' },
      { id: 'CKV_AWS_145', comment: 'S3 server access logging only delivers to SSE-S3 encrypted buckets.' },
    );

    this.bucket = new s3.Bucket(this, 'Resource', {
      bucketName: props.bucketName,
      encryption: s3.BucketEncryption.KMS,
      encryptionKey: this.key,
      bucketKeyEnabled: true,
      enforceSSL: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      versioned: true,
      serverAccessLogsBucket: asInterface<s3.IBucket>(this.accessLogsBucket),
      serverAccessLogsPrefix: 'artifact-bucket/',
      lifecycleRules: [
        { id: 'abort-incomplete-uploads', abortIncompleteMultipartUploadAfter: Duration.days(7) },
        {
          id: 'expire-noncurrent-versions',
          noncurrentVersionExpiration: props.noncurrentVersionExpiration ?? Duration.days(90),
        },
        {
          id: 'expire-captured-data',
          prefix: 'data-capture/',
          expiration: props.dataCaptureExpiration ?? Duration.days(365),
        },
      ],
      removalPolicy,
    });
  }
}
