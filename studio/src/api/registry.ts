import {
  DescribeModelPackageCommand,
  DescribeModelPackageGroupCommand,
  ListModelPackageGroupsCommand,
  ListModelPackagesCommand,
  UpdateModelPackageCommand,
  type DescribeModelPackageOutput,
} from '@aws-sdk/client-sagemaker';
import { errorMessage, readJsonObject } from '@slipway/build-pipeline/run';
import { ValidationError } from '@slipway/core';
import type { ApprovalEntry, ModelGroupItem, ModelGroupView, ModelVersionItem, ModelVersionView } from '../views.js';
import type { ConsoleContext } from './console-context.js';
import { stageStatuses, versionOf } from './deployments.js';
import { evaluationView, headlineMetrics } from './evaluation.js';
import { allPages, iso, mapLimited } from './paging.js';
import { versionSource } from './source.js';

/** The approval statuses a person sets (PendingManualApproval is where versions start). */
const DECISIONS = ['Approved', 'Rejected'] as const;
export type ApprovalDecision = (typeof DECISIONS)[number];

export async function listModelGroups({ backend }: ConsoleContext): Promise<ModelGroupItem[]> {
  const groups = await allPages(async (NextToken) => {
    const page = await backend.sagemaker.send(
      new ListModelPackageGroupsCommand({
        MaxResults: 100,
        SortBy: 'CreationTime',
        SortOrder: 'Descending',
        NextToken,
      }),
    );
    return { items: page.ModelPackageGroupSummaryList, nextToken: page.NextToken };
  }, 200);
  return groups.map((group) => ({
    name: group.ModelPackageGroupName ?? '',
    arn: group.ModelPackageGroupArn ?? '',
    ...(group.ModelPackageGroupDescription ? { description: group.ModelPackageGroupDescription } : {}),
    ...(group.CreationTime ? { created: group.CreationTime.toISOString() } : {}),
  }));
}

/** A group's versions, newest first, each with the headline metrics of its evaluation report. */
export async function modelGroupView(context: ConsoleContext, name: string): Promise<ModelGroupView> {
  const { sagemaker } = context.backend;
  const group = await sagemaker.send(new DescribeModelPackageGroupCommand({ ModelPackageGroupName: name }));
  const summaries = await allPages(async (NextToken) => {
    const page = await sagemaker.send(
      new ListModelPackagesCommand({
        ModelPackageGroupName: name,
        MaxResults: 100,
        SortBy: 'CreationTime',
        SortOrder: 'Descending',
        NextToken,
      }),
    );
    return { items: page.ModelPackageSummaryList, nextToken: page.NextToken };
  }, 200);
  const versions = await mapLimited(summaries, 8, async (summary) => {
    const described = await sagemaker.send(
      new DescribeModelPackageCommand({ ModelPackageName: summary.ModelPackageArn ?? '' }),
    );
    const report = await readReport(context, described);
    return versionItem(described, headlineMetrics(report.document));
  });
  const metricNames = [...new Set(versions.flatMap((version) => Object.keys(version.metrics)))];
  return {
    group: {
      name: group.ModelPackageGroupName ?? name,
      arn: group.ModelPackageGroupArn ?? '',
      ...(group.ModelPackageGroupDescription ? { description: group.ModelPackageGroupDescription } : {}),
      ...(group.CreationTime ? { created: group.CreationTime.toISOString() } : {}),
    },
    versions,
    metricNames,
  };
}

