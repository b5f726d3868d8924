import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import {
  DescribeProcessingJobCommand,
  DescribeTrainingJobCommand,
  ListPipelineExecutionsCommand,
  type SageMakerClient,
} from '@aws-sdk/client-sagemaker';
import { ValidationError, describeValue, loadProjectConfig } from '@slipway/core';
import { withBackend, withBackendOptions, type BackendFlags } from '../backend-options.js';
import type { CliContext } from '../context.js';
import type { LocalConnection } from '../local-connection.js';
import { clientsFor, type SageMakerClients } from '../project-run.js';
import { printSteps, stepJson } from '../run-outcome.js';

const EXECUTION_ARN = /^arn:aws[a-z-]*:sagemaker:[a-z0-9-]*:\d{12}:pipeline\/[^/]+\/execution\/[^/]+$/;

interface Session {
  readonly clients: SageMakerClients;
  /** The local server on this machine behind the backend: its data dir keeps the job logs. */
  readonly server?: LocalConnection;
  readonly region: string;
}

/** SageMaker clients on the backend the options chose, for the length of `work`. */
function withSession(context: CliContext, flags: BackendFlags, work: (session: Session) => Promise<void>) {
  return withBackend(context, flags, async ({ backend, region, server }) => {
    const clients = clientsFor(backend);
    try {
      await work({ clients, region, ...(server ? { server } : {}) });
    } finally {
      clients.destroy();
    }
  });
}

/** `latest` → the newest execution of the project's pipeline; an ARN is checked and kept. */
async function resolveExecution(
  context: CliContext,
  sagemaker: SageMakerClient,
  reference: string,
  flag: string,
): Promise<string> {
  if (reference !== 'latest') {
    if (!EXECUTION_ARN.test(reference)) {
      throw new ValidationError({
        where: flag,
        field: '',
        problem: `must be a pipeline execution ARN or "latest", got ${describeValue(reference)}`,
        fix: 'copy the ARN that `slipway pipeline run` printed, or leave it out for the latest execution',
      });
    }
    return reference;
  }
  const { pipelineName } = loadProjectConfig({ cwd: context.cwd, env: context.env });
  const listed = await sagemaker.send(
    new ListPipelineExecutionsCommand({
      PipelineName: pipelineName,
      SortBy: 'CreationTime',
      SortOrder: 'Descending',
      MaxResults: 1,
    }),
  );
  const newest = listed.PipelineExecutionSummaries?.[0]?.PipelineExecutionArn;
  if (!newest) {
    throw new ValidationError({
      where: pipelineName,
      field: '',
      problem: 'has no executions here yet',
      fix: 'start one with `npx slipway pipeline run`',
    });
  }
  return newest;
}

