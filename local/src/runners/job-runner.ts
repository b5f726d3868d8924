import type {
  CreateProcessingJobRequest,
  CreateTrainingJobRequest,
  CreateTransformJobRequest,
} from '@aws-sdk/client-sagemaker';
import type { ObjectStore } from '../storage/object-store.js';

/**
 * The seam between the pipeline engine and the code that runs a job. The engine resolves a step's
 * `Arguments` (every Get / Std:Join / Std:JsonGet replaced by a literal), names the job and hands it to the
 * runner for its kind. A runner emulates the SageMaker container contract for that kind on this machine
 * (today: a subprocess in a per-job sandbox; later perhaps a container) and reports what the matching
 * Describe*Job call would show.
 */
export type JobKind = 'Processing' | 'Training' | 'Transform';

interface JobSpecBase {
  /** The job name SageMaker would generate, e.g. `pipelines-<execution id>-Preprocess-<suffix>`. */
  readonly jobName: string;
  readonly jobArn: string;
  readonly region: string;
  /**
   * An empty folder owned by this job. The runner builds its stand-in for `/opt/ml` here and may leave
   * files behind for debugging; the engine deletes it according to its retention policy.
   */
  readonly workDir: string;
  /** Where the runner appends the job's stdout and stderr (the job's "CloudWatch log stream"). */
  readonly logFile: string;
  /** Aborted when the execution is stopped; the runner ends the process and reports `Stopped`. */
  readonly signal: AbortSignal;
}

export interface ProcessingJobSpec extends JobSpecBase {
  readonly kind: 'Processing';
  /** A CreateProcessingJob request with every pipeline expression already resolved. */
  readonly request: Omit<CreateProcessingJobRequest, 'ProcessingJobName'>;
}

export interface TrainingJobSpec extends JobSpecBase {
  readonly kind: 'Training';
  /** A CreateTrainingJob request with every pipeline expression already resolved. */
  readonly request: Omit<CreateTrainingJobRequest, 'TrainingJobName'>;
}

/** The one container a transform job's model runs (its CreateModel request, resolved when the job is created). */
export interface TransformModel {
  readonly modelName: string;
  readonly image: string;
  /** The model.tar.gz; none for a container that brings its own model. */
  readonly modelDataUrl?: string;
  readonly environment: Readonly<Record<string, string>>;
}

export interface TransformJobSpec extends JobSpecBase {
  readonly kind: 'Transform';
  /** A CreateTransformJob request with every pipeline expression already resolved. */
  readonly request: Omit<CreateTransformJobRequest, 'TransformJobName'>;
  readonly model: TransformModel;
}

export type JobSpec = ProcessingJobSpec | TrainingJobSpec | TransformJobSpec;

export type JobStatus = 'Completed' | 'Failed' | 'Stopped';

export interface JobResult {
  readonly status: JobStatus;
  /** Why the job failed, as DescribeTrainingJob/DescribeProcessingJob would report it (≤ 1024 chars). */
  readonly failureReason?: string;
  /** Processing: the first 1 KB of /opt/ml/output/message. */
  readonly exitMessage?: string;
  /** Training: the S3 URI of the packed model.tar.gz. */
  readonly modelArtifactsS3Uri?: string;
  /** Training: metrics scraped from the log with the request's MetricDefinitions. */
  readonly finalMetricDataList?: readonly { MetricName: string; Value: number; Timestamp: Date }[];
  readonly startTime: Date;
  readonly endTime: Date;
  /** Transform: records read, requests sent, objects written. */
  readonly transformCounts?: { readonly records: number; readonly requests: number; readonly objects: number };
  /** Wall time of the user's process alone, so the engine can measure its own overhead. */
  readonly processMs: number;
}

export interface JobRunner {
  readonly kind: JobKind;
  run(spec: JobSpec, store: ObjectStore): Promise<JobResult>;
}

/** Thrown (or reported as a Failed result) when an image has no local runtime. */
export class UnsupportedImageError extends Error {
  override readonly name = 'UnsupportedImageError';
}
