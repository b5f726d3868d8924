import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  DeleteBucketPolicyCommand,
  GetObjectCommand,
  PutBucketPolicyCommand,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import {
  DeleteModelPackageGroupPolicyCommand,
  DescribeEndpointCommand,
  DescribeModelPackageCommand,
  GetModelPackageGroupPolicyCommand,
  ListModelPackagesCommand,
  PutModelPackageGroupPolicyCommand,
  SageMakerClient,
  UpdateModelPackageCommand,
} from '@aws-sdk/client-sagemaker';
import { LOCAL_ACCOUNT_ID, awsClientConfig, localAccessKeyId, type Backend } from '@slipway/core';
import { deployStage } from '../src/index.js';
import { testProject } from './support/project.js';
import { startSeedServer, type SeedServer } from './support/seed-registry.js';

const BUILD = LOCAL_ACCOUNT_ID;
const PROD = '222222222222';
/** The project with prod in its own account: the registry and artifacts stay in the build account. */
const project = testProject({ buildAccount: BUILD, stageAccounts: { prod: { account: PROD } } });
const groupArn = `arn:aws:sagemaker:us-east-1:${BUILD}:model-package-group/${project.modelPackageGroupName}`;

/**
 * What the CDK app's group and bucket policies grant each stage account (cross-account-policies.ts), with the
 * account's root as the principal: the local server knows a caller's account, not its role.
 */
function groupPolicy(account: string): string {
  return JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'StageAccountsReadGroup',
        Effect: 'Allow',
        Principal: { AWS: `arn:aws:iam::${account}:root` },
        Action: 'sagemaker:DescribeModelPackageGroup',
        Resource: groupArn,
      },
      {
        Sid: 'StageAccountsDeployVersions',
        Effect: 'Allow',
        Principal: { AWS: `arn:aws:iam::${account}:root` },
        Action: ['sagemaker:DescribeModelPackage', 'sagemaker:ListModelPackages', 'sagemaker:CreateModel'],
        Resource: `arn:aws:sagemaker:us-east-1:${BUILD}:model-package/${project.modelPackageGroupName}/*`,
      },
      {
        Sid: 'StageAccountsWriteLifecycle',
        Effect: 'Allow',
        Principal: { AWS: `arn:aws:iam::${account}:root` },
        Action: 'sagemaker:UpdateModelPackage',
        Resource: `arn:aws:sagemaker:us-east-1:${BUILD}:model-package/${project.modelPackageGroupName}/*`,
        Condition: { Null: { 'sagemaker:ModelApprovalStatus': 'true' } },
      },
    ],
  });
}

function bucketPolicy(account: string, stage: string): string {
  const bucket = `arn:aws:s3:::${project.artifactBucket}`;
  const principal = { AWS: `arn:aws:iam::${account}:root` };
  return JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      { Effect: 'Allow', Principal: principal, Action: 's3:GetObject', Resource: `${bucket}/models/*` },
      { Effect: 'Allow', Principal: principal, Action: 's3:GetObject', Resource: `${bucket}/deployments/*` },
      {
        Effect: 'Allow',
        Principal: principal,
        Action: 's3:PutObject',
        Resource: [`${bucket}/deployments/${stage}/*`, `${bucket}/data-capture/${stage}/*`],
      },
      {
        Effect: 'Allow',
        Principal: principal,
        Action: 's3:ListBucket',
        Resource: bucket,
        Condition: { StringLike: { 's3:prefix': ['deployments/*'] } },
      },
    ],
  });
}

/**
 * The whole cross-account loop on the local server: the build account registers a version; prod, in its own
 * account (its own access key id, the server's one secret), deploys it. Without the group policy the deploy
 * fails with SageMaker's AccessDeniedException naming the missing policy; without the bucket policy, with
 * S3's AccessDenied naming it; with both it serves the version, in the prod account only.
 */
