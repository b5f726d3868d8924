import type { Command } from 'commander';
import {
  DescribeModelPackageCommand,
  UpdateModelPackageCommand,
  paginateListModelPackages,
  type DescribeModelPackageOutput,
  type ModelApprovalStatus,
  type ModelPackageSummary,
  type SageMakerClient,
} from '@aws-sdk/client-sagemaker';
import { ValidationError } from '@slipway/core';
import type { CliContext } from '../context.js';
import { callLocalOperation } from '../local-connection.js';
import { formatTime, printTable } from './format.js';
import { withBackendOptions, type BackendFlags } from '../backend-options.js';
import { withConnection, type ServiceConnection } from './service-connection.js';
import { modelCardOf, printModelCard } from './registry-card.js';

const APPROVAL_STATUSES: readonly ModelApprovalStatus[] = ['Approved', 'Rejected', 'PendingManualApproval'];

interface ListOptions extends BackendFlags {
  readonly group?: string;
  readonly status?: string;
}

interface DecisionOptions extends BackendFlags {
  readonly reason?: string;
}

/** One entry of a version's approval history, oldest first. */
export interface ApprovalHistoryEntry {
  readonly previousStatus?: string;
  readonly newStatus: string;
  readonly actor: string;
  readonly description?: string;
  readonly time: string;
}

/** `slipway registry list|describe|approve|reject|history|card`: the model registry, local or on AWS. */
export function registerRegistry(program: Command, context: CliContext): void {
  const registry = program
    .command('registry')
    .description('the model registry: list and inspect versions, approve or reject them, show approval history');

  withBackendOptions(
    registry
      .command('list')
      .description('list the versions of a model package group, newest first')
      .option('--group <name>', 'the model package group (default: the project’s modelPackageGroupName)')
      .option('--status <status>', `only versions with this approval status (${APPROVAL_STATUSES.join(', ')})`),
  ).action((options: ListOptions) =>
    withConnection(context, options, async (connection) => {
      const group = options.group ?? connection.project?.modelPackageGroupName;
      if (!group) {
        throw new ValidationError({
          where: '--group',
          field: '',
          problem: 'is required outside a Slipway project',
          fix: 'pass --group NAME, or run inside the project (slipway.config.json names the group)',
        });
      }
      if (options.status !== undefined && !APPROVAL_STATUSES.includes(options.status as ModelApprovalStatus)) {
        throw new ValidationError({
          where: '--status',
          field: '',
          problem: `must be one of ${APPROVAL_STATUSES.join(', ')}, got ${JSON.stringify(options.status)}`,
        });
      }
      const versions = await listVersions(
        connection.sagemaker,
        group,
        options.status as ModelApprovalStatus | undefined,
      );
      context.output.result({ group, versions: versions.map(versionJson) }, () => {
        if (versions.length === 0)
          return context.output.line(
            `No versions in ${group}${options.status ? ` with status ${options.status}` : ''}.`,
          );
        const rows = versions.map((v) => [
          `${group}/${v.ModelPackageVersion}`,
          context.output.paint(v.ModelApprovalStatus ?? '-', statusTone(v.ModelApprovalStatus)),
          formatTime(v.CreationTime),
          v.ModelPackageArn ?? '',
        ]);
        printTable(context.output, ['VERSION', 'APPROVAL', 'CREATED (UTC)', 'ARN'], rows);
      });
    }),
  );

  withBackendOptions(
    registry
      .command('describe')
      .description('show one version: approval, image, model data, metrics, lineage')
      .argument('<version>', 'a model package ARN, GROUP/VERSION, or VERSION of the project’s group'),
  ).action((reference: string, options: BackendFlags) =>
    withConnection(context, options, async (connection) => {
      const described = await findVersion(connection, reference);
      context.output.result(described, () => printPackage(context, described));
    }),
  );

  for (const [verb, status, tone] of [
    ['approve', 'Approved', 'good'],
    ['reject', 'Rejected', 'bad'],
  ] as const) {
    withBackendOptions(
      registry
        .command(verb)
        .description(
          `${verb} a version (UpdateModelPackage): the registry publishes a Model Package State Change event` +
            (verb === 'approve' ? ', which starts the deployment' : ''),
        )
        .argument('<version>', 'a model package ARN, GROUP/VERSION, or VERSION of the project’s group')
        .option('--reason <text>', 'why (kept as ApprovalDescription and in the approval history)'),
    ).action((reference: string, options: DecisionOptions) =>
      withConnection(context, options, async (connection) => {
        const current = await findVersion(connection, reference);
        const arn = current.ModelPackageArn!;
        const name = `${current.ModelPackageGroupName}/${current.ModelPackageVersion}`;
        if (current.ModelApprovalStatus === status) {
          context.output.result({ arn, previousStatus: status, status, changed: false }, () =>
            context.output.line(`${name} is already ${status}: nothing changed, no event was published.`, 'warn'),
          );
          return;
        }
        await connection.sagemaker.send(
          new UpdateModelPackageCommand({
            ModelPackageArn: arn,
            ModelApprovalStatus: status,
            ApprovalDescription: options.reason,
          }),
        );
        const result = {
          arn,
          previousStatus: current.ModelApprovalStatus,
          status,
          changed: true,
          ...(options.reason !== undefined ? { reason: options.reason } : {}),
        };
        context.output.result(result, () => {
          context.output.line(`${status} ${name} (was ${current.ModelApprovalStatus}).`, tone);
          context.output.line(
            connection.kind === 'local'
              ? '  The local registry published a Model Package State Change event; its rules (the deploy route) see it.'
              : '  SageMaker publishes a Model Package State Change event to EventBridge; the deploy rule sees it.',
            'dim',
          );
        });
      }),
    );
  }

  withBackendOptions(
    registry
      .command('history')
      .description('every approval change of a version, oldest first: from, to, who, why, when')
      .argument('<version>', 'a model package ARN, GROUP/VERSION, or VERSION of the project’s group'),
  ).action((reference: string, options: BackendFlags) =>
    withConnection(context, options, async (connection) => {
      const described = await findVersion(connection, reference);
      const arn = described.ModelPackageArn!;
      // The local server keeps the whole history (a Slipway operation, signed with its secret).
      const complete = connection.kind === 'local' && connection.credentials !== undefined;
      const history = complete ? await localHistory(connection, arn) : currentOnly(described);
      context.output.result({ arn, complete, history }, () => {
        const rows = history.map((entry) => [
          formatTime(new Date(entry.time)),
          entry.previousStatus ?? '(registered)',
          context.output.paint(entry.newStatus, statusTone(entry.newStatus)),
          entry.actor,
          entry.description ?? '',
        ]);
        printTable(context.output, ['WHEN (UTC)', 'FROM', 'TO', 'WHO', 'WHY'], rows);
        if (!complete) {
          context.output.line(
            'SageMaker has no approval-history API: this is the current approval only (CloudTrail keeps every UpdateModelPackage).',
            'dim',
          );
        }
      });
    }),
  );

  withBackendOptions(
    registry
      .command('card')
      .description(
        "print a version's model card (SageMaker's model card content: overview, intended uses, training, evaluation metrics, lineage)",
      )
      .argument('<version>', 'a model package ARN, GROUP/VERSION, or VERSION of the project’s group'),
  ).action((reference: string, options: BackendFlags) =>
    withConnection(context, options, async (connection) => {
      const card = modelCardOf(await findVersion(connection, reference));
      context.output.result(card, () => printModelCard(context, card));
    }),
  );
}

