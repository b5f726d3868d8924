import { Fn } from 'aws-cdk-lib';
import { sagemakerArnName } from '../../names.js';

/**
 * `arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE` in the stack's own account, partition and region, as one
 * `Fn::Sub`. CDK's `formatArn` writes an `Fn::Join` of five parts instead; ProjectStack names a few dozen ARNs
 * and is sent inline (no bootstrap bucket), where CloudFormation allows 51,200 bytes, so the short form counts.
 */
export function accountArn(service: string, resource: string): string {
  return Fn.sub(`arn:\${AWS::Partition}:${service}:\${AWS::Region}:\${AWS::AccountId}:${resource}`);
}

/** `arn:…:sagemaker:REGION:ACCOUNT:TYPE/NAME`, with the name lowercased as SageMaker does. */
export function sagemakerArn(resourceType: string, name: string): string {
  return accountArn('sagemaker', `${resourceType}/${sagemakerArnName(name)}`);
}

/** Every incarnation of the stack named `stackName` (CloudFormation appends a generated id). */
export function cloudFormationStackArn(stackName: string): string {
  return accountArn('cloudformation', `stack/${stackName}/*`);
}

/** A CloudWatch alarm by name (alarm ARNs separate the name with a colon). */
export function alarmArn(alarmName: string): string {
  return accountArn('cloudwatch', `alarm:${alarmName}`);
}
