import type { StoredJobKind } from '../store/job-repository.js';

/** What the API, the engine and the logs service need to know about a job kind, named as SageMaker names it. */
export interface JobKindFacts {
  /** The request/response member with the job's name, e.g. `TrainingJobName`. */
  readonly nameMember: string;
  /** The ARN's resource type, e.g. `training-job`. */
  readonly arnType: string;
  /** The Describe response member with the status, e.g. `TrainingJobStatus`. */
  readonly statusMember: string;
  /** The pipeline step Metadata key (`PipelineExecutionStepMetadata`), e.g. `TrainingJob`. */
  readonly metadataKey: string;
  /** The CloudWatch Logs group SageMaker writes the job's streams to. */
  readonly logGroup: string;
  /** The longest name SageMaker accepts for this kind. */
  readonly maxNameLength: number;
}

export const JOB_KINDS = {
  Processing: {
    nameMember: 'ProcessingJobName',
    arnType: 'processing-job',
    statusMember: 'ProcessingJobStatus',
    metadataKey: 'ProcessingJob',
    logGroup: '/aws/sagemaker/ProcessingJobs',
    maxNameLength: 63,
  },
  Training: {
    nameMember: 'TrainingJobName',
    arnType: 'training-job',
    statusMember: 'TrainingJobStatus',
    metadataKey: 'TrainingJob',
    logGroup: '/aws/sagemaker/TrainingJobs',
    maxNameLength: 63,
  },
  Transform: {
    nameMember: 'TransformJobName',
    arnType: 'transform-job',
    statusMember: 'TransformJobStatus',
    metadataKey: 'TransformJob',
    logGroup: '/aws/sagemaker/TransformJobs',
    maxNameLength: 63,
  },
  HyperParameterTuning: {
    nameMember: 'HyperParameterTuningJobName',
    arnType: 'hyper-parameter-tuning-job',
    statusMember: 'HyperParameterTuningJobStatus',
    metadataKey: 'TuningJob',
    // SageMaker has no log stream for a tuning job itself; the local server keeps the tuner's own notes (which
    // configurations it chose, a Bayesian strategy run as random) under this group.
    logGroup: '/aws/sagemaker/HyperParameterTuningJobs',
    maxNameLength: 32,
  },
} as const satisfies Record<StoredJobKind, JobKindFacts>;

export const JOB_NAME_PATTERN = /^[a-zA-Z0-9](-*[a-zA-Z0-9])*$/;