/** Every version of a group (newest first), every page (the SDK's paginator). */
async function listVersions(
  sagemaker: SageMakerClient,
  group: string,
  status?: ModelApprovalStatus,
): Promise<ModelPackageSummary[]> {
  const versions: ModelPackageSummary[] = [];
  const pages = paginateListModelPackages(
    { client: sagemaker, pageSize: 100 },
    {
      ModelPackageGroupName: group,
      ModelPackageType: 'Versioned',
      SortBy: 'CreationTime',
      SortOrder: 'Descending',
      ModelApprovalStatus: status,
    },
  );
  for await (const page of pages) versions.push(...(page.ModelPackageSummaryList ?? []));
  return versions;
}

/**
 * A version from an ARN, `GROUP/VERSION`, or a bare `VERSION` of the project's group. A version that does
 * not exist is a ValidationError naming the versions the group has.
 */
export async function findVersion(
  connection: ServiceConnection,
  reference: string,
): Promise<DescribeModelPackageOutput> {
  if (reference.startsWith('arn:')) {
    return connection.sagemaker.send(new DescribeModelPackageCommand({ ModelPackageName: reference }));
  }
  const match = /^(?:([^/]+)\/)?(\d+)$/.exec(reference);
  const group = match?.[1] ?? connection.project?.modelPackageGroupName;
  if (!match || !group) {
    throw new ValidationError({
      where: reference,
      field: '',
      problem: match ? 'is a bare version, and no project group is known' : 'is not a model package reference',
      fix: 'give a model package ARN or GROUP/VERSION, e.g. sentiment-models/3',
    });
  }
  const version = Number(match[2]);
  const versions = await listVersions(connection.sagemaker, group);
  const found = versions.find((summary) => summary.ModelPackageVersion === version);
  if (!found) {
    const known = versions.map((v) => v.ModelPackageVersion).sort((a, b) => (a ?? 0) - (b ?? 0));
    throw new ValidationError({
      where: `${group}/${version}`,
      field: '',
      problem:
        known.length > 0
          ? `does not exist: ${group} has versions ${known.join(', ')}`
          : `does not exist: ${group} has no versions (is the group name right?)`,
      fix: 'pick an existing version (npx slipway registry list)',
    });
  }
  return connection.sagemaker.send(new DescribeModelPackageCommand({ ModelPackageName: found.ModelPackageArn }));
}

