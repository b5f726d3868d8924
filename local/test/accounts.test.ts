import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CreateBucketCommand,
  DeleteBucketPolicyCommand,
  GetBucketPolicyCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  PutBucketPolicyCommand,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import {
  CreateModelPackageGroupCommand,
  ListModelPackageGroupsCommand,
  SageMakerClient,
} from '@aws-sdk/client-sagemaker';
import { awsClientConfig, localAccessKeyId } from '@slipway/core';
import {
  MalformedPolicyError,
  evaluateResourcePolicy,
  parseResourcePolicy,
  silentLogger,
  startLocalServer,
  type LocalServer,
} from '../src/index.js';

const OTHER = '222222222222';

describe('resource policies as the local server evaluates them', () => {
  const policy = parseResourcePolicy(
    JSON.stringify({
      Statement: [
        {
          Effect: 'Allow',
          Principal: { AWS: `arn:aws:iam::${OTHER}:role/deployer` },
          Action: 's3:Get*',
          Resource: 'arn:aws:s3:::b/models/*',
        },
        { Effect: 'Deny', Principal: '*', Action: 's3:GetObject', Resource: 'arn:aws:s3:::b/models/secret' },
        {
          Effect: 'Allow',
          Principal: { AWS: [OTHER] },
          Action: 's3:ListBucket',
          Resource: 'arn:aws:s3:::b',
          Condition: { StringLike: { 's3:prefix': ['models/*'] } },
        },
        {
          Effect: 'Allow',
          Principal: { AWS: OTHER },
          Action: 's3:PutObject',
          Resource: '*',
          Condition: { Bool: { 'aws:SecureTransport': 'true' } },
        },
      ],
    }),
  );
  const decide = (action: string, resource: string, context: Record<string, string> = {}, account = OTHER) =>
    evaluateResourcePolicy(policy, { account, action, resource, context });

  it('allows what a statement allows for the account (a role ARN stands for its account), actions by wildcard', () => {
    expect(decide('s3:GetObject', 'arn:aws:s3:::b/models/a/model.tar.gz')).toBe('allowed');
    expect(decide('S3:getobject', 'arn:aws:s3:::b/models/x')).toBe('allowed');
    expect(decide('s3:GetObject', 'arn:aws:s3:::b/data/x')).toBe('not-allowed');
    expect(decide('s3:GetObject', 'arn:aws:s3:::b/models/x', {}, '333333333333')).toBe('not-allowed');
  });

  it('lets Deny win, evaluates StringLike on keys the request carries, and skips conditions it cannot evaluate', () => {
    expect(decide('s3:GetObject', 'arn:aws:s3:::b/models/secret')).toBe('denied');
    expect(decide('s3:ListBucket', 'arn:aws:s3:::b', { 's3:prefix': 'models/v1/' })).toBe('allowed');
    expect(decide('s3:ListBucket', 'arn:aws:s3:::b', { 's3:prefix': 'deployments/' })).toBe('not-allowed');
    expect(decide('s3:PutObject', 'arn:aws:s3:::b/x')).toBe('not-allowed');
    expect(evaluateResourcePolicy(undefined, { account: OTHER, action: 's3:GetObject', resource: '*' })).toBe(
      'not-allowed',
    );
  });

  it('refuses documents that are not policies, saying what is wrong', () => {
    expect(() => parseResourcePolicy('nope')).toThrow(MalformedPolicyError);
    expect(() => parseResourcePolicy('{"Statement": []}')).toThrow(/has no Statement/);
    expect(() =>
      parseResourcePolicy(
        '{"Statement": {"Effect": "Allow", "Principal": {"AWS": "bob"}, "Action": "x", "Resource": "*"}}',
      ),
    ).toThrow(/Statement\[0\].Principal.AWS has an invalid principal "bob"/);
    expect(() =>
      parseResourcePolicy('{"Statement": {"Effect": "Allow", "NotPrincipal": "*", "Action": "x", "Resource": "*"}}'),
    ).toThrow(/NotPrincipal, NotAction and NotResource are not evaluated/);
  });
});

