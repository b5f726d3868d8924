import { randomUUID } from 'node:crypto';
import {
  DescribePipelineCommand,
  DescribePipelineExecutionCommand,
  ListPipelineExecutionsCommand,
  ListPipelineParametersForExecutionCommand,
  ListPipelineVersionsCommand,
  ListPipelinesCommand,
  RetryPipelineExecutionCommand,
  StartPipelineExecutionCommand,
  StopPipelineExecutionCommand,
  type UserContext,
} from '@aws-sdk/client-sagemaker';
import { ValidationError } from '@slipway/core';
import { TERMINAL_STATUSES, checkParameterValues, errorName } from '@slipway/build-pipeline/run';
import type { ExecutionListItem, PipelineListItem, PipelineVersionItem, PipelineView } from '../views.js';
import type { ConsoleContext } from './console-context.js';
import { declaredParameters, parseDefinition } from './definition.js';
import { allPages, mapLimited } from './paging.js';
import { executionSource } from './source.js';

/** How many executions a pipeline's page lists (newest first). */
const EXECUTIONS_SHOWN = 50;

export async function listPipelines({ backend }: ConsoleContext): Promise<PipelineListItem[]> {
  const summaries = await allPages(async (NextToken) => {
    const page = await backend.sagemaker.send(new ListPipelinesCommand({ MaxResults: 100, NextToken }));
    return { items: page.PipelineSummaries, nextToken: page.NextToken };
  }, 200);
  return mapLimited(summaries, 8, async (summary) => {
    const name = summary.PipelineName ?? '';
    const latest = await backend.sagemaker.send(
      new ListPipelineExecutionsCommand({ PipelineName: name, MaxResults: 1, SortOrder: 'Descending' }),
    );
    const last = latest.PipelineExecutionSummaries?.[0];
    return {
      name,
      arn: summary.PipelineArn ?? '',
      ...(summary.PipelineDisplayName ? { displayName: summary.PipelineDisplayName } : {}),
      ...(summary.PipelineDescription ? { description: summary.PipelineDescription } : {}),
      ...(summary.CreationTime ? { created: summary.CreationTime.toISOString() } : {}),
      ...(summary.LastModifiedTime ? { lastModified: summary.LastModifiedTime.toISOString() } : {}),
      ...(last?.PipelineExecutionArn
        ? {
            lastExecution: {
              arn: last.PipelineExecutionArn,
              status: last.PipelineExecutionStatus ?? 'Unknown',
              ...(last.StartTime ? { started: last.StartTime.toISOString() } : {}),
            },
          }
        : {}),
    };
  });
}

export async function pipelineView(context: ConsoleContext, name: string): Promise<PipelineView> {
  const { sagemaker } = context.backend;
  const described = await sagemaker.send(new DescribePipelineCommand({ PipelineName: name }));
  const [versions, summaries] = await Promise.all([
    pipelineVersions(context, name),
    allPages(async (NextToken) => {
      const page = await sagemaker.send(
        new ListPipelineExecutionsCommand({ PipelineName: name, MaxResults: 50, SortOrder: 'Descending', NextToken }),
      );
      return { items: page.PipelineExecutionSummaries, nextToken: page.NextToken };
    }, EXECUTIONS_SHOWN),
  ]);
  const executions = await mapLimited(summaries, 8, (summary) =>
    executionListItem(context, summary.PipelineExecutionArn ?? ''),
  );
  return {
    pipeline: {
      name: described.PipelineName ?? name,
      arn: described.PipelineArn ?? '',
      ...(described.PipelineDisplayName ? { displayName: described.PipelineDisplayName } : {}),
      ...(described.PipelineDescription ? { description: described.PipelineDescription } : {}),
      ...(described.CreationTime ? { created: described.CreationTime.toISOString() } : {}),
      ...(described.LastModifiedTime ? { lastModified: described.LastModifiedTime.toISOString() } : {}),
      ...(described.RoleArn ? { roleArn: described.RoleArn } : {}),
    },
    versions,
    executions,
    parameters: declaredParameters(parseDefinition(described.PipelineDefinition)),
  };
}

