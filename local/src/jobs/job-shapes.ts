import type {
  CreateProcessingJobRequest,
  CreateTrainingJobRequest,
  CreateTransformJobRequest,
  DescribeProcessingJobResponse,
  DescribeTrainingJobResponse,
  DescribeTransformJobResponse,
  ProcessingJobSummary,
  SecondaryStatusTransition,
  TrainingJobSummary,
  TransformJobSummary,
} from '@aws-sdk/client-sagemaker';
import type { JobRecord } from '../store/job-repository.js';

/**
 * The Describe*Job and List*Jobs shapes of the job kinds a runner runs, from a job's record: the stored (resolved)
 * Create*Job request and what the runner reported. Step properties (`Steps.X.ProcessingOutputConfig.Outputs
 * ['train'].S3Output.S3Uri`) walk exactly these shapes.
 */

/**
 * DescribeProcessingJob: the stored (resolved) request plus what the runner reported. Step property paths (`Steps.X.ProcessingOutputConfig.Outputs['train'].S3Output.S3Uri`) walk
 * exactly this shape.
 */
export function describeProcessingJob(job: JobRecord): DescribeProcessingJobResponse {
  const request = job.request as Omit<CreateProcessingJobRequest, 'ProcessingJobName'>;
  return {
    ProcessingInputs: request.ProcessingInputs,
    ProcessingOutputConfig: request.ProcessingOutputConfig,
    ProcessingJobName: job.name,
    ProcessingResources: request.ProcessingResources,
    StoppingCondition: request.StoppingCondition,
    AppSpecification: request.AppSpecification,
    Environment: request.Environment,
    NetworkConfig: request.NetworkConfig,
    RoleArn: request.RoleArn,
    ExperimentConfig: request.ExperimentConfig,
    ProcessingJobArn: job.arn,
    ProcessingJobStatus: job.status,
    ExitMessage: job.exitMessage,
    FailureReason: job.failureReason,
    ProcessingEndTime: job.endedAt,
    ProcessingStartTime: job.startedAt,
    LastModifiedTime: job.modifiedAt,
    CreationTime: job.createdAt,
  };
}

/** Where SageMaker puts a training job's model: `<S3OutputPath>/<job name>/output/model.tar.gz`. */
export function defaultModelArtifacts(outputPath: string | undefined, jobName: string): string {
  return `${(outputPath ?? '').replace(/\/+$/, '')}/${jobName}/output/model.tar.gz`;
}

/**
 * DescribeTrainingJob (see describeProcessingJob), with SecondaryStatusTransitions made from the job's times, as
 * the SageMaker SDK prints them while it waits.
 */
export function describeTrainingJob(job: JobRecord): DescribeTrainingJobResponse {
  const request = job.request as Omit<CreateTrainingJobRequest, 'TrainingJobName'>;
  const seconds =
    job.startedAt && job.endedAt
      ? Math.max(1, Math.round((job.endedAt.getTime() - job.startedAt.getTime()) / 1000))
      : undefined;
  return {
    TrainingJobName: job.name,
    TrainingJobArn: job.arn,
    ModelArtifacts: {
      S3ModelArtifacts: job.modelArtifacts ?? defaultModelArtifacts(request.OutputDataConfig?.S3OutputPath, job.name),
    },
    TrainingJobStatus: job.status,
    SecondaryStatus: secondaryStatus(job),
    SecondaryStatusTransitions: secondaryTransitions(job),
    TuningJobArn: job.parentJob ? parentArn(job) : undefined,
    FailureReason: job.failureReason,
    HyperParameters: request.HyperParameters,
    AlgorithmSpecification: request.AlgorithmSpecification,
    RoleArn: request.RoleArn,
    InputDataConfig: request.InputDataConfig,
    OutputDataConfig: request.OutputDataConfig,
    ResourceConfig: request.ResourceConfig,
    VpcConfig: request.VpcConfig,
    StoppingCondition: request.StoppingCondition,
    CreationTime: job.createdAt,
    TrainingStartTime: job.startedAt,
    TrainingEndTime: job.endedAt,
    LastModifiedTime: job.modifiedAt,
    FinalMetricDataList: job.metrics?.map((metric) => ({ ...metric })),
    EnableNetworkIsolation: request.EnableNetworkIsolation,
    EnableInterContainerTrafficEncryption: request.EnableInterContainerTrafficEncryption,
    EnableManagedSpotTraining: request.EnableManagedSpotTraining,
    CheckpointConfig: request.CheckpointConfig,
    TrainingTimeInSeconds: seconds,
    BillableTimeInSeconds: seconds,
    DebugHookConfig: request.DebugHookConfig,
    ExperimentConfig: request.ExperimentConfig,
    DebugRuleConfigurations: request.DebugRuleConfigurations,
    TensorBoardOutputConfig: request.TensorBoardOutputConfig,
    ProfilerConfig: request.ProfilerConfig,
    Environment: request.Environment,
    RetryStrategy: request.RetryStrategy,
  };
}