describe('a stage in its own account (local server emulating two accounts)', () => {
  let seed: SeedServer;
  let v1: string;
  let prodBackend: Backend;
  let prodSageMaker: SageMakerClient;
  let prodS3: S3Client;
  let buildS3: S3Client;

  beforeAll(async () => {
    seed = await startSeedServer({ group: project.modelPackageGroupName });
    v1 = await seed.registry.register('Approved');
    const credentials = {
      accessKeyId: localAccessKeyId(PROD),
      secretAccessKey: seed.server.credentials.secretAccessKey,
    };
    prodBackend = { kind: 'local', region: seed.server.region, endpoint: seed.server.url, credentials };
    prodSageMaker = new SageMakerClient({ ...awsClientConfig(prodBackend), maxAttempts: 1 });
    prodS3 = new S3Client({ ...awsClientConfig(prodBackend), maxAttempts: 1 });
    buildS3 = seed.registry.s3();
  }, 120_000);

  afterAll(async () => {
    prodSageMaker?.destroy();
    prodS3?.destroy();
    buildS3?.destroy();
    await seed?.close();
  });

  const deployProd = () =>
    deployStage(
      { stage: 'prod', modelPackageArn: v1, backend: prodBackend, project, promotedFrom: 'staging' },
      { pollSeconds: 0.1 },
    );

  it('keeps resources per account: prod sees neither the registry nor the bucket of the build account', async () => {
    await expect(
      prodSageMaker.send(new DescribeModelPackageCommand({ ModelPackageName: 'sentiment-models/1' })),
    ).rejects.toThrow(/does not exist/);
    const key = seed.registry.modelDataKey(1);
    await expect(prodS3.send(new GetObjectCommand({ Bucket: project.artifactBucket, Key: key }))).rejects.toMatchObject(
      {
        name: 'AccessDenied',
        message: expect.stringMatching(/has no bucket policy \(PutBucketPolicy\) that allows s3:GetObject/),
      },
    );
  });

  it('fails without the group policy, with AccessDeniedException naming the missing policy', async () => {
    const failure = deployProd();
    await expect(failure).rejects.toMatchObject({ name: 'AccessDeniedException' });
    await expect(failure).rejects.toThrow(
      new RegExp(
        `not authorized to perform: sagemaker:DescribeModelPackageGroup on resource: ${groupArn} .*has no resource policy \\(PutModelPackageGroupPolicy in account ${BUILD}\\) that allows sagemaker:DescribeModelPackageGroup for account ${PROD}`,
      ),
    );
    await expect(prodSageMaker.send(new DescribeEndpointCommand({ EndpointName: 'sentiment-prod' }))).rejects.toThrow(
      /Could not find endpoint/,
    );
  });

  it('serves Put/Get/DeleteModelPackageGroupPolicy as SageMaker shapes them', async () => {
    const put = await seed.sagemaker.send(
      new PutModelPackageGroupPolicyCommand({
        ModelPackageGroupName: project.modelPackageGroupName,
        ResourcePolicy: groupPolicy(PROD),
      }),
    );
    expect(put.ModelPackageGroupArn).toBe(groupArn);
    const got = await seed.sagemaker.send(
      new GetModelPackageGroupPolicyCommand({ ModelPackageGroupName: project.modelPackageGroupName }),
    );
    expect(JSON.parse(got.ResourcePolicy!)).toEqual(JSON.parse(groupPolicy(PROD)));
    await expect(
      seed.sagemaker.send(
        new PutModelPackageGroupPolicyCommand({
          ModelPackageGroupName: project.modelPackageGroupName,
          ResourcePolicy: '{"Statement": 1}',
        }),
      ),
    ).rejects.toMatchObject({
      name: 'ValidationException',
      message: expect.stringMatching(/Statement\[0\] must be an object/),
    });
    // The policy lets prod read the group's versions by ARN (and nothing of another account's groups).
    const listed = await prodSageMaker.send(new ListModelPackagesCommand({ ModelPackageGroupName: groupArn }));
    expect(listed.ModelPackageSummaryList?.map((summary) => summary.ModelPackageArn)).toEqual([v1]);
    await seed.sagemaker.send(
      new DeleteModelPackageGroupPolicyCommand({ ModelPackageGroupName: project.modelPackageGroupName }),
    );
    await expect(prodSageMaker.send(new DescribeModelPackageCommand({ ModelPackageName: v1 }))).rejects.toMatchObject({
      name: 'AccessDeniedException',
    });
  });

  it('fails without the bucket policy, with S3 AccessDenied naming it, after the group policy is in place', async () => {
    await seed.sagemaker.send(
      new PutModelPackageGroupPolicyCommand({
        ModelPackageGroupName: project.modelPackageGroupName,
        ResourcePolicy: groupPolicy(PROD),
      }),
    );
    const failure = deployProd();
    await expect(failure).rejects.toMatchObject({ name: 'AccessDenied' });
    await expect(failure).rejects.toThrow(
      new RegExp(`bucket ${project.artifactBucket} of account ${BUILD} has no bucket policy \\(PutBucketPolicy\\)`),
    );
  });

  it('promotes from staging (build account) to prod (its own account) with both policies, into prod only', async () => {
    await buildS3.send(
      new PutBucketPolicyCommand({ Bucket: project.artifactBucket, Policy: bucketPolicy(PROD, 'prod') }),
    );
    // prod cannot describe staging's endpoint in another account: the journal says what staging serves.
    await expect(deployProd()).rejects.toThrow(
      /staging serves no version according to its deployment journal, not version 1 that is to be promoted to prod/,
    );
    const buildBackend: Backend = {
      kind: 'local',
      region: seed.server.region,
      endpoint: seed.server.url,
      credentials: seed.server.credentials,
    };
    await deployStage({ stage: 'staging', modelPackageArn: v1, backend: buildBackend, project }, { pollSeconds: 0.1 });
    const result = await deployProd();
    expect(result).toMatchObject({ stage: 'prod', changed: true, modelPackageArn: v1 });
    expect(result.endpointArn).toBe(`arn:aws:sagemaker:us-east-1:${PROD}:endpoint/sentiment-prod`);
    const endpoint = await prodSageMaker.send(new DescribeEndpointCommand({ EndpointName: 'sentiment-prod' }));
    expect(endpoint.EndpointStatus).toBe('InService');
    // Not in the build account.
    await expect(seed.sagemaker.send(new DescribeEndpointCommand({ EndpointName: 'sentiment-prod' }))).rejects.toThrow(
      /Could not find endpoint/,
    );
    // The deploy wrote the lifecycle stage into the build account's registry.
    const described = await seed.sagemaker.send(new DescribeModelPackageCommand({ ModelPackageName: v1 }));
    expect(described.ModelLifeCycle).toMatchObject({ Stage: 'Production', StageStatus: 'Deployed' });
  }, 120_000);

  it('the group policy lets prod write lifecycle stages, never approvals', async () => {
    await expect(
      prodSageMaker.send(new UpdateModelPackageCommand({ ModelPackageArn: v1, ModelApprovalStatus: 'Rejected' })),
    ).rejects.toMatchObject({
      name: 'AccessDeniedException',
      message: expect.stringMatching(/does not allow sagemaker:UpdateModelPackage for account 222222222222/),
    });
    const described = await seed.sagemaker.send(new DescribeModelPackageCommand({ ModelPackageName: v1 }));
    expect(described.ModelApprovalStatus).toBe('Approved');
  });

  it('the bucket policy lets prod write only its own prefixes', async () => {
    await expect(
      prodS3.send(new PutObjectCommand({ Bucket: project.artifactBucket, Key: 'models/evil/model.tar.gz', Body: 'x' })),
    ).rejects.toMatchObject({ name: 'AccessDenied' });
    await expect(
      prodS3.send(
        new PutObjectCommand({ Bucket: project.artifactBucket, Key: 'deployments/staging/x.json', Body: 'x' }),
      ),
    ).rejects.toMatchObject({ name: 'AccessDenied' });
    await buildS3.send(new DeleteBucketPolicyCommand({ Bucket: project.artifactBucket }));
    await expect(
      prodS3.send(new GetObjectCommand({ Bucket: project.artifactBucket, Key: seed.registry.modelDataKey(1) })),
    ).rejects.toMatchObject({ name: 'AccessDenied' });
  });
});

