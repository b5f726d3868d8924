import type {
  DescribePipelineExecutionResponse,
  PipelineExecutionStep,
  SageMakerClient,
} from '@aws-sdk/client-sagemaker';
import type { ExecutionStatus, StepRecord } from './run-types.js';
import { awsCommands } from './aws-commands.js';

export const TERMINAL_STATUSES: ReadonlySet<ExecutionStatus> = new Set(['Succeeded', 'Failed', 'Stopped']);
const ACTIVE_STEP_STATUSES = new Set(['Starting', 'Executing', 'Stopping']);

export function isStepActive(step: StepRecord): boolean {
  return ACTIVE_STEP_STATUSES.has(step.status);
}

export function toStepRecord(step: PipelineExecutionStep): StepRecord {
  return {
    name: step.StepName ?? '(unnamed)',
    status: step.StepStatus ?? 'Unknown',
    ...(step.StartTime ? { startTime: step.StartTime } : {}),
    ...(step.EndTime ? { endTime: step.EndTime } : {}),
    ...(step.FailureReason ? { failureReason: step.FailureReason } : {}),
    ...(step.CacheHitResult?.SourcePipelineExecutionArn
      ? { cacheHitSource: step.CacheHitResult.SourcePipelineExecutionArn }
      : {}),
    ...(step.AttemptCount !== undefined ? { attemptCount: step.AttemptCount } : {}),
    ...(step.Metadata ? { metadata: step.Metadata } : {}),
  };
}

/** Every step of an execution (every page, through the SDK's paginator), oldest first. */
export async function listExecutionSteps(sagemaker: SageMakerClient, executionArn: string): Promise<StepRecord[]> {
  const { paginateListPipelineExecutionSteps } = await awsCommands();
  const steps: StepRecord[] = [];
  const pages = paginateListPipelineExecutionSteps(
    { client: sagemaker, pageSize: 100 },
    { PipelineExecutionArn: executionArn },
  );
  for await (const page of pages) steps.push(...(page.PipelineExecutionSteps ?? []).map(toStepRecord));
  // The service lists newest first; oldest first reads better, and steps started in the same millisecond
  // keep the service's creation order.
  return steps
    .map((step, index) => ({ step, index }))
    .sort((a, b) => (a.step.startTime?.getTime() ?? 0) - (b.step.startTime?.getTime() ?? 0) || b.index - a.index)
    .map(({ step }) => step);
}

export async function describeExecution(
  sagemaker: SageMakerClient,
  executionArn: string,
): Promise<DescribePipelineExecutionResponse> {
  const { DescribePipelineExecutionCommand } = await awsCommands();
  return sagemaker.send(new DescribePipelineExecutionCommand({ PipelineExecutionArn: executionArn }));
}

/** The model package a RegisterModel step created (its Metadata), if any step did. */
export function registeredModelPackageArn(steps: readonly StepRecord[]): string | undefined {
  return steps.find((step) => step.status === 'Succeeded' && step.metadata?.RegisterModel?.Arn)?.metadata?.RegisterModel
    ?.Arn;
}