/** ListPipelineVersions; a service without it (an older moto) gets the one version DescribePipeline shows. */
async function pipelineVersions(context: ConsoleContext, name: string): Promise<PipelineVersionItem[]> {
  try {
    const versions = await allPages(async (NextToken) => {
      const page = await context.backend.sagemaker.send(
        new ListPipelineVersionsCommand({ PipelineName: name, MaxResults: 100, SortOrder: 'Descending', NextToken }),
      );
      return { items: page.PipelineVersionSummaries, nextToken: page.NextToken };
    }, 100);
    return versions.map((version) => ({
      version: version.PipelineVersionId ?? 0,
      ...(version.CreationTime ? { created: version.CreationTime.toISOString() } : {}),
      ...(version.PipelineVersionDisplayName ? { displayName: version.PipelineVersionDisplayName } : {}),
      ...(version.PipelineVersionDescription ? { description: version.PipelineVersionDescription } : {}),
      ...(version.LastExecutionPipelineExecutionArn
        ? { lastExecutionArn: version.LastExecutionPipelineExecutionArn }
        : {}),
    }));
  } catch (error) {
    if (!isUnsupported(error)) throw error;
    return [];
  }
}

/** One execution's summary: status, times, who started it, its parameters and source. */
export async function executionListItem(context: ConsoleContext, arn: string): Promise<ExecutionListItem> {
  const cached = context.endedExecutions.get(arn);
  if (cached) return cached;
  const { sagemaker } = context.backend;
  const [described, parameters] = await Promise.all([
    sagemaker.send(new DescribePipelineExecutionCommand({ PipelineExecutionArn: arn })),
    executionParameters(context, arn),
  ]);
  const started = described.CreationTime;
  const status = described.PipelineExecutionStatus ?? 'Unknown';
  const ended = TERMINAL_STATUSES.has(status) ? described.LastModifiedTime : undefined;
  const source = executionSource(parameters);
  const startedBy = createdBy(described.CreatedBy);
  const item: ExecutionListItem = {
    arn,
    ...(described.PipelineExecutionDisplayName ? { displayName: described.PipelineExecutionDisplayName } : {}),
    status,
    ...(started ? { started: started.toISOString() } : {}),
    ...(ended ? { ended: ended.toISOString() } : {}),
    ...(started ? { durationMs: (ended ?? new Date()).getTime() - started.getTime() } : {}),
    ...(described.FailureReason ? { failureReason: described.FailureReason } : {}),
    ...(described.PipelineVersionId !== undefined ? { version: described.PipelineVersionId } : {}),
    ...(startedBy ? { createdBy: startedBy } : {}),
    parameters,
    ...(source ? { source } : {}),
  };
  if (ended) context.endedExecutions.set(arn, item);
  return item;
}

async function executionParameters(context: ConsoleContext, arn: string): Promise<Record<string, string>> {
  const parameters = await allPages(async (NextToken) => {
    const page = await context.backend.sagemaker.send(
      new ListPipelineParametersForExecutionCommand({ PipelineExecutionArn: arn, MaxResults: 100, NextToken }),
    );
    return { items: page.PipelineParameters, nextToken: page.NextToken };
  }, 200);
  return Object.fromEntries(parameters.map((parameter) => [parameter.Name ?? '', parameter.Value ?? '']));
}

function createdBy(user: UserContext | undefined): string | undefined {
  return user?.UserProfileName ?? user?.IamIdentity?.Arn;
}

/**
 * StartPipelineExecution with values for the parameters the version declares, checked here first (the
 * same check `slipway pipeline run --param` makes): unknown names, wrong types and values outside an enum
 * are refused with every problem named.
 */
