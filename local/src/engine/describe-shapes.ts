import type { CreateModelInput, DescribeModelOutput } from '@aws-sdk/client-sagemaker';
import type { ModelRecord } from '../store/model-repository.js';

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
