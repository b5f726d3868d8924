import type {
  DescribeModelPackageGroupOutput,
  DescribeModelPackageOutput,
  ModelPackageGroupSummary,
  ModelPackageSummary,
} from '@aws-sdk/client-sagemaker';
import type { ModelPackageGroupRecord, ModelPackageRecord } from '../store/model-package-repository.js';

const userContext = (actor: string) => ({ UserProfileName: actor, IamIdentity: { PrincipalId: actor } });

/** DescribeModelPackage for a stored version (also a RegisterModel step's properties). */
export function describeModelPackage(record: ModelPackageRecord): DescribeModelPackageOutput {
  return {
    ...(record.details as Partial<DescribeModelPackageOutput>),
    ModelPackageName: record.groupName,
    ModelPackageGroupName: record.groupName,
    ModelPackageVersion: record.version,
    ModelPackageArn: record.arn,
    ModelPackageDescription: record.description,
    CreationTime: record.createdAt,
    ModelPackageStatus: 'Completed',
    ModelPackageStatusDetails: { ValidationStatuses: [], ImageScanStatuses: [] },
    CertifyForMarketplace: false,
    ModelApprovalStatus: record.approvalStatus,
    CreatedBy: userContext(record.createdBy),
    LastModifiedTime: record.modifiedAt,
    LastModifiedBy: userContext(record.modifiedBy),
  };
}

export function summarizeModelPackage(record: ModelPackageRecord): ModelPackageSummary {
  return pick(describeModelPackage(record), [
    'ModelPackageName',
    'ModelPackageGroupName',
    'ModelPackageVersion',
    'ModelPackageArn',
    'ModelPackageDescription',
    'CreationTime',
    'ModelPackageStatus',
    'ModelApprovalStatus',
    'ModelLifeCycle',
    'ModelPackageRegistrationType',
  ]) as ModelPackageSummary;
}

export function describeModelPackageGroup(group: ModelPackageGroupRecord): DescribeModelPackageGroupOutput {
  return {
    ModelPackageGroupName: group.name,
    ModelPackageGroupArn: group.arn,
    ModelPackageGroupDescription: group.description,
    CreationTime: group.createdAt,
    CreatedBy: userContext(group.createdBy),
    ModelPackageGroupStatus: 'Completed',
  };
}

export function summarizeModelPackageGroup(group: ModelPackageGroupRecord): ModelPackageGroupSummary {
  return pick(describeModelPackageGroup(group), [
    'ModelPackageGroupName',
    'ModelPackageGroupArn',
    'ModelPackageGroupDescription',
    'CreationTime',
    'ModelPackageGroupStatus',
  ]) as ModelPackageGroupSummary;
}

function pick<T extends object, K extends keyof T>(source: T, keys: readonly K[]): Pick<T, K> {
  const out = {} as Pick<T, K>;
  for (const key of keys) if (source[key] !== undefined) out[key] = source[key];
  return out;
}
