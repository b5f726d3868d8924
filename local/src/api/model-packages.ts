import type { ListModelPackageGroupsOutput, ListModelPackagesOutput } from '@aws-sdk/client-sagemaker';
import {
  describeModelPackage,
  describeModelPackageGroup,
  summarizeModelPackage,
  summarizeModelPackageGroup,
} from '../registry/model-package-shapes.js';
import { MalformedPolicyError, parseResourcePolicy } from '../accounts/resource-policy.js';
import type { OperationModule } from '../server/operation-registry.js';
import { ServiceError, validationException } from '../server/service-error.js';
import { MODEL_APPROVAL_STATUSES, type ModelApprovalStatus } from '../store/model-package-repository.js';
import { Input } from './input.js';
import { listOptions, listPage } from './list-query.js';
import { keyFromToken, keysetToken } from './pagination.js';
import type { ServiceContext } from './service-context.js';

const GROUP_REFERENCE = { min: 1, max: 170 } as const;

/**
 * Model package groups and versions: the model registry's SageMaker API. A group or version ARN of another
 * account is answered from that account's registry when the group's resource policy allows the action
 * (PutModelPackageGroupPolicy), as SageMaker shares a registry across accounts.
 */
export function modelPackageOperations(context: ServiceContext): OperationModule {
  const { registry } = context;
  const holderOf = (reference: string, action: string) =>
    context.crossAccount.registry(context, reference, `sagemaker:${action}`);
  const registryOf = (reference: string, action: string) => holderOf(reference, action).registry;
  return {
    service: 'SageMaker',
    operations: {
      CreateModelPackageGroup(body, { actor }) {
        const input = new Input(body, 'CreateModelPackageGroup');
        const group = registry.createGroup(
          {
            name: input.string('ModelPackageGroupName', { name: 'modelPackageGroupName' }),
            description: input.optionalString('ModelPackageGroupDescription', { max: 1024 }),
            tags: input.optionalTags() ?? [],
          },
          actor,
        );
        return { ModelPackageGroupArn: group.arn };
      },

      DescribeModelPackageGroup(body) {
        const input = new Input(body, 'DescribeModelPackageGroup');
        const reference = input.string('ModelPackageGroupName', GROUP_REFERENCE);
        return describeModelPackageGroup(registryOf(reference, 'DescribeModelPackageGroup').group(reference));
      },

      ListModelPackageGroups(body): ListModelPackageGroupsOutput {
        const input = new Input(body, 'ListModelPackageGroups');
        const nameContains = input.optionalString('NameContains', { max: 63 });
        const { items, nextToken } = listPage(
          input,
          registry.groups().filter((g) => !nameContains || g.name.includes(nameContains)),
          {
            window: ['CreationTimeAfter', 'CreationTimeBefore'],
            created: (g) => g.createdAt,
            sortKeys: { CreationTime: (g) => g.createdAt.getTime(), Name: (g) => g.name },
            defaultOrder: 'Ascending',
          },
        );
        return { ModelPackageGroupSummaryList: items.map(summarizeModelPackageGroup), NextToken: nextToken };
      },

      CreateModelPackage(body, { actor }) {
        const request = { ...body };
        delete request['ClientToken'];
        const record = registry.createPackage(request, { actor, createGroupIfMissing: false });
        return { ModelPackageArn: record.arn };
      },

      DescribeModelPackage(body) {
        const input = new Input(body, 'DescribeModelPackage');
        const reference = input.string('ModelPackageName', { min: 1, max: 176 });
        return describeModelPackage(registryOf(reference, 'DescribeModelPackage').package(reference));
      },

      /**
       * As documented: without ModelPackageGroupName the default type is Unversioned (which the local registry
       * never holds); with it, the group's versions. Default order: CreationTime, Ascending.
       */
      ListModelPackages(body): ListModelPackagesOutput {
        const input = new Input(body, 'ListModelPackages');
        const groupReference = input.optionalString('ModelPackageGroupName', GROUP_REFERENCE);
        const type =
          input.optionalString('ModelPackageType', { oneOf: ['Versioned', 'Unversioned', 'Both'] }) ??
          (groupReference ? 'Versioned' : 'Unversioned');
        const status = input.optionalString('ModelApprovalStatus', { oneOf: MODEL_APPROVAL_STATUSES }) as
          ModelApprovalStatus | undefined;
        const nameContains = input.optionalString('NameContains', { max: 63 });
        const options = listOptions(input, {
          window: ['CreationTimeAfter', 'CreationTimeBefore'],
          sortNames: ['CreationTime', 'Name'],
          defaultOrder: 'Ascending',
        });
        const holder = groupReference ? holderOf(groupReference, 'ListModelPackages') : context;
        const packages = holder.store.modelPackages;
        const group = groupReference ? packages.group(groupReference) : undefined;
        if (type === 'Unversioned' || (groupReference && !group)) return { ModelPackageSummaryList: [] };
        const query = {
          ...(group ? { groupName: group.name } : {}),
          ...(status ? { approvalStatus: status } : {}),
          ...(nameContains ? { nameContains } : {}),
          ...(options.createdAfter ? { createdAfter: options.createdAfter } : {}),
          ...(options.createdBefore ? { createdBefore: options.createdBefore } : {}),
          sortBy: options.sortBy,
          descending: options.descending,
        };
        const after = keyFromToken(options.nextToken, input.operation, query);
        const page = packages.summaries({
          ...query,
          ...(after ? { after } : {}),
          limit: options.maxResults,
        });
        return {
          ModelPackageSummaryList: page.rows.map(summarizeModelPackage),
          NextToken: page.next ? keysetToken(input.operation, query, page.next) : undefined,
        };
      },

      UpdateModelPackage(body, { actor }) {
        const input = new Input(body, 'UpdateModelPackage');
        const reference = input.string('ModelPackageArn', { min: 1, max: 2048 });
        input.optionalString('ApprovalDescription', { max: 1024 });
        input.optionalString('ModelApprovalStatus', { oneOf: MODEL_APPROVAL_STATUSES });
        // A group policy may allow lifecycle changes only: `Null` on the approval status the request carries.
        const status = body['ModelApprovalStatus'];
        const holder = context.crossAccount.registry(
          context,
          reference,
          'sagemaker:UpdateModelPackage',
          typeof status === 'string' ? { 'sagemaker:ModelApprovalStatus': status } : {},
        );
        return { ModelPackageArn: holder.registry.updatePackage(body, actor).arn };
      },

      /** The group's resource policy: which other accounts may read (and update) its versions. */
      PutModelPackageGroupPolicy(body) {
        const input = new Input(body, 'PutModelPackageGroupPolicy');
        const group = registry.group(input.string('ModelPackageGroupName', { name: 'modelPackageGroupName' }));
        const text = input.string('ResourcePolicy', { min: 1, max: 20_480 });
        try {
          parseResourcePolicy(text);
        } catch (error) {
          if (error instanceof MalformedPolicyError)
            throw validationException(
              `PutModelPackageGroupPolicy: ResourcePolicy is not a valid policy: ${error.message}`,
            );
          throw error;
        }
        context.store.policies.put(group.arn, text);
        return { ModelPackageGroupArn: group.arn };
      },

      GetModelPackageGroupPolicy(body) {
        const input = new Input(body, 'GetModelPackageGroupPolicy');
        const group = registry.group(input.string('ModelPackageGroupName', { name: 'modelPackageGroupName' }));
        const policy = context.store.policies.get(group.arn);
        if (policy === undefined)
          throw validationException(
            `Model package group ${group.arn} has no resource policy; PutModelPackageGroupPolicy sets one.`,
          );
        return { ResourcePolicy: policy };
      },

      DeleteModelPackageGroupPolicy(body) {
        const input = new Input(body, 'DeleteModelPackageGroupPolicy');
        const group = registry.group(input.string('ModelPackageGroupName', { name: 'modelPackageGroupName' }));
        if (!context.store.policies.delete(group.arn))
          throw new ServiceError(
            'ConflictException',
            `Model package group ${group.arn} has no resource policy to delete.`,
          );
        return {};
      },
    },
  };
}

/**
 * Slipway's own read of the approval history (SageMaker keeps no such list): `X-Amz-Target:
 * Slipway.ListModelPackageApprovalHistory`, `{ModelPackageArn}` → `{ApprovalHistory: [...]}`, oldest first.
 */
export function approvalHistoryOperations(context: ServiceContext): OperationModule {
  return {
    service: 'Slipway',
    operations: {
      ListModelPackageApprovalHistory(body) {
        const input = new Input(body, 'ListModelPackageApprovalHistory');
        const history = context.registry.history(input.string('ModelPackageArn', { min: 1, max: 2048 }));
        return {
          ApprovalHistory: history.map((change) => ({
            PreviousStatus: change.previousStatus,
            NewStatus: change.newStatus,
            Actor: change.actor,
            ApprovalDescription: change.description,
            Time: change.at,
          })),
        };
      },
    },
  };
}