/**
 * The local loop of a project with stage accounts, signed as one account (what `slipway local up` and the
 * local deploy workflow do): the server's own account is the build account, so the ARNs the deploy names are
 * its own, and every stage deploys.
 */
describe('a project with stage accounts on a one-account local loop', () => {
  const realIds = testProject({ buildAccount: '111111111111', stageAccounts: { prod: { account: PROD } } });
  let seed: SeedServer;

  beforeAll(async () => {
    seed = await startSeedServer({ group: realIds.modelPackageGroupName, accountId: '111111111111' });
  }, 120_000);
  afterAll(() => seed?.close());

  it('deploys staging and promotes to prod', async () => {
    const v1 = await seed.registry.register('Approved');
    expect(v1).toMatch(/^arn:aws:sagemaker:us-east-1:111111111111:model-package\//);
    const backend: Backend = {
      kind: 'local',
      region: seed.server.region,
      endpoint: seed.server.url,
      credentials: seed.server.credentials,
    };
    const deploy = (stage: string, promotedFrom?: string) =>
      deployStage(
        { stage, modelPackageArn: v1, backend, project: realIds, ...(promotedFrom ? { promotedFrom } : {}) },
        { pollSeconds: 0.1 },
      );
    await expect(deploy('staging')).resolves.toMatchObject({ changed: true });
    await expect(deploy('prod', 'staging')).resolves.toMatchObject({ changed: true, modelPackageArn: v1 });
  }, 120_000);
});
