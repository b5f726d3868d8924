import { formatSageMakerArn, parseSageMakerArn, type SageMakerArn } from '@slipway/core';
import type { ModelRegistry } from '../registry/model-registry.js';
import type { Store } from '../store/store.js';
import { ServiceError } from '../server/service-error.js';
import type { ObjectStore } from '../storage/object-store.js';
import type { AccountDirectory, AccountResources } from './account-directory.js';
import { evaluateResourcePolicy, parseResourcePolicy, type ResourcePolicy } from './resource-policy.js';

/** A registry and the store under it: the caller's own, or another account's. */
export interface RegistryHolder {
  readonly registry: ModelRegistry;
  readonly store: Store;
}

/** The ARN a model package group's resource policy is kept under: the group's. */
export function groupArnOf(arn: SageMakerArn): string {
  const group = arn.resourceType === 'model-package-group' ? arn.resourcePath : arn.resourcePath.split('/')[0]!;
  return formatSageMakerArn({ ...arn, resourceType: 'model-package-group', resourcePath: group.toLowerCase() });
}

/** The ARN a bucket policy is kept under, and what its statements' Resource names. */
export function bucketArn(bucket: string): string {
  return `arn:aws:s3:::${bucket}`;
}

function storedPolicy(owner: AccountResources, arn: string): ResourcePolicy | undefined {
  const text = owner.store.policies.get(arn);
  return text === undefined ? undefined : parseResourcePolicy(text);
}

/**
 * What one account (the caller's) may reach in the others: a model package group's versions when the group's
 * resource policy allows the action, an object when the bucket policy allows it. Every refusal names the
 * missing policy, in the service's own error code (AccessDeniedException, AccessDenied).
 */
export class CrossAccountAccess {
  constructor(
    private readonly directory: AccountDirectory,
    readonly caller: string,
  ) {}

  /**
   * The registry that holds `reference` (a group or version ARN, or a name): the caller's own, or another
   * account's when its group policy allows `action` (e.g. `sagemaker:DescribeModelPackage`).
   */
  registry(
    own: RegistryHolder,
    reference: string,
    action: string,
    context: Readonly<Record<string, string>> = {},
  ): RegistryHolder {
    if (!reference.startsWith('arn:')) return own;
    const arn = parseSageMakerArn(reference, 'ModelPackageName');
    if (arn.account === this.caller) return own;
    const owner = this.directory.opened(arn.account);
    const groupArn = groupArnOf(arn);
    const resource =
      action === 'sagemaker:ListModelPackages'
        ? `${groupArn.replace(':model-package-group/', ':model-package/')}/*`
        : arn.resourceType === 'model-package-group'
          ? groupArn
          : reference;
    const policy = owner ? storedPolicy(owner, groupArn) : undefined;
    const decision = evaluateResourcePolicy(policy, { account: this.caller, action, resource, context });
    if (decision === 'allowed' && owner) return owner;
    const why =
      decision === 'denied'
        ? `the resource policy of the model package group ${groupArn} denies it`
        : policy
          ? `the resource policy of the model package group ${groupArn} does not allow ${action} for account ${this.caller}`
          : `the model package group ${groupArn} has no resource policy (PutModelPackageGroupPolicy in account ${arn.account}) that allows ${action} for account ${this.caller}`;
    throw new ServiceError(
      'AccessDeniedException',
      `User: arn:aws:iam::${this.caller}:root is not authorized to perform: ${action} on resource: ${resource} because no resource-based policy allows the ${action} action: ${why}.`,
    );
  }

  /** True when another account owns `bucket` (names are global: CreateBucket answers BucketAlreadyExists). */
  async bucketOwnedByAnother(bucket: string): Promise<boolean> {
    const owner = await this.directory.bucketOwner(bucket);
    return owner !== undefined && owner.accountId !== this.caller;
  }

  /**
   * The account that owns `bucket` when it is not the caller and its bucket policy allows `action` on
   * `resource` (`arn:aws:s3:::bucket/key`, or the bucket's ARN); undefined when the caller owns it or no
   * account has it.
   */
  async bucket(
    bucket: string,
    action: string,
    resource: string,
    context: Readonly<Record<string, string>> = {},
  ): Promise<AccountResources | undefined> {
    const owner = await this.directory.bucketOwner(bucket);
    if (!owner || owner.accountId === this.caller) return undefined;
    const policy = storedPolicy(owner, bucketArn(bucket));
    const decision = evaluateResourcePolicy(policy, { account: this.caller, action, resource, context });
    if (decision === 'allowed') return owner;
    const why =
      decision === 'denied'
        ? `the bucket policy of ${bucket} denies it`
        : policy
          ? `the bucket policy of ${bucket} (account ${owner.accountId}) does not allow ${action} on ${resource} for account ${this.caller}`
          : `the bucket ${bucket} of account ${owner.accountId} has no bucket policy (PutBucketPolicy) that allows ${action} on ${resource} for account ${this.caller}`;
    throw new ServiceError('AccessDenied', `Access Denied: ${why}.`, 403, { BucketName: bucket });
  }

  /**
   * For this account's own services (an endpoint loading its model data, data capture): the object store of
   * the account that owns a bucket this one does not, when its bucket policy allows the action.
   */
  readonly otherAccountObjects = async (
    bucket: string,
    key: string,
    action: 's3:GetObject' | 's3:PutObject',
  ): Promise<ObjectStore | undefined> => (await this.bucket(bucket, action, `${bucketArn(bucket)}/${key}`))?.objects;
}
