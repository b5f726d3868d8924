/**
 * The retrain limit on AWS: the model package group's newest version is the shared record build.yml reads
 * before a drift retrain (decideRetrainFromRegistry), against moto's SageMaker.
 */
import { beforeAll, expect, it } from '@jest/globals';
import {
  CreateModelPackageCommand,
  CreateModelPackageGroupCommand,
  DescribeModelPackageCommand,
  SageMakerClient,
} from '@aws-sdk/client-sagemaker';
import { decideRetrainFromRegistry } from '../src/index.js';
import { describeWithMoto, motoClientConfig } from './support/moto-server.js';

const HOUR = 3_600_000;

describeWithMoto('decideRetrainFromRegistry (against moto)', (moto) => {
  let sagemaker: SageMakerClient;
  beforeAll(() => {
    sagemaker = new SageMakerClient(motoClientConfig(moto()));
  });

  async function register(group: string): Promise<{ arn: string; createdAt: Date }> {
    const { ModelPackageArn } = await sagemaker.send(
      new CreateModelPackageCommand({
        ModelPackageGroupName: group,
        ModelApprovalStatus: 'PendingManualApproval',
        InferenceSpecification: {
          Containers: [{ Image: 'sklearn', ModelDataUrl: 's3://bucket/model.tar.gz' }],
          SupportedContentTypes: ['application/json'],
          SupportedResponseMIMETypes: ['application/json'],
        },
      }),
    );
    const described = await sagemaker.send(new DescribeModelPackageCommand({ ModelPackageName: ModelPackageArn }));
    return { arn: ModelPackageArn!, createdAt: described.CreationTime! };
  }

  it('retrains when the group has no version, or its newest is older than the period', async () => {
    await sagemaker.send(new CreateModelPackageGroupCommand({ ModelPackageGroupName: 'empty-models' }));
    await expect(decideRetrainFromRegistry(sagemaker, { modelPackageGroupName: 'empty-models' })).resolves.toEqual({
      retrain: true,
      reason: 'empty-models has no version yet',
    });
    await sagemaker.send(new CreateModelPackageGroupCommand({ ModelPackageGroupName: 'old-models' }));
    const { createdAt } = await register('old-models');
    const decision = await decideRetrainFromRegistry(sagemaker, {
      modelPackageGroupName: 'old-models',
      now: new Date(createdAt.getTime() + 25 * HOUR),
    });
    expect(decision.retrain).toBe(true);
    expect(decision.reason).toMatch(/over 24 h ago/);
  });

  it('holds a retrain while the newest version (the last retrain) is within the period, and says until when', async () => {
    await sagemaker.send(new CreateModelPackageGroupCommand({ ModelPackageGroupName: 'busy-models' }));
    await register('busy-models');
    const newest = await register('busy-models');
    const decision = await decideRetrainFromRegistry(sagemaker, {
      modelPackageGroupName: 'busy-models',
      now: new Date(newest.createdAt.getTime() + 2 * HOUR),
    });
    expect(decision).toEqual({
      retrain: false,
      reason: expect.stringMatching(/busy-models\/2 was registered at .*within the last 24 h.*one retrain per 24 h$/),
      newestModelPackageArn: newest.arn,
      nextAllowedAt: new Date(newest.createdAt.getTime() + 24 * HOUR).toISOString(),
    });
    // A shorter period lets it through.
    const short = await decideRetrainFromRegistry(sagemaker, {
      modelPackageGroupName: 'busy-models',
      periodMs: HOUR,
      now: new Date(newest.createdAt.getTime() + 2 * HOUR),
    });
    expect(short.retrain).toBe(true);
  });
});
