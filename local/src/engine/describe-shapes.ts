import type {
  CreateModelInput,
  CreateProcessingJobRequest,
  CreateTrainingJobRequest,
  DescribeModelOutput,
  DescribeProcessingJobResponse,
  DescribeTrainingJobResponse,
} from '@aws-sdk/client-sagemaker';
import type { JobRecord } from '../store/job-repository.js';
import type { ModelRecord } from '../store/model-repository.js';

/**
 * DescribeProcessingJob for a job a pipeline ran: the stored (resolved) request plus what the runner
 * reported. Step property paths (`Steps.X.ProcessingOutputConfig.Outputs['train'].S3Output.S3Uri`) walk
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

/** DescribeTrainingJob for a job a pipeline ran (see describeProcessingJob). */
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
    SecondaryStatus: job.status === 'InProgress' ? 'Training' : job.status,
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

/** DescribeModel for a model a `Type: Model` step recorded (the endpoints module serves the operation). */
export function describeModel(model: ModelRecord): DescribeModelOutput {
  const request = model.request as Omit<CreateModelInput, 'ModelName'>;
  return {
    ModelName: model.name,
    PrimaryContainer: request.PrimaryContainer,
    Containers: request.Containers,
    InferenceExecutionConfig: request.InferenceExecutionConfig,
    ExecutionRoleArn: request.ExecutionRoleArn,
    VpcConfig: request.VpcConfig,
    CreationTime: model.createdAt,
    ModelArn: model.arn,
    EnableNetworkIsolation: request.EnableNetworkIsolation,
  };
}
