import { ValidationError, describeValue } from './validation-error.js';

/** The parts of an ARN that Slipway reads. SageMaker lowercases resource names inside its ARNs. */
export interface SageMakerArn {
  readonly partition: string;
  readonly region: string;
  readonly account: string;
  /** The resource type, e.g. `model-package`, `pipeline`, `endpoint`. */
  readonly resourceType: string;
  /** Everything after the resource type's slash, e.g. `my-group/3`. */
  readonly resourcePath: string;
}

const ARN_PATTERN = /^arn:(aws|aws-cn|aws-us-gov):sagemaker:([a-z0-9-]+):(\d{12}):([a-z-]+)\/(.+)$/;

/** The AWS partition a region belongs to (the partitions SageMaker ARNs here may name). */
export function partitionOf(region: string): 'aws' | 'aws-cn' | 'aws-us-gov' {
  if (region.startsWith('cn-')) return 'aws-cn';
  if (region.startsWith('us-gov-')) return 'aws-us-gov';
  return 'aws';
}

export function formatSageMakerArn(parts: Omit<SageMakerArn, 'partition'> & { partition?: string }): string {
  return `arn:${parts.partition ?? 'aws'}:sagemaker:${parts.region}:${parts.account}:${parts.resourceType}/${parts.resourcePath}`;
}

export function parseSageMakerArn(value: unknown, field = 'arn'): SageMakerArn {
  const match = typeof value === 'string' && value.length <= 2048 ? ARN_PATTERN.exec(value) : null;
  if (!match) {
    throw new ValidationError({
      where: field,
      field: '',
      problem: `must be a SageMaker ARN (arn:aws:sagemaker:REGION:ACCOUNT:TYPE/NAME), got ${describeValue(value)}`,
      fix: 'pass the ARN exactly as DescribeModelPackage or ListModelPackages prints it',
    });
  }
  const [, partition, region, account, resourceType, resourcePath] = match as unknown as [
    string,
    string,
    string,
    string,
    string,
    string,
  ];
  return { partition, region, account, resourceType, resourcePath };
}

/** A versioned model package ARN: `arn:aws:sagemaker:R:A:model-package/<group>/<version>`. */
export interface ModelPackageArn extends SageMakerArn {
  /** The group name as it appears in the ARN (lowercased by SageMaker). */
  readonly groupNameInArn: string;
  readonly version: number;
}

export function parseModelPackageArn(value: unknown, field = 'model_package_arn'): ModelPackageArn {
  const arn = parseSageMakerArn(value, field);
  const match = /^([a-zA-Z0-9](?:-*[a-zA-Z0-9]){0,62})\/([1-9]\d{0,9})$/.exec(arn.resourcePath);
  if (arn.resourceType !== 'model-package' || !match) {
    throw new ValidationError({
      where: field,
      field: '',
      problem: `must be a versioned model package ARN (…:model-package/GROUP/VERSION), got ${describeValue(value)}`,
      fix: 'use the ARN of one registered version, not of the group',
    });
  }
  return { ...arn, groupNameInArn: match[1] as string, version: Number(match[2]) };
}

export function modelPackageArn(region: string, account: string, groupName: string, version: number): string {
  return formatSageMakerArn({
    region,
    account,
    resourceType: 'model-package',
    resourcePath: `${groupName.toLowerCase()}/${version}`,
  });
}

/** True when the ARN names a version of `groupName` (compared as SageMaker does: case-insensitively). */
export function belongsToGroup(arn: ModelPackageArn, groupName: string): boolean {
  return arn.groupNameInArn.toLowerCase() === groupName.toLowerCase();
}
