import {
  CreateModelPackageCommand,
  CreateModelPackageGroupCommand,
  UpdateModelPackageCommand,
  type SageMakerClient,
} from '@aws-sdk/client-sagemaker';
import type { LocalServer } from '@slipway/local';
import { SERVING_ENVIRONMENT, SKLEARN_IMAGE, uploadModel } from '../../../local/test/endpoints/endpoint-fixtures.js';

export type ApprovalStatus = 'Approved' | 'Rejected' | 'PendingManualApproval';

/**
 * Registers versions of the real seed model (trained by `buildModelArchives`) in a local server's registry,
 * as the pipeline's RegisterModel step does: the scikit-learn image, the model.tar.gz, the serving
 * environment. Each version gets its own copy of the archive, so versions differ in model data.
 */
export class SeedRegistry {
  private versions = 0;

  constructor(
    private readonly server: LocalServer,
    private readonly sagemaker: SageMakerClient,
    private readonly group: string,
    private readonly archive: string,
  ) {}

  async register(status: ApprovalStatus): Promise<string> {
    if (this.versions === 0) {
      await this.sagemaker.send(new CreateModelPackageGroupCommand({ ModelPackageGroupName: this.group }));
    }
    this.versions += 1;
    const modelDataUrl = await uploadModel(this.server, this.archive, `models/v${this.versions}/model.tar.gz`);
    const created = await this.sagemaker.send(
      new CreateModelPackageCommand({
        ModelPackageGroupName: this.group,
        ModelApprovalStatus: 'PendingManualApproval',
        InferenceSpecification: {
          Containers: [{ Image: SKLEARN_IMAGE, ModelDataUrl: modelDataUrl, Environment: SERVING_ENVIRONMENT }],
          SupportedContentTypes: ['application/json'],
          SupportedResponseMIMETypes: ['application/json'],
        },
      }),
    );
    const arn = created.ModelPackageArn as string;
    if (status !== 'PendingManualApproval') await this.setStatus(arn, status);
    return arn;
  }

  async setStatus(arn: string, status: ApprovalStatus): Promise<void> {
    await this.sagemaker.send(new UpdateModelPackageCommand({ ModelPackageArn: arn, ModelApprovalStatus: status }));
  }
}
