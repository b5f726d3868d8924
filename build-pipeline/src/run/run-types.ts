import type { PipelineExecutionStatus, PipelineExecutionStepMetadata, StepStatus } from '@aws-sdk/client-sagemaker';
import type { Asset } from '../assets/asset.js';
import type { PipelineDefinition } from '../definition/types.js';

/** What a run needs from the compiler: the document, its exact JSON, what to upload and who runs it. */
export interface CompiledPipeline {
  readonly pipelineName: string;
  readonly definition: PipelineDefinition;
  /** The definition exactly as CreatePipeline/UpdatePipeline receive it. */
  readonly json: string;
  readonly assets: readonly Asset[];
  /** The SageMaker execution role the pipeline runs as (CreatePipeline's RoleArn). */
  readonly roleArn: string;
  readonly modelPackageGroupName: string;
  readonly warnings: readonly string[];
}

/** One step of an execution as ListPipelineExecutionSteps reports it, with the fields a run reads. */
export interface StepRecord {
  readonly name: string;
  readonly status: StepStatus | 'Unknown';
  readonly startTime?: Date;
  readonly endTime?: Date;
  readonly failureReason?: string;
  /** The execution whose result this step reused, when it was a cache hit. */
  readonly cacheHitSource?: string;
  readonly attemptCount?: number;
  readonly metadata?: PipelineExecutionStepMetadata;
}

export type ExecutionStatus = PipelineExecutionStatus | 'Unknown';

/**
 * Everything a run reports while it goes, in order. The GitHub action turns each into a log line and the CLI
 * into live progress; `describeRunEvent` gives both the same wording.
 */
export type RunEvent =
  | { readonly kind: 'compiled'; readonly pipelineName: string; readonly steps: number; readonly assets: number }
  | { readonly kind: 'warning'; readonly message: string }
  | { readonly kind: 'model-card'; readonly modelPackageArn: string }
  | { readonly kind: 'bucket-created'; readonly bucket: string }
  | { readonly kind: 'asset'; readonly key: string; readonly size: number; readonly uploaded: boolean }
  | { readonly kind: 'group'; readonly name: string; readonly created: boolean }
  | {
      readonly kind: 'champion';
      readonly minAccuracy: number;
      readonly given: number;
      readonly modelPackageArn?: string;
      readonly accuracy?: number;
    }
  | { readonly kind: 'pipeline'; readonly arn: string; readonly action: 'created' | 'updated' }
  | { readonly kind: 'started'; readonly executionArn: string; readonly parameters: Readonly<Record<string, string>> }
  | { readonly kind: 'step'; readonly step: StepRecord; readonly previous?: StepRecord['status'] }
  | { readonly kind: 'status'; readonly status: ExecutionStatus; readonly previous?: ExecutionStatus }
  | { readonly kind: 'throttled'; readonly operation: string; readonly retryInMs: number };

export type RunReporter = (event: RunEvent) => void;