describe('a local server emulating two accounts', () => {
  let dataDir: string;
  let server: LocalServer;
  const clients = (account?: string) => {
    const credentials = account
      ? { accessKeyId: localAccessKeyId(account), secretAccessKey: server.credentials.secretAccessKey }
      : server.credentials;
    const config = {
      ...awsClientConfig({ kind: 'local', region: server.region, endpoint: server.url, credentials }),
      maxAttempts: 1,
    };
    return { s3: new S3Client(config), sagemaker: new SageMakerClient(config) };
  };
  const start = async () =>
    startLocalServer({ dataDir, runners: {}, logger: silentLogger, endpoints: { stopGraceMs: 500 } });

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'slipway-accounts-'));
    server = await start();
  });
  afterAll(async () => {
    await server?.close();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('keeps registries apart and bucket names global', async () => {
    const build = clients();
    const other = clients(OTHER);
    await build.sagemaker.send(new CreateModelPackageGroupCommand({ ModelPackageGroupName: 'only-in-build' }));
    expect((await other.sagemaker.send(new ListModelPackageGroupsCommand({}))).ModelPackageGroupSummaryList).toEqual(
      [],
    );
    await build.s3.send(new CreateBucketCommand({ Bucket: 'shared-name' }));
    await expect(other.s3.send(new CreateBucketCommand({ Bucket: 'shared-name' }))).rejects.toMatchObject({
      name: 'BucketAlreadyExists',
    });
    await other.s3.send(new CreateBucketCommand({ Bucket: 'other-own' }));
    await other.s3.send(new PutObjectCommand({ Bucket: 'other-own', Key: 'k', Body: 'mine' }));
    await expect(build.s3.send(new GetObjectCommand({ Bucket: 'other-own', Key: 'k' }))).rejects.toMatchObject({
      name: 'AccessDenied',
    });
  });

  it('serves bucket policies and honours them across accounts, also after a restart', async () => {
    const build = clients();
    await expect(build.s3.send(new GetBucketPolicyCommand({ Bucket: 'shared-name' }))).rejects.toMatchObject({
      name: 'NoSuchBucketPolicy',
    });
    await expect(
      build.s3.send(new PutBucketPolicyCommand({ Bucket: 'shared-name', Policy: '{"Statement": 3}' })),
    ).rejects.toMatchObject({ name: 'MalformedPolicy' });
    const policy = JSON.stringify({
      Statement: [
        {
          Effect: 'Allow',
          Principal: { AWS: OTHER },
          Action: 's3:GetObject',
          Resource: 'arn:aws:s3:::shared-name/pub/*',
        },
        {
          Effect: 'Allow',
          Principal: { AWS: OTHER },
          Action: 's3:ListBucket',
          Resource: 'arn:aws:s3:::shared-name',
          Condition: { StringLike: { 's3:prefix': 'pub/*' } },
        },
      ],
    });
    await build.s3.send(new PutBucketPolicyCommand({ Bucket: 'shared-name', Policy: policy }));
    expect((await build.s3.send(new GetBucketPolicyCommand({ Bucket: 'shared-name' }))).Policy).toBe(policy);
    await build.s3.send(new PutObjectCommand({ Bucket: 'shared-name', Key: 'pub/a', Body: 'hello' }));
    await build.s3.send(new PutObjectCommand({ Bucket: 'shared-name', Key: 'private/b', Body: 'no' }));

    await server.close();
    server = await start();
    const other = clients(OTHER);
    const read = await other.s3.send(new GetObjectCommand({ Bucket: 'shared-name', Key: 'pub/a' }));
    expect(await read.Body!.transformToString()).toBe('hello');
    await expect(
      other.s3.send(new GetObjectCommand({ Bucket: 'shared-name', Key: 'private/b' })),
    ).rejects.toMatchObject({
      name: 'AccessDenied',
    });
    const listed = await other.s3.send(new ListObjectsV2Command({ Bucket: 'shared-name', Prefix: 'pub/' }));
    expect(listed.Contents?.map((object) => object.Key)).toEqual(['pub/a']);
    await expect(other.s3.send(new ListObjectsV2Command({ Bucket: 'shared-name' }))).rejects.toMatchObject({
      name: 'AccessDenied',
    });
    // The other account's own bucket survived the restart too.
    const own = await other.s3.send(new GetObjectCommand({ Bucket: 'other-own', Key: 'k' }));
    expect(await own.Body!.transformToString()).toBe('mine');
    await clients().s3.send(new DeleteBucketPolicyCommand({ Bucket: 'shared-name' }));
    await expect(other.s3.send(new GetObjectCommand({ Bucket: 'shared-name', Key: 'pub/a' }))).rejects.toMatchObject({
      name: 'AccessDenied',
    });
  });
});
