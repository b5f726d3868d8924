import { randomUUID } from 'node:crypto';
import type { SageMakerClient } from '@aws-sdk/client-sagemaker';
import { awsCommands } from './aws-commands.js';

export interface StartExecutionRequest {
  readonly pipelineName: string;
  /** Overrides only; parameters left out take their defaults. */
  readonly parameters: Readonly<Record<string, string>>;
  /** Idempotency token (32–128 characters). @default a fresh one: every call starts a new execution */
  readonly clientRequestToken?: string;
  readonly displayName?: string;
  readonly description?: string;
  /** Run exactly this version (the one the upsert just wrote). */
  readonly pipelineVersionId?: number;
}

/**
 * StartPipelineExecution. With the same ClientRequestToken, SageMaker (and the local server) return the
 * execution the token already started instead of starting another.
 */
export async function startExecution(sagemaker: SageMakerClient, request: StartExecutionRequest): Promise<string> {
  const { StartPipelineExecutionCommand } = await awsCommands();
  const started = await sagemaker.send(
    new StartPipelineExecutionCommand({
      PipelineName: request.pipelineName,
      ClientRequestToken: request.clientRequestToken ?? `slipway-${randomUUID()}`,
      PipelineParameters: Object.entries(request.parameters).map(([Name, Value]) => ({ Name, Value })),
      ...(request.displayName ? { PipelineExecutionDisplayName: request.displayName } : {}),
      ...(request.description ? { PipelineExecutionDescription: request.description } : {}),
      PipelineVersionId: request.pipelineVersionId,
    }),
  );
  if (!started.PipelineExecutionArn) throw new Error('StartPipelineExecution returned no PipelineExecutionArn');
  return started.PipelineExecutionArn;
}
