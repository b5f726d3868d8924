import {
  DescribeEndpointCommand,
  DescribeEndpointConfigCommand,
  DescribeModelCommand,
  type SageMakerClient,
} from '@aws-sdk/client-sagemaker';
import { isNotFound, orUndefinedIfMissing } from './sagemaker-errors.js';

/** What a stage's endpoint serves now, read from SageMaker itself (the same on AWS and the local server). */
export interface LiveDeployment {
  readonly endpointName: string;
  readonly endpointArn: string;
  readonly status: string;
  readonly failureReason?: string;
  readonly endpointConfigName: string;
  readonly modelName?: string;
  /** The registered package the endpoint's model was created from. */
  readonly modelPackageArn?: string;
}

/**
 * Follows endpoint → endpoint config → model → PrimaryContainer.ModelPackageName. The model's container is
 * the authority on which version is live: tags can drift, the container cannot.
 */
export async function readLiveDeployment(
  sagemaker: SageMakerClient,
  endpointName: string,
): Promise<LiveDeployment | undefined> {
  let endpoint;
  try {
    endpoint = await sagemaker.send(new DescribeEndpointCommand({ EndpointName: endpointName }));
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw error;
  }
  const base = {
    endpointName,
    endpointArn: endpoint.EndpointArn ?? '',
    status: endpoint.EndpointStatus ?? 'Unknown',
    endpointConfigName: endpoint.EndpointConfigName ?? '',
    ...(endpoint.FailureReason ? { failureReason: endpoint.FailureReason } : {}),
  };
  const config = await orUndefinedIfMissing(() =>
    sagemaker.send(new DescribeEndpointConfigCommand({ EndpointConfigName: base.endpointConfigName })),
  );
  const modelName = config?.ProductionVariants?.[0]?.ModelName;
  if (!modelName) return base;
  const model = await orUndefinedIfMissing(() => sagemaker.send(new DescribeModelCommand({ ModelName: modelName })));
  const modelPackageArn = model?.PrimaryContainer?.ModelPackageName ?? model?.Containers?.[0]?.ModelPackageName;
  return { ...base, modelName, ...(modelPackageArn ? { modelPackageArn } : {}) };
}