/** One version: metrics in full, inference specification, lineage, approval history and where it is live. */
export async function modelVersionView(context: ConsoleContext, arn: string): Promise<ModelVersionView> {
  const { backend } = context;
  const described = await backend.sagemaker.send(new DescribeModelPackageCommand({ ModelPackageName: arn }));
  const report = await readReport(context, described);
  const item = versionItem(described, headlineMetrics(report.document));
  const history = backend.approvalHistory ? await backend.approvalHistory(arn) : currentOnly(described);
  const stages = context.backend.project ? await stageStatuses(context) : [];
  const container = described.InferenceSpecification?.Containers?.[0];
  return {
    version: {
      ...item,
      ...(described.ApprovalDescription ? { approvalDescription: described.ApprovalDescription } : {}),
      ...(described.LastModifiedTime ? { lastModified: described.LastModifiedTime.toISOString() } : {}),
      ...(described.LastModifiedBy?.UserProfileName
        ? { lastModifiedBy: described.LastModifiedBy.UserProfileName }
        : {}),
    },
    ...(report.uri
      ? {
          evaluation: report.problem
            ? { uri: report.uri, problem: report.problem, metrics: {}, perClass: [] }
            : evaluationView(report.uri, report.document),
        }
      : {}),
    inferenceSpecification: described.InferenceSpecification,
    lineage: {
      ...(item.executionArn ? { executionArn: item.executionArn } : {}),
      ...(item.executionArn ? { pipelineName: /:pipeline\/([^/]+)\//.exec(item.executionArn)?.[1] ?? '' } : {}),
      ...(container?.ModelDataUrl ? { modelDataUrl: container.ModelDataUrl } : {}),
      ...(container?.Image ? { image: container.Image } : {}),
      ...(item.source ? { source: item.source } : {}),
    },
    history,
    historyComplete: backend.approvalHistory !== undefined,
    servedBy: stages.filter((stage) => stage.modelPackageArn === arn).map((stage) => stage.stage),
  };
}

/**
 * Approves or rejects a version with UpdateModelPackage, the call every other tool makes: the registry
 * records it (and its reason) and emits the same Model Package State Change event, so the same deploy runs.
 */
export async function decideApproval(
  context: ConsoleContext,
  arn: string,
  decision: { readonly status: unknown; readonly reason: unknown },
): Promise<ModelVersionView> {
  if (!DECISIONS.includes(decision.status as ApprovalDecision)) {
    throw new ValidationError({
      where: 'approval',
      field: 'status',
      problem: `must be ${DECISIONS.join(' or ')}, got ${JSON.stringify(decision.status)}`,
    });
  }
  const reason = typeof decision.reason === 'string' ? decision.reason.trim() : '';
  if (reason.length === 0 || reason.length > 1024) {
    throw new ValidationError({
      where: 'approval',
      field: 'reason',
      problem: reason.length === 0 ? 'is required' : `must be at most 1024 characters, got ${reason.length}`,
      fix: 'say why, in a sentence: it is kept with the version (ApprovalDescription)',
    });
  }
  await context.backend.sagemaker.send(
    new UpdateModelPackageCommand({
      ModelPackageArn: arn,
      ModelApprovalStatus: decision.status as ApprovalDecision,
      ApprovalDescription: reason,
    }),
  );
  return modelVersionView(context, arn);
}

function versionItem(described: DescribeModelPackageOutput, metrics: Record<string, number>): ModelVersionItem {
  const arn = described.ModelPackageArn ?? '';
  const source = versionSource(described.CustomerMetadataProperties);
  const generatedBy = described.MetadataProperties?.GeneratedBy;
  return {
    arn,
    groupName: described.ModelPackageGroupName ?? '',
    version: described.ModelPackageVersion ?? versionOf(arn) ?? 0,
    approvalStatus: described.ModelApprovalStatus ?? 'Unknown',
    ...(described.ModelPackageStatus ? { status: described.ModelPackageStatus } : {}),
    ...(described.CreationTime ? { created: iso(described.CreationTime) } : {}),
    ...(described.ModelPackageDescription ? { description: described.ModelPackageDescription } : {}),
    metrics,
    ...(generatedBy && /:pipeline\/.+\/execution\//.test(generatedBy) ? { executionArn: generatedBy } : {}),
    ...(source ? { source } : {}),
  };
}

/** The version's registered statistics (ModelMetrics.ModelQuality.Statistics), read once per URI. */
async function readReport(
  context: ConsoleContext,
  described: DescribeModelPackageOutput,
): Promise<{ uri?: string; document?: unknown; problem?: string }> {
  const uri = described.ModelMetrics?.ModelQuality?.Statistics?.S3Uri;
  if (!uri) return {};
  if (context.reports.has(uri)) return { uri, document: context.reports.get(uri) };
  try {
    const document = await readJsonObject(context.backend.s3, uri);
    context.reports.set(uri, document);
    return { uri, document };
  } catch (error) {
    return { uri, problem: `could not read ${uri}: ${errorMessage(error)}` };
  }
}

/** On AWS the registry keeps only the current status, its description and who set it last. */
function currentOnly(described: DescribeModelPackageOutput): ApprovalEntry[] {
  const when = described.LastModifiedTime ?? described.CreationTime;
  return [
    {
      newStatus: described.ModelApprovalStatus ?? 'Unknown',
      actor: described.LastModifiedBy?.UserProfileName ?? described.CreatedBy?.UserProfileName ?? 'unknown',
      ...(described.ApprovalDescription ? { description: described.ApprovalDescription } : {}),
      ...(when ? { time: when.toISOString() } : {}),
    },
  ];
}
