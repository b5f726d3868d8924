import type { ListModelPackageGroupsOutput, ListModelPackagesOutput } from '@aws-sdk/client-sagemaker';
import {
  describeModelPackage,
  describeModelPackageGroup,
  summarizeModelPackage,
  summarizeModelPackageGroup,
} from '../registry/model-package-shapes.js';
import type { OperationModule } from '../server/operation-registry.js';
import { MODEL_APPROVAL_STATUSES, type ModelApprovalStatus } from '../store/model-package-repository.js';
import { Input } from './input.js';
import { listOptions, listPage } from './list-query.js';
import { keyFromToken, keysetToken } from './pagination.js';
import type { ServiceContext } from './service-context.js';

const GROUP_REFERENCE = { min: 1, max: 170 } as const;

/** Model package groups and versions: the model registry's SageMaker API. */
export function modelPackageOperations(context: ServiceContext): OperationModule {
  const { registry } = context;
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
        return describeModelPackageGroup(registry.group(input.string('ModelPackageGroupName', GROUP_REFERENCE)));
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
        return describeModelPackage(registry.package(input.string('ModelPackageName', { min: 1, max: 176 })));
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
        const group = groupReference ? context.store.modelPackages.group(groupReference) : undefined;
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
        const page = context.store.modelPackages.summaries({
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
        input.string('ModelPackageArn', { min: 1, max: 2048 });
        input.optionalString('ApprovalDescription', { max: 1024 });
        input.optionalString('ModelApprovalStatus', { oneOf: MODEL_APPROVAL_STATUSES });
        return { ModelPackageArn: registry.updatePackage(body, actor).arn };
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
