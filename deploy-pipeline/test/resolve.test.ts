import { beforeAll, describe, expect, it } from '@jest/globals';
import { S3Client } from '@aws-sdk/client-s3';
import { ListEndpointsCommand, SageMakerClient } from '@aws-sdk/client-sagemaker';
import { ValidationError } from '@slipway/core';
import { resolveDeployment, type DeployRequest, type EarlierDelivery } from '../src/index.js';
import { describeWithMoto, motoClientConfig } from './support/moto-server.js';
import { testProject } from './support/project.js';
import { registerVersion } from './support/registry.js';

describeWithMoto('resolveDeployment (against moto)', (moto) => {
  const project = testProject();
  let sagemaker: SageMakerClient;
  let s3: S3Client;
  let approved: string;
  let older: string;
  let pending: string;
  let rejected: string;

  beforeAll(async () => {
    sagemaker = new SageMakerClient(motoClientConfig(moto()));
    s3 = new S3Client({ ...motoClientConfig(moto()), forcePathStyle: true });
    older = await registerVersion(sagemaker, project.modelPackageGroupName, 'Approved');
    approved = await registerVersion(sagemaker, project.modelPackageGroupName, 'Approved');
    pending = await registerVersion(sagemaker, project.modelPackageGroupName, 'PendingManualApproval');
    rejected = await registerVersion(sagemaker, project.modelPackageGroupName, 'Rejected');
    await registerVersion(sagemaker, 'someone-elses-models', 'Approved');
  });

  /** The earlier runs that received each event id, as the workflow's record would say. */
  const earlier = new Map<string, EarlierDelivery[]>();
  /** The earlier event runs of each version, newest first. */
  const ofVersion = new Map<number, EarlierDelivery[]>();
  const deliveries = {
    earlierDeliveries: async (id: string) => earlier.get(id) ?? [],
    earlierEventsOfVersion: async (version: number) => ofVersion.get(version) ?? [],
  };
  const resolve = (request: DeployRequest) => resolveDeployment(request, { project, sagemaker, s3, deliveries });
  let events = 0;
  const approvedEvent = (arn: unknown): DeployRequest => ({
    eventType: 'model-package-approved',
    modelPackageArn: arn,
    eventId: `00000000-0000-0000-0000-${String((events += 1)).padStart(12, '0')}`,
  });

  it('deploys exactly the approved version named in the event, when it is the newest Approved one', async () => {
    const resolved = await resolve({
      ...approvedEvent(approved),
      modelPackageGroup: project.modelPackageGroupName,
      modelPackageVersion: '2',
      approvalStatus: 'Approved',
    });
    expect(resolved).toMatchObject({ action: 'deploy', modelPackageArn: approved, version: 2 });
  });

  it('deploys nothing for a late or repeated approval event of an older version', async () => {
    const resolved = await resolve(approvedEvent(older));
    expect(resolved.action).toBe('none');
    expect(resolved.message).toMatch(
      /Version 1 is Approved, but version 2 is the newest Approved version.*run the deploy workflow by hand/,
    );
  });

  it('deploys an older Approved version when a person asks for it by hand', async () => {
    const resolved = await resolve({ trigger: 'manual', eventType: 'model-package-approved', modelPackageArn: older });
    expect(resolved).toMatchObject({ action: 'deploy', modelPackageArn: older, version: 1 });
  });

  it('acts on each event id once: a repeated delivery after a run that handled it deploys nothing', async () => {
    const event = approvedEvent(approved);
    earlier.set(event.eventId as string, [{ run: 'run #4', status: 'completed', conclusion: 'success' }]);
    const resolved = await resolve(event);
    expect(resolved.action).toBe('none');
    expect(resolved.message).toMatch(/was delivered before and run #4 handled it \(success\)/);
    // A run that failed did not handle it: the event is acted on again.
    earlier.set(event.eventId as string, [{ run: 'run #4', status: 'completed', conclusion: 'failure' }]);
    expect((await resolve(event)).action).toBe('deploy');
  });

  it('acts on each decision once: a lifecycle or metadata change of an Approved version, whose approval a run received, deploys nothing', async () => {
    const approval = { status: 'completed', conclusion: 'success', eventType: 'model-package-approved' };
    ofVersion.set(2, [{ run: 'run #6', ...approval }]);
    const resolved = await resolve(approvedEvent(approved));
    expect(resolved).toEqual({
      action: 'none',
      message: expect.stringMatching(
        /^Version 2's approval was received before by run #6 \(success\); this event is another change of the version \(its lifecycle stage or metadata\), which deploys nothing\. To deploy it again on purpose, run the deploy workflow by hand with arn:/,
      ),
    });
    // A run that failed did not act on it; an older one did.
    ofVersion.set(2, [
      { run: 'run #7', ...approval, conclusion: 'failure' },
      { run: 'run #6', ...approval },
    ]);
    expect((await resolve(approvedEvent(approved))).message).toMatch(/received before by run #6/);
    // Only a failed one: the approval is acted on again (a retried delivery finishes what it left).
    ofVersion.set(2, [{ run: 'run #7', ...approval, conclusion: 'failure' }]);
    expect((await resolve(approvedEvent(approved))).action).toBe('deploy');
    // A rejection since: this approval is a new decision.
    ofVersion.set(2, [
      { run: 'run #8', status: 'completed', conclusion: 'success', eventType: 'model-package-rejected' },
      { run: 'run #6', ...approval },
    ]);
    expect((await resolve(approvedEvent(approved))).action).toBe('deploy');
    // A person deploying by hand is not an event: never taken for a repeat.
    ofVersion.set(2, [{ run: 'run #6', ...approval }]);
    expect(
      (await resolve({ trigger: 'manual', eventType: 'model-package-approved', modelPackageArn: approved })).action,
    ).toBe('deploy');
    ofVersion.clear();
  });

  it('a second rejection event of the same version (a lifecycle change) rolls nothing back', async () => {
    ofVersion.set(4, [
      { run: 'run #9', status: 'completed', conclusion: 'success', eventType: 'model-package-rejected' },
    ]);
    const resolved = await resolve({ ...approvedEvent(rejected), eventType: 'model-package-rejected' });
    expect(resolved.action).toBe('none');
    expect(resolved.message).toMatch(/^Version 4's rejection was received before by run #9/);
    ofVersion.clear();
  });

  it('needs the earlier runs to resolve an event', async () => {
    await expect(resolveDeployment(approvedEvent(approved), { project, sagemaker })).rejects.toThrow(
      /needs the earlier runs, to act on it once/,
    );
  });

  it('rolls a rejection back to the newest version still Approved', async () => {
    const resolved = await resolve({ ...approvedEvent(rejected), eventType: 'model-package-rejected' });
    expect(resolved).toEqual(
      expect.objectContaining({ action: 'rollback', rejectedModelPackageArn: rejected, modelPackageArn: approved }),
    );
  });

  it('does nothing for a rejection the registry no longer shows', async () => {
    const resolved = await resolve({ ...approvedEvent(approved), eventType: 'model-package-rejected' });
    expect(resolved.action).toBe('none');
    expect(resolved.message).toMatch(/Approved again/);
  });

  const bad: [string, DeployRequest, RegExp][] = [
    ['a missing ARN', approvedEvent(undefined), /model_package_arn must be a SageMaker ARN.*got nothing/],
    ['a garbled ARN', approvedEvent('arn:aws:sagemaker:us-east-1:123:model-package/x'), /must be a SageMaker ARN/],
    [
      'the ARN of a group instead of a version',
      approvedEvent('arn:aws:sagemaker:us-east-1:123456789012:model-package-group/sentiment-models'),
      /versioned model package ARN|SageMaker ARN/,
    ],
    [
      'a version of a foreign group',
      approvedEvent('arn:aws:sagemaker:us-east-1:123456789012:model-package/someone-elses-models/1'),
      /not of this project's group/,
    ],
    [
      'another region',
      approvedEvent('arn:aws:sagemaker:eu-west-1:123456789012:model-package/sentiment-models/1'),
      /region eu-west-1/,
    ],
    [
      'a version in another account',
      approvedEvent('arn:aws:sagemaker:us-east-1:999999999999:model-package/sentiment-models/1'),
      /is in account 999999999999 \(partition aws\), not in the project's account 123456789012 \(partition aws\)/,
    ],
    [
      'a version in another partition',
      approvedEvent('arn:aws-us-gov:sagemaker:us-east-1:123456789012:model-package/sentiment-models/1'),
      /partition aws-us-gov\), not in the project's account 123456789012 \(partition aws\)/,
    ],
    [
      'a version the registry does not know',
      approvedEvent('arn:aws:sagemaker:us-east-1:123456789012:model-package/sentiment-models/99'),
      /no model package the registry knows/,
    ],
    ['an unknown event type', { ...approvedEvent('x'), eventType: 'deploy-everything' }, /event_type must be one of/],
    [
      'an event without its event id',
      { eventType: 'model-package-approved', modelPackageArn: 'x' },
      /event_id is missing.*npx slipway bootstrap/,
    ],
    ['a malformed event id', { ...approvedEvent('x'), eventId: '../../x' }, /event_id must be an EventBridge event id/],
    [
      'a rejection asked for by hand',
      { trigger: 'manual', eventType: 'model-package-rejected', modelPackageArn: 'x' },
      /event_type must be model-package-approved for a manual deploy/,
    ],
    [
      'an oversized ARN',
      approvedEvent(`arn:aws:sagemaker:us-east-1:123456789012:model-package/${'a'.repeat(3000)}/1`),
      /model_package_arn must be at most 2048 characters, got 3057/,
    ],
    [
      'an oversized group claim',
      { ...approvedEvent('x'), modelPackageGroup: 'g'.repeat(64) },
      /model_package_group must be at most 63/,
    ],
    [
      'a payload field that is not a string',
      { ...approvedEvent('x'), modelPackageVersion: { $gt: 1 } },
      /model_package_version must be a string/,
    ],
  ];
  it.each(bad)('stops on %s with a message naming the field', async (_name, request, message) => {
    const error = await resolve(request).then(
      () => undefined,
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as Error).message).toMatch(message);
  });

  it('refuses a Pending version: approval is checked in the registry, not taken from the payload', async () => {
    await expect(resolve({ ...approvedEvent(pending), approvalStatus: 'Approved' })).rejects.toThrow(
      /is PendingManualApproval in the registry now, not Approved/,
    );
  });

  it('refuses a Rejected version sent as an approval', async () => {
    await expect(resolve(approvedEvent(rejected))).rejects.toThrow(/is Rejected in the registry now/);
  });

  it('refuses payload claims that contradict the ARN', async () => {
    await expect(
      resolve({
        ...approvedEvent(approved),
        modelPackageVersion: '7',
        modelPackageGroup: 'other-models',
        approvalStatus: 'Rejected',
      }),
    ).rejects.toThrow(
      /3 problems:[\s\S]*model_package_group[\s\S]*model_package_version says "7"[\s\S]*approval_status/,
    );
  });

  it('deploys nothing while resolving, good payload or bad', async () => {
    await resolve(approvedEvent(approved));
    await resolve(approvedEvent('garbage')).catch(() => undefined);
    const endpoints = await sagemaker.send(new ListEndpointsCommand({}));
    expect(endpoints.Endpoints ?? []).toEqual([]);
  });

  describe('model data', () => {
    // Registered after every other test's versions: each is the newest Approved version when resolved.
    it('refuses a version whose model data differs from the SHA-256 registered with it, naming both', async () => {
      const changed = await registerVersion(sagemaker, project.modelPackageGroupName, 'Approved', {
        sha256: 'a'.repeat(64),
      });
      await expect(resolve(approvedEvent(changed))).rejects.toThrow(
        /version 5 \(.*\/5\): InferenceSpecification\.Containers\[0\]\.ModelDataUrl s3:\/\/slipway-sentiment-p-4998j71vgs5g\/models\/.* has SHA-256 [0-9a-f]{64}, but a{64} was registered with the version.*nothing was deployed/,
      );
    });

    it('refuses a version that records no checksum, or keeps its model data outside models/', async () => {
      const unrecorded = await registerVersion(sagemaker, project.modelPackageGroupName, 'Approved', { sha256: '' });
      await expect(resolve(approvedEvent(unrecorded))).rejects.toThrow(
        /CustomerMetadataProperties\.slipway:model-data-sha256 is missing/,
      );
      const outside = await registerVersion(sagemaker, project.modelPackageGroupName, 'Approved', {
        url: 's3://somewhere-else/model.tar.gz',
      });
      await expect(resolve(approvedEvent(outside))).rejects.toThrow(
        /ModelDataUrl is s3:\/\/somewhere-else\/model\.tar\.gz, outside s3:\/\/slipway-sentiment-p-4998j71vgs5g\/models\/, where only training jobs may write/,
      );
    });
  });
});
