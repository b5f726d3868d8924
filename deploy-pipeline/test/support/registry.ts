import {
  CreateModelPackageCommand,
  CreateModelPackageGroupCommand,
  UpdateModelPackageCommand,
  type SageMakerClient,
} from '@aws-sdk/client-sagemaker';

/** Registers a version in a (moto) model registry and sets its approval status. */
export async function registerVersion(
  sagemaker: SageMakerClient,
  group: string,
  status: 'Approved' | 'Rejected' | 'PendingManualApproval',
): Promise<string> {
  await sagemaker.send(new CreateModelPackageGroupCommand({ ModelPackageGroupName: group })).catch(() => undefined);
  const created = await sagemaker.send(
    new CreateModelPackageCommand({
      ModelPackageGroupName: group,
      ModelApprovalStatus: 'PendingManualApproval',
      InferenceSpecification: {
        Containers: [
          {
            Image: '683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-scikit-learn:1.2-1-cpu-py3',
            ModelDataUrl: 's3://bucket/model.tar.gz',
          },
        ],
        SupportedContentTypes: ['application/json'],
        SupportedResponseMIMETypes: ['application/json'],
      },
    }),
  );
  const arn = created.ModelPackageArn as string;
  if (status !== 'PendingManualApproval') {
    await sagemaker.send(new UpdateModelPackageCommand({ ModelPackageArn: arn, ModelApprovalStatus: status }));
  }
  return arn;
}
