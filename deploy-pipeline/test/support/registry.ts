import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { CreateBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import {
  CreateModelPackageCommand,
  CreateModelPackageGroupCommand,
  UpdateModelPackageCommand,
  type SageMakerClient,
} from '@aws-sdk/client-sagemaker';
import { modelArtifactsUri, modelDataChecksumKey } from '@slipway/core';
import { testProject } from './project.js';

/** An S3 client for the same endpoint and credentials as `sagemaker` (moto serves both). */
async function s3Beside(sagemaker: SageMakerClient): Promise<S3Client> {
  const endpoint = await sagemaker.config.endpoint?.();
  return new S3Client({
    region: await sagemaker.config.region(),
    credentials: sagemaker.config.credentials,
    forcePathStyle: true,
    ...(endpoint
      ? { endpoint: `${endpoint.protocol}//${endpoint.hostname}${endpoint.port ? `:${endpoint.port}` : ''}` }
      : {}),
  });
}

/**
 * Registers a version in a (moto) model registry as the pipeline does: model data a training job wrote under
 * the artifact bucket's models/ prefix, and its SHA-256 in CustomerMetadataProperties. Sets its approval
 * status. Resolves with the ARN; `modelData` says where the data is, for tests that tamper with it.
 */
export async function registerVersion(
  sagemaker: SageMakerClient,
  group: string,
  status: 'Approved' | 'Rejected' | 'PendingManualApproval',
  modelData?: { url?: string; sha256?: string },
): Promise<string> {
  const project = testProject();
  await sagemaker.send(new CreateModelPackageGroupCommand({ ModelPackageGroupName: group })).catch(() => undefined);
  const s3 = await s3Beside(sagemaker);
  await s3.send(new CreateBucketCommand({ Bucket: project.artifactBucket })).catch(() => undefined);
  const bytes = randomBytes(64);
  const key = `${modelArtifactsUri(project).replace(`s3://${project.artifactBucket}/`, '')}/${randomUUID()}/output/model.tar.gz`;
  await s3.send(new PutObjectCommand({ Bucket: project.artifactBucket, Key: key, Body: bytes }));
  s3.destroy();
  const metadata = {
    [modelDataChecksumKey()]: modelData?.sha256 ?? createHash('sha256').update(bytes).digest('hex'),
  };
  const created = await sagemaker.send(
    new CreateModelPackageCommand({
      ModelPackageGroupName: group,
      ModelApprovalStatus: 'PendingManualApproval',
      InferenceSpecification: {
        Containers: [
          {
            Image: '683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-scikit-learn:1.2-1-cpu-py3',
            ModelDataUrl: modelData?.url ?? `s3://${project.artifactBucket}/${key}`,
          },
        ],
        SupportedContentTypes: ['application/json'],
        SupportedResponseMIMETypes: ['application/json'],
      },
      CustomerMetadataProperties: metadata,
    }),
  );
  const arn = created.ModelPackageArn as string;
  if (status !== 'PendingManualApproval') {
    // moto's UpdateModelPackage drops the CustomerMetadataProperties a request leaves out (SageMaker keeps
    // them), so they are sent again.
    await sagemaker.send(
      new UpdateModelPackageCommand({
        ModelPackageArn: arn,
        ModelApprovalStatus: status,
        CustomerMetadataProperties: metadata,
      }),
    );
  }
  return arn;
}
