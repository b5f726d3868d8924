import type {
  DataCaptureConfigSummary,
  DescribeEndpointConfigOutput,
  DescribeEndpointOutput,
  EndpointConfigSummary,
  EndpointSummary,
  ModelSummary,
  PendingProductionVariantSummary,
  ProductionVariantSummary,
} from '@aws-sdk/client-sagemaker';
import type {
  DeploymentSpec,
  EndpointConfigRecord,
  EndpointRecord,
  VariantSpec,
} from '../store/endpoint-repository.js';
import type { ModelRecord } from '../store/model-repository.js';

/** DescribeEndpoint: what serves now, and (while Creating/Updating) the deployment in progress. */
export function describeEndpoint(record: EndpointRecord): DescribeEndpointOutput {
  const capture = record.serving?.dataCapture ?? record.pending?.dataCapture;
  return {
    EndpointName: record.name,
    EndpointArn: record.arn,
    EndpointConfigName: record.configName,
    ...(record.serving
      ? { ProductionVariants: record.serving.variants.map((v) => variantSummary(v, record.serving!)) }
      : {}),
    ...(capture ? { DataCaptureConfig: dataCaptureSummary(capture) } : {}),
    EndpointStatus: record.status,
    FailureReason: record.failureReason,
    CreationTime: record.createdAt,
    LastModifiedTime: record.modifiedAt,
    LastDeploymentConfig: record.deploymentConfig,
    ...(record.pending ? { PendingDeploymentSummary: pendingSummary(record.pending, record.status) } : {}),
  };
}

export function summarizeEndpoint(record: EndpointRecord): EndpointSummary {
  return {
    EndpointName: record.name,
    EndpointArn: record.arn,
    CreationTime: record.createdAt,
    LastModifiedTime: record.modifiedAt,
    EndpointStatus: record.status,
  };
}

export function describeEndpointConfig(config: EndpointConfigRecord): DescribeEndpointConfigOutput {
  return {
    EndpointConfigName: config.name,
    EndpointConfigArn: config.arn,
    ...(config.request as Omit<DescribeEndpointConfigOutput, 'EndpointConfigName' | 'EndpointConfigArn'>),
    CreationTime: config.createdAt,
  };
}

export function summarizeEndpointConfig(config: EndpointConfigRecord): EndpointConfigSummary {
  return { EndpointConfigName: config.name, EndpointConfigArn: config.arn, CreationTime: config.createdAt };
}

export function summarizeModel(model: ModelRecord): ModelSummary {
  return { ModelName: model.name, ModelArn: model.arn, CreationTime: model.createdAt };
}

function deployedImages(variant: VariantSpec, deployment: DeploymentSpec) {
  // There is no registry to resolve a digest from: the local runtime runs the image as named.
  return [
    {
      SpecifiedImage: variant.container.image,
      ResolvedImage: variant.container.image,
      ResolutionTime: deployment.startedAt,
    },
  ];
}

function variantSummary(variant: VariantSpec, deployment: DeploymentSpec): ProductionVariantSummary {
  return {
    VariantName: variant.variantName,
    DeployedImages: deployedImages(variant, deployment),
    CurrentWeight: variant.weight,
    DesiredWeight: variant.weight,
    CurrentInstanceCount: variant.instanceCount,
    DesiredInstanceCount: variant.instanceCount,
    ...(variant.serverlessConfig
      ? {
          CurrentServerlessConfig: variant.serverlessConfig,
          DesiredServerlessConfig: variant.serverlessConfig,
        }
      : {}),
  };
}

function pendingSummary(deployment: DeploymentSpec, status: EndpointRecord['status']) {
  const variantStatus = status === 'Creating' ? 'Creating' : 'Updating';
  return {
    EndpointConfigName: deployment.configName,
    ProductionVariants: deployment.variants.map((variant): PendingProductionVariantSummary => ({
      VariantName: variant.variantName,
      DeployedImages: deployedImages(variant, deployment),
      DesiredWeight: variant.weight,
      DesiredInstanceCount: variant.instanceCount,
      ...(variant.instanceType
        ? { InstanceType: variant.instanceType as PendingProductionVariantSummary['InstanceType'] }
        : {}),
      VariantStatus: [{ Status: variantStatus, StartTime: deployment.startedAt }],
    })),
    StartTime: deployment.startedAt,
  };
}

function dataCaptureSummary(config: Readonly<Record<string, unknown>>): DataCaptureConfigSummary {
  const enabled = config['EnableCapture'] !== false;
  return {
    EnableCapture: enabled,
    CaptureStatus: enabled ? 'Started' : 'Stopped',
    CurrentSamplingPercentage: Number(config['InitialSamplingPercentage'] ?? 0),
    DestinationS3Uri: String(config['DestinationS3Uri'] ?? ''),
    KmsKeyId: String(config['KmsKeyId'] ?? ''),
  };
}
