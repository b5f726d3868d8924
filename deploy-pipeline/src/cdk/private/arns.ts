import { Fn } from 'aws-cdk-lib';
import { partitionOf } from '@slipway/core';
import { sagemakerArnName } from '../../names.js';

/**
 * `arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE` in the stack's own account, as one `Fn::Sub`; with the
 * project's `region`, the region and its partition are written out, else they are the stack's pseudo
 * parameters. CDK's `formatArn` writes an `Fn::Join` of five parts instead; ProjectStack names dozens of ARNs
 * and is sent inline (no bootstrap bucket), where CloudFormation allows 51,200 bytes, so the short form counts.
 */
export function accountArn(service: string, resource: string, region?: string): string {
  const where = region
    ? `${partitionOf(region)}:${service}:${region}`
    : `\${AWS::Partition}:${service}:\${AWS::Region}`;
  return Fn.sub(`arn:${where}:\${AWS::AccountId}:${resource}`);
}

/** `arn:…:sagemaker:REGION:ACCOUNT:TYPE/NAME`, with the name lowercased as SageMaker does. */
export function sagemakerArn(region: string, resourceType: string, name: string): string {
  return accountArn('sagemaker', `${resourceType}/${sagemakerArnName(name)}`, region);
}

/** Every incarnation of the stack named `stackName` (CloudFormation appends a generated id). */
export function cloudFormationStackArn(region: string, stackName: string): string {
  return accountArn('cloudformation', `stack/${stackName}/*`, region);
}

/** A CloudWatch alarm by name (alarm ARNs separate the name with a colon). */
export function alarmArn(alarmName: string, region?: string): string {
  return accountArn('cloudwatch', `alarm:${alarmName}`, region);
}

/** Objects of a bucket by name, written out: S3 ARNs carry no region or account, so no `Fn::` is needed. */
export function bucketArn(region: string, bucketName: string, keyPattern?: string): string {
  return `arn:${partitionOf(region)}:s3:::${bucketName}${keyPattern !== undefined ? `/${keyPattern}` : ''}`;
}