export async function startExecution(
  context: ConsoleContext,
  name: string,
  request: { readonly parameters: Readonly<Record<string, string>>; readonly version?: number },
): Promise<{ arn: string }> {
  const { sagemaker } = context.backend;
  const described = await sagemaker.send(
    new DescribePipelineCommand({
      PipelineName: name,
      PipelineVersionId: request.version,
    }),
  );
  const declared = parseDefinition(described.PipelineDefinition).Parameters;
  const lines = Object.entries(request.parameters).map(([parameter, value], index) => ({
    name: parameter,
    value: String(value).trim(),
    line: index + 1,
  }));
  const values = checkParameterValues(lines, declared, 'parameters');
  const started = await sagemaker.send(
    new StartPipelineExecutionCommand({
      PipelineName: name,
      ClientRequestToken: `studio-${randomUUID()}`,
      PipelineParameters: Object.entries(values).map(([Name, Value]) => ({ Name, Value })),
      PipelineVersionId: request.version,
    }),
  );
  return { arn: started.PipelineExecutionArn ?? '' };
}

export async function stopExecution(context: ConsoleContext, arn: string): Promise<{ arn: string }> {
  const stopped = await context.backend.sagemaker.send(
    new StopPipelineExecutionCommand({ PipelineExecutionArn: arn, ClientRequestToken: `studio-${randomUUID()}` }),
  );
  return { arn: stopped.PipelineExecutionArn ?? arn };
}

/**
 * Retries a failed execution: RetryPipelineExecution where the service has it (SageMaker: the same
 * execution resumes from its failed steps). Where it does not (the local server), a new execution of the
 * same version with the same parameters; its unchanged steps are cache hits, so only what failed runs again.
 */
export async function retryExecution(
  context: ConsoleContext,
  arn: string,
): Promise<{ arn: string; how: 'retried' | 'restarted' }> {
  const { sagemaker } = context.backend;
  const described = await sagemaker.send(new DescribePipelineExecutionCommand({ PipelineExecutionArn: arn }));
  if (described.PipelineExecutionStatus !== 'Failed') {
    throw new ValidationError({
      where: arn,
      field: 'PipelineExecutionStatus',
      problem: `is ${described.PipelineExecutionStatus ?? 'unknown'}; only a Failed execution can be retried`,
      fix: 'start a new execution instead',
    });
  }
  try {
    const retried = await sagemaker.send(
      new RetryPipelineExecutionCommand({ PipelineExecutionArn: arn, ClientRequestToken: `studio-${randomUUID()}` }),
    );
    return { arn: retried.PipelineExecutionArn ?? arn, how: 'retried' };
  } catch (error) {
    if (!isUnsupported(error)) throw error;
  }
  const pipelineName = /:pipeline\/([^/]+)\/execution\//.exec(arn)?.[1] ?? '';
  const parameters = await executionParameters(context, arn);
  const started = await sagemaker.send(
    new StartPipelineExecutionCommand({
      PipelineName: pipelineName,
      ClientRequestToken: `studio-${randomUUID()}`,
      PipelineParameters: Object.entries(parameters).map(([Name, Value]) => ({ Name, Value })),
      PipelineVersionId: described.PipelineVersionId,
      PipelineExecutionDescription: `Retry of ${arn}`,
    }),
  );
  return { arn: started.PipelineExecutionArn ?? '', how: 'restarted' };
}

/**
 * The service does not serve this operation: the local server's UnknownOperationException, a NotImplemented,
 * or an answer that is not the API's JSON at all with a server error (moto answers an operation it lacks with
 * an HTML page and status 500).
 */
export function isUnsupported(error: unknown): boolean {
  const name = errorName(error);
  if (name === 'UnknownOperationException' || name === 'NotImplementedError' || name === 'NotImplemented') return true;
  const status = (error as { $metadata?: { httpStatusCode?: number } } | null)?.$metadata?.httpStatusCode ?? 0;
  return name === 'SyntaxError' && status >= 500;
}
