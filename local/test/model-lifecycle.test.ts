import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  CreateModelPackageCommand,
  CreateModelPackageGroupCommand,
  DescribeModelPackageCommand,
  ListModelPackagesCommand,
  UpdateModelPackageCommand,
} from '@aws-sdk/client-sagemaker';
import { MODEL_PACKAGE_STATE_CHANGE, type EventBridgeEvent } from '@slipway/core';
import { startTestServer, type TestServer } from './support/harness.js';

const INFERENCE = { Containers: [{ Image: 'img:1', ModelDataUrl: 's3://bkt/models/model.tar.gz' }] };

/**
 * SageMaker's model lifecycle stages (ModelLifeCycle on CreateModelPackage / UpdateModelPackage): stored,
 * described, listed, checked as the API reference gives them, and every change emits the same Model
 * Package State Change event as an approval, carrying the lifecycle.
 */
describe('ModelLifeCycle on the local registry', () => {
  let t: TestServer;
  const events: EventBridgeEvent[] = [];
  let arn: string;

  beforeAll(async () => {
    t = await startTestServer();
    t.server.events.onEvent((event) => {
      if (event['detail-type'] === MODEL_PACKAGE_STATE_CHANGE) events.push(event);
    });
    await t.sagemaker.send(new CreateModelPackageGroupCommand({ ModelPackageGroupName: 'lifecycle' }));
  });
  afterAll(() => t?.close());

  it('is kept from CreateModelPackage and shown by Describe and List', async () => {
    const created = await t.sagemaker.send(
      new CreateModelPackageCommand({
        ModelPackageGroupName: 'lifecycle',
        InferenceSpecification: INFERENCE,
        ModelLifeCycle: { Stage: 'Development', StageStatus: 'Registered', StageDescription: 'trained by run 7' },
      }),
    );
    arn = created.ModelPackageArn!;
    const described = await t.sagemaker.send(new DescribeModelPackageCommand({ ModelPackageName: arn }));
    expect(described.ModelLifeCycle).toEqual({
      Stage: 'Development',
      StageStatus: 'Registered',
      StageDescription: 'trained by run 7',
    });
    const listed = await t.sagemaker.send(new ListModelPackagesCommand({ ModelPackageGroupName: 'lifecycle' }));
    expect(listed.ModelPackageSummaryList?.[0]?.ModelLifeCycle).toMatchObject({ Stage: 'Development' });
  });

  it('a lifecycle-only UpdateModelPackage changes the stage and emits a state change event with it', async () => {
    await t.sagemaker.send(new UpdateModelPackageCommand({ ModelPackageArn: arn, ModelApprovalStatus: 'Approved' }));
    await t.server.events.drain();
    const before = events.length;
    await t.sagemaker.send(
      new UpdateModelPackageCommand({
        ModelPackageArn: arn,
        ModelLifeCycle: { Stage: 'Staging', StageStatus: 'Deployed' },
      }),
    );
    await t.server.events.drain();
    const described = await t.sagemaker.send(new DescribeModelPackageCommand({ ModelPackageName: arn }));
    expect(described).toMatchObject({
      ModelApprovalStatus: 'Approved',
      ModelLifeCycle: { Stage: 'Staging', StageStatus: 'Deployed' },
    });
    expect(events.slice(before).map((event) => event.detail)).toEqual([
      expect.objectContaining({
        ModelPackageArn: arn,
        ModelApprovalStatus: 'Approved',
        ModelLifeCycle: { Stage: 'Staging', StageStatus: 'Deployed' },
      }),
    ]);
  });

  it('the same lifecycle again changes nothing and emits nothing', async () => {
    await t.server.events.drain();
    const before = events.length;
    await t.sagemaker.send(
      new UpdateModelPackageCommand({
        ModelPackageArn: arn,
        ModelLifeCycle: { Stage: 'Staging', StageStatus: 'Deployed' },
      }),
    );
    await t.server.events.drain();
    expect(events.length).toBe(before);
  });

  it.each([
    [{ Stage: 'Staging' }, /ModelLifeCycle\.StageStatus must be 1 to 63 letters/],
    [{ Stage: 'bad stage', StageStatus: 'Deployed' }, /ModelLifeCycle\.Stage must be .*got "bad stage"/],
    [{ Stage: 'Staging', StageStatus: '-x' }, /ModelLifeCycle\.StageStatus must be/],
    [
      { Stage: 'Staging', StageStatus: 'Deployed', StageDescription: 'x'.repeat(1025) },
      /StageDescription must be a string of at most 1024/,
    ],
  ])('refuses %j, naming the field', async (lifecycle, message) => {
    await expect(
      t.sagemaker.send(
        new UpdateModelPackageCommand({
          ModelPackageArn: arn,
          ModelLifeCycle: lifecycle as { Stage: string; StageStatus: string },
        }),
      ),
    ).rejects.toMatchObject({ name: 'ValidationException', message: expect.stringMatching(message) });
    await expect(
      t.sagemaker.send(
        new CreateModelPackageCommand({
          ModelPackageGroupName: 'lifecycle',
          InferenceSpecification: INFERENCE,
          ModelLifeCycle: lifecycle as { Stage: string; StageStatus: string },
        }),
      ),
    ).rejects.toMatchObject({ name: 'ValidationException', message: expect.stringMatching(message) });
  });
});