/** `slipway pipeline status` and `slipway pipeline logs`. */
export function registerFollowCommands(pipeline: Command, context: CliContext): void {
  withBackendOptions(
    pipeline
      .command('status')
      .argument('[execution]', 'an execution ARN, or "latest"', 'latest')
      .description("an execution's status and its steps: duration, cache hit, failure reason"),
  ).action(async (reference: string, flags: BackendFlags) => {
    const { describeExecution, listExecutionSteps } = await import('@slipway/build-pipeline');
    await withSession(context, flags, async (session) => {
      const sagemaker = session.clients.sagemaker;
      const executionArn = await resolveExecution(context, sagemaker, reference, 'execution');
      const described = await describeExecution(sagemaker, executionArn);
      const steps = await listExecutionSteps(sagemaker, executionArn);
      context.output.result(
        {
          executionArn,
          status: described.PipelineExecutionStatus,
          ...(described.FailureReason ? { failureReason: described.FailureReason } : {}),
          ...(described.PipelineExecutionDisplayName ? { displayName: described.PipelineExecutionDisplayName } : {}),
          startedAt: described.CreationTime,
          lastModifiedAt: described.LastModifiedTime,
          steps: steps.map(stepJson),
        },
        () => {
          const status = described.PipelineExecutionStatus ?? 'Unknown';
          context.output.line(
            `${executionArn}: ${status}`,
            status === 'Succeeded' ? 'good' : status === 'Failed' ? 'bad' : 'plain',
          );
          if (described.CreationTime) context.output.line(`  started ${described.CreationTime.toISOString()}`, 'dim');
          if (described.FailureReason) context.output.line(`  ${described.FailureReason}`, 'bad');
          printSteps(context.output, steps);
        },
      );
    });
  });

  withBackendOptions(
    pipeline
      .command('logs')
      .argument('<step>', 'the step name, e.g. Train')
      .option('--execution <arn>', 'the execution (default: the latest)', 'latest')
      .description("a step's job log: the file the local server kept, or where CloudWatch has it on AWS"),
  ).action(async (stepName: string, flags: BackendFlags & { execution: string }) => {
    const { listExecutionSteps } = await import('@slipway/build-pipeline');
    await withSession(context, flags, async (session) => {
      const sagemaker = session.clients.sagemaker;
      const executionArn = await resolveExecution(context, sagemaker, flags.execution, '--execution');
      const steps = await listExecutionSteps(sagemaker, executionArn);
      const step = steps.find((candidate) => candidate.name === stepName);
      if (!step) {
        throw new ValidationError({
          where: 'step',
          field: '',
          problem: `${describeValue(stepName)} is not a step of ${executionArn}`,
          fix: `use one of: ${steps.map((candidate) => candidate.name).join(', ') || '(no steps ran)'}`,
        });
      }
      const processing = step.metadata?.ProcessingJob?.Arn;
      const training = step.metadata?.TrainingJob?.Arn;
      const jobArn = processing ?? training;
      if (!jobArn) {
        const outcome = JSON.stringify(step.metadata ?? {});
        context.output.result({ step: step.name, status: step.status, job: null, metadata: step.metadata ?? {} }, () =>
          context.output.line(`${step.name} ran no job, so it has no log (${step.status}; ${outcome})`),
        );
        return;
      }
      const jobName = processing
        ? (await sagemaker.send(new DescribeProcessingJobCommand({ ProcessingJobName: tail(jobArn) })))
            .ProcessingJobName
        : (await sagemaker.send(new DescribeTrainingJobCommand({ TrainingJobName: tail(jobArn) }))).TrainingJobName;
      const name = jobName ?? tail(jobArn);
      const cache = step.cacheHitSource ? { cacheHitSource: step.cacheHitSource } : {};
      if (session.server) {
        const logFile = join(session.server.dataDir, 'jobs', name, 'job.log');
        if (!existsSync(logFile)) {
          throw new Error(`the local server kept no log for ${name} (${logFile} is missing)`);
        }
        const text = readFileSync(logFile, 'utf8');
        context.output.result({ step: step.name, jobArn, jobName: name, logFile, ...cache, log: text }, () => {
          if (step.cacheHitSource)
            context.output.line(`(cache hit: the log of the job that ran in ${step.cacheHitSource})`, 'dim');
          context.output.write(text.endsWith('\n') || text === '' ? text : `${text}\n`);
        });
        return;
      }
      const logGroup = processing ? '/aws/sagemaker/ProcessingJobs' : '/aws/sagemaker/TrainingJobs';
      context.output.result(
        { step: step.name, jobArn, jobName: name, logGroup, logStreamPrefix: `${name}/`, ...cache },
        () => {
          context.output.line(`${step.name} ran ${name}; SageMaker writes its log to CloudWatch Logs:`);
          context.output.line(`  log group ${logGroup}, streams ${name}/algo-1-<timestamp>`);
          context.output.line(
            `  aws logs tail ${logGroup} --log-stream-name-prefix ${name}/ --region ${session.region} --since 1d`,
            'dim',
          );
        },
      );
    });
  });
}

function tail(arn: string): string {
  return arn.slice(arn.lastIndexOf('/') + 1);
}