/** DescribeTransformJob: the request, the model it ran and what the runner reported. */
export function describeTransformJob(job: JobRecord): DescribeTransformJobResponse {
  const request = job.request as Omit<CreateTransformJobRequest, 'TransformJobName'>;
  return {
    TransformJobName: job.name,
    TransformJobArn: job.arn,
    TransformJobStatus: job.status,
    FailureReason: job.failureReason,
    ModelName: request.ModelName,
    MaxConcurrentTransforms: request.MaxConcurrentTransforms,
    ModelClientConfig: request.ModelClientConfig,
    MaxPayloadInMB: request.MaxPayloadInMB,
    BatchStrategy: request.BatchStrategy,
    Environment: request.Environment,
    TransformInput: request.TransformInput,
    TransformOutput: request.TransformOutput,
    DataCaptureConfig: request.DataCaptureConfig,
    TransformResources: request.TransformResources,
    CreationTime: job.createdAt,
    TransformStartTime: job.startedAt,
    TransformEndTime: job.endedAt,
    DataProcessing: request.DataProcessing,
    ExperimentConfig: request.ExperimentConfig,
  };
}

export function processingJobSummary(job: JobRecord): ProcessingJobSummary {
  return {
    ProcessingJobName: job.name,
    ProcessingJobArn: job.arn,
    CreationTime: job.createdAt,
    ProcessingEndTime: job.endedAt,
    LastModifiedTime: job.modifiedAt,
    ProcessingJobStatus: job.status,
    FailureReason: job.failureReason,
    ExitMessage: job.exitMessage,
  };
}

export function trainingJobSummary(job: JobRecord): TrainingJobSummary {
  return {
    TrainingJobName: job.name,
    TrainingJobArn: job.arn,
    CreationTime: job.createdAt,
    TrainingEndTime: job.endedAt,
    LastModifiedTime: job.modifiedAt,
    TrainingJobStatus: job.status,
    SecondaryStatus: secondaryStatus(job),
  };
}

export function transformJobSummary(job: JobRecord): TransformJobSummary {
  return {
    TransformJobName: job.name,
    TransformJobArn: job.arn,
    CreationTime: job.createdAt,
    TransformEndTime: job.endedAt,
    LastModifiedTime: job.modifiedAt,
    TransformJobStatus: job.status,
    FailureReason: job.failureReason,
  };
}

function secondaryStatus(job: JobRecord): DescribeTrainingJobResponse['SecondaryStatus'] {
  if (job.status === 'InProgress') return job.startedAt ? 'Training' : 'Starting';
  return job.status;
}

const ENDED_MESSAGES = {
  Completed: 'Training job completed',
  Failed: 'Training job failed',
  Stopped: 'Training job stopped',
  Stopping: 'Stopping the training job',
} as const;

/** Starting → Training → the end status, with the times the record has (what the SDK prints while waiting). */
function secondaryTransitions(job: JobRecord): SecondaryStatusTransition[] {
  const started = job.startedAt;
  const transitions: SecondaryStatusTransition[] = [
    {
      Status: 'Starting',
      StartTime: job.createdAt,
      EndTime: started,
      StatusMessage: 'Preparing the local sandbox for training',
    },
  ];
  if (started || job.status !== 'InProgress') {
    transitions.push({
      Status: 'Training',
      StartTime: started ?? job.createdAt,
      EndTime: job.endedAt,
      StatusMessage: 'Training in progress (a local process)',
    });
  }
  if (job.status !== 'InProgress') {
    transitions.push({
      Status: job.status,
      StartTime: job.endedAt ?? job.modifiedAt,
      EndTime: job.endedAt,
      StatusMessage: job.failureReason ?? ENDED_MESSAGES[job.status],
    });
  }
  return transitions;
}

/** A training job's tuning job: the ARN of the same account and region, with the parent's name. */
function parentArn(job: JobRecord): string {
  return job.arn.replace(/:training-job\/.*$/, `:hyper-parameter-tuning-job/${job.parentJob!.toLowerCase()}`);
}
