import type { Command } from 'commander';
import { DescribeModelPackageCommand, SageMakerClient } from '@aws-sdk/client-sagemaker';
import { S3Client } from '@aws-sdk/client-s3';
import { ValidationError, awsClientConfig, type Backend } from '@slipway/core';
import { readDeployments, servedPeriods, type ServedPeriod } from '@slipway/deploy-pipeline';
import type { CliContext } from '../context.js';
import { callLocalOperation } from '../local-connection.js';
import { printTable } from './format.js';
import { withDeployOptions, withDeployTarget, type DeployFlags } from './deploy.js';

/** Who approved a version and why, as far as the registry tells. */
export interface ApprovalRecord {
  readonly by?: string;
  readonly reason?: string;
  readonly at?: string;
}

export type HistoryEntry = ServedPeriod & { readonly approval?: ApprovalRecord };

/**
 * `slipway deploy history [--stage S]`: from the deployment journal, which version each stage served from
 * when to when, which run deployed it, rollbacks, and who approved the version. Locally the approver comes
 * from the server's approval history; on AWS, SageMaker keeps none, so the version's ApprovalDescription is
 * shown (the approver is in CloudTrail's UpdateModelPackage events).
 */
export function registerDeployHistory(deploy: Command, context: CliContext): void {
  withDeployOptions(
    deploy
      .command('history')
      .description(
        'which version each stage served, from when to when, deployed by which run, approved by whom; rollbacks',
      )
      .option('--stage <stage>', 'only this stage'),
  ).action((options: DeployFlags & { stage?: string }) =>
    withDeployTarget(context, options, async ({ project, backend }) => {
      if (options.stage !== undefined && !project.stages.includes(options.stage)) {
        throw new ValidationError({
          where: '--stage',
          field: '',
          problem: `must be one of ${project.stages.join(', ')}, got ${JSON.stringify(options.stage)}`,
        });
      }
      const s3 = new S3Client(awsClientConfig(backend));
      const sagemaker = new SageMakerClient(awsClientConfig(backend));
      try {
        const periods = servedPeriods(await readDeployments(s3, project, options.stage));
        const approvals = new Map<string, ApprovalRecord | undefined>();
        for (const period of periods) {
          if (!approvals.has(period.modelPackageArn)) {
            approvals.set(period.modelPackageArn, await approvalOf(backend, sagemaker, period.modelPackageArn));
          }
        }
        const entries: HistoryEntry[] = periods.map((period) => {
          const approval = approvals.get(period.modelPackageArn);
          return { ...period, ...(approval ? { approval } : {}) };
        });
        context.output.result({ deployments: entries }, () => printHistory(context, entries));
      } finally {
        s3.destroy();
        sagemaker.destroy();
      }
    }),
  );
}

async function approvalOf(
  backend: Backend,
  sagemaker: SageMakerClient,
  arn: string,
): Promise<ApprovalRecord | undefined> {
  if (backend.kind === 'local' && backend.endpoint && backend.credentials) {
    const response = await callLocalOperation(
      { url: backend.endpoint, credentials: backend.credentials },
      'Slipway.ListModelPackageApprovalHistory',
      { ModelPackageArn: arn },
      backend.region,
    );
    const history = (response.body['ApprovalHistory'] ?? []) as {
      NewStatus: string;
      Actor: string;
      ApprovalDescription?: string;
      Time: number;
    }[];
    const approved = history.filter((change) => change.NewStatus === 'Approved').at(-1);
    if (approved) {
      return {
        by: approved.Actor,
        ...(approved.ApprovalDescription ? { reason: approved.ApprovalDescription } : {}),
        at: new Date(approved.Time * 1000).toISOString(),
      };
    }
  }
  const described = await sagemaker
    .send(new DescribeModelPackageCommand({ ModelPackageName: arn }))
    .catch(() => undefined);
  return described?.ApprovalDescription ? { reason: described.ApprovalDescription } : undefined;
}

function printHistory(context: CliContext, entries: readonly HistoryEntry[]): void {
  const { output } = context;
  if (entries.length === 0) {
    output.line('No deployments recorded yet (the journal is deployments/ in the artifact bucket).');
    return;
  }
  printTable(
    output,
    ['STAGE', 'VERSION', 'FROM (UTC)', 'UNTIL (UTC)', 'HOW', 'DEPLOYED BY', 'APPROVED BY'],
    entries.map((entry) => [
      entry.stage,
      `v${entry.version}`,
      time(entry.at),
      entry.until ? time(entry.until) : 'live',
      entry.kind === 'rollback'
        ? `rollback${entry.replaced ? ` of v${entry.replaced.split('/').at(-1)}` : ''}`
        : 'deploy',
      entry.deployedBy ?? '-',
      entry.approval ? `${entry.approval.by ?? '?'}${entry.approval.reason ? `: ${entry.approval.reason}` : ''}` : '-',
    ]),
  );
}

function time(iso: string): string {
  return iso.replace('T', ' ').replace(/\.\d{3}Z$/, '');
}
