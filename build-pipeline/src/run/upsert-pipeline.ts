import { randomUUID } from 'node:crypto';
import type { SageMakerClient, Tag } from '@aws-sdk/client-sagemaker';
import { isAlreadyExists } from './aws-errors.js';
import type { RunReporter } from './run-types.js';
import { awsCommands } from './aws-commands.js';

export interface UpsertPipelineRequest {
  readonly pipelineName: string;
  /** The definition JSON, exactly as compiled. */
  readonly definition: string;
  readonly roleArn: string;
  readonly description?: string;
  /** Applied when the pipeline is created (UpdatePipeline takes none). */
  readonly tags: readonly Tag[];
}

export interface UpsertPipelineResult {
  readonly pipelineArn: string;
  readonly action: 'created' | 'updated';
  /**
   * The version this upsert wrote, to start exactly it: a created pipeline's first version (1), or the
   * version UpdatePipeline returns (each update is a new version). Absent only where an UpdatePipeline
   * answers without one (moto).
   */
  readonly pipelineVersionId?: number;
}

/** PipelineVersionId of a pipeline's first version, the one CreatePipeline writes (versions count from 1). */
export const FIRST_PIPELINE_VERSION = 1;

/**
 * CreatePipeline, or UpdatePipeline when the name is taken. SageMaker reports a taken name as a
 * ValidationException ("... already exists"); a concurrent create can surface as ConflictException. Create
 * is tried first because a pipeline that exists already is the only case costing a second call.
 */
export async function upsertPipeline(
  sagemaker: SageMakerClient,
  request: UpsertPipelineRequest,
  onEvent?: RunReporter,
): Promise<UpsertPipelineResult> {
  const { CreatePipelineCommand, UpdatePipelineCommand } = await awsCommands();
  const common = {
    PipelineName: request.pipelineName,
    PipelineDefinition: request.definition,
    RoleArn: request.roleArn,
    ...(request.description ? { PipelineDescription: request.description } : {}),
  };
  try {
    const created = await sagemaker.send(
      new CreatePipelineCommand({
        ...common,
        ClientRequestToken: randomUUID(),
        ...(request.tags.length > 0 ? { Tags: [...request.tags] } : {}),
      }),
    );
    const pipelineArn = created.PipelineArn ?? '';
    onEvent?.({ kind: 'pipeline', arn: pipelineArn, action: 'created' });
    // CreatePipeline returns no version id: the created pipeline has one version, the first. Starting it by id
    // (not "the latest") keeps a concurrent push's UpdatePipeline from putting its definition under this run.
    return { pipelineArn, action: 'created', pipelineVersionId: FIRST_PIPELINE_VERSION };
  } catch (error) {
    if (!isAlreadyExists(error)) throw error;
  }
  const updated = await sagemaker.send(new UpdatePipelineCommand(common));
  const pipelineArn = updated.PipelineArn ?? '';
  onEvent?.({ kind: 'pipeline', arn: pipelineArn, action: 'updated' });
  return {
    pipelineArn,
    action: 'updated',
    ...(updated.PipelineVersionId !== undefined ? { pipelineVersionId: updated.PipelineVersionId } : {}),
  };
}