/** The local server's own approval history (`Slipway.ListModelPackageApprovalHistory`). */
async function localHistory(connection: ServiceConnection, arn: string): Promise<ApprovalHistoryEntry[]> {
  const response = await callLocalOperation(
    { url: connection.url ?? '', credentials: connection.credentials! },
    'Slipway.ListModelPackageApprovalHistory',
    { ModelPackageArn: arn },
    connection.region,
  );
  const body = response.body as {
    ApprovalHistory?: {
      PreviousStatus?: string;
      NewStatus: string;
      Actor: string;
      ApprovalDescription?: string;
      Time: number;
    }[];
    __type?: string;
    message?: string;
  };
  if (!response.ok)
    throw new Error(`${body.__type ?? response.status}: ${body.message ?? 'the approval history could not be read'}`);
  return (body.ApprovalHistory ?? []).map((entry) => ({
    ...(entry.PreviousStatus ? { previousStatus: entry.PreviousStatus } : {}),
    newStatus: entry.NewStatus,
    actor: entry.Actor,
    ...(entry.ApprovalDescription ? { description: entry.ApprovalDescription } : {}),
    time: new Date(entry.Time * 1000).toISOString(),
  }));
}

function currentOnly(described: DescribeModelPackageOutput): ApprovalHistoryEntry[] {
  const when = described.LastModifiedTime ?? described.CreationTime;
  return [
    {
      newStatus: described.ModelApprovalStatus ?? 'unknown',
      actor: described.LastModifiedBy?.UserProfileName ?? described.CreatedBy?.UserProfileName ?? 'unknown',
      ...(described.ApprovalDescription ? { description: described.ApprovalDescription } : {}),
      time: (when ?? new Date(0)).toISOString(),
    },
  ];
}

function versionJson(summary: ModelPackageSummary) {
  return {
    version: summary.ModelPackageVersion,
    arn: summary.ModelPackageArn,
    approvalStatus: summary.ModelApprovalStatus,
    status: summary.ModelPackageStatus,
    createdAt: summary.CreationTime?.toISOString(),
    ...(summary.ModelPackageDescription ? { description: summary.ModelPackageDescription } : {}),
  };
}

function printPackage(context: CliContext, described: DescribeModelPackageOutput): void {
  const { output } = context;
  const container = described.InferenceSpecification?.Containers?.[0];
  const fields: [string, string | undefined][] = [
    ['version', `${described.ModelPackageGroupName}/${described.ModelPackageVersion}`],
    ['arn', described.ModelPackageArn],
    ['approval', described.ModelApprovalStatus],
    ['approval note', described.ApprovalDescription],
    [
      'lifecycle',
      described.ModelLifeCycle
        ? `${described.ModelLifeCycle.Stage} / ${described.ModelLifeCycle.StageStatus}${described.ModelLifeCycle.StageDescription ? ` (${described.ModelLifeCycle.StageDescription})` : ''}`
        : undefined,
    ],
    ['created', formatTime(described.CreationTime)],
    ['modified', described.LastModifiedTime ? formatTime(described.LastModifiedTime) : undefined],
    ['generated by', described.MetadataProperties?.GeneratedBy],
    ['commit', described.MetadataProperties?.CommitId],
    ['repository', described.MetadataProperties?.Repository],
    ['image', container?.Image],
    ['model data', container?.ModelDataUrl],
    ['metrics', described.ModelMetrics?.ModelQuality?.Statistics?.S3Uri],
    ...Object.entries(described.CustomerMetadataProperties ?? {}).map(([key, value]): [string, string] => [key, value]),
  ];
  for (const [label, value] of fields) {
    if (value === undefined || value === '') continue;
    output.line(
      `${output.paint(label.padEnd(14), 'dim')}${label === 'approval' ? output.paint(value, statusTone(value)) : value}`,
    );
  }
}

function statusTone(status: string | undefined): 'good' | 'bad' | 'warn' | 'plain' {
  return status === 'Approved'
    ? 'good'
    : status === 'Rejected'
      ? 'bad'
      : status === 'PendingManualApproval'
        ? 'warn'
        : 'plain';
}
