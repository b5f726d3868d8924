import { beforeEach, describe, expect, it } from '@jest/globals';
import {
  CreateModelPackageGroupCommand,
  CreatePipelineCommand,
  DescribeModelPackageGroupCommand,
  SageMakerClient,
  UpdatePipelineCommand,
} from '@aws-sdk/client-sagemaker';
import {
  CreateBucketCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mockClient } from 'aws-sdk-client-mock';
import { ensureModelPackageGroup, uploadAssets, upsertPipeline, type RunEvent } from '@slipway/build-pipeline';
import { ValidationError } from '@slipway/core';
import { PIPELINE_ARN, ROLE, compiledGolden, serviceError } from './support.js';

const credentials = { accessKeyId: 'x', secretAccessKey: 'x' };
const sagemakerMock = mockClient(SageMakerClient);
const s3Mock = mockClient(S3Client);
const sagemaker = new SageMakerClient({ region: 'us-east-1', credentials });
const s3 = new S3Client({ region: 'us-east-1', credentials });
const tags = [{ Key: 'sagemaker:project-name', Value: 'golden' }];
const request = { pipelineName: 'golden-pipeline', definition: '{}', roleArn: ROLE, tags };

function s3NotFound(): S3ServiceException {
  return new S3ServiceException({ name: 'NotFound', $fault: 'client', $metadata: { httpStatusCode: 404 } });
}

beforeEach(() => {
  sagemakerMock.reset();
  s3Mock.reset();
});

describe('upsertPipeline', () => {
  it('creates a new pipeline with the project tags and an idempotency token', async () => {
    sagemakerMock.on(CreatePipelineCommand).resolves({ PipelineArn: PIPELINE_ARN });
    const events: RunEvent[] = [];
    const result = await upsertPipeline(sagemaker, request, (event) => events.push(event));
    expect(result).toEqual({ pipelineArn: PIPELINE_ARN, action: 'created', pipelineVersionId: 1 });
    const input = sagemakerMock.commandCalls(CreatePipelineCommand)[0]!.args[0].input;
    expect(input).toMatchObject({
      PipelineName: 'golden-pipeline',
      PipelineDefinition: '{}',
      RoleArn: ROLE,
      Tags: tags,
    });
    expect(input.ClientRequestToken!.length).toBeGreaterThanOrEqual(32);
    expect(sagemakerMock.commandCalls(UpdatePipelineCommand)).toHaveLength(0);
    expect(events).toEqual([{ kind: 'pipeline', arn: PIPELINE_ARN, action: 'created' }]);
  });

  it.each([
    [
      'ValidationException',
      'Pipeline names must be unique within an AWS account and region. Pipeline with name (golden-pipeline) already exists.',
    ],
    ['ConflictException', 'Conflict'],
  ])('updates the pipeline when CreatePipeline says %s', async (name, message) => {
    sagemakerMock.on(CreatePipelineCommand).rejects(serviceError(name, message));
    sagemakerMock.on(UpdatePipelineCommand).resolves({ PipelineArn: PIPELINE_ARN, PipelineVersionId: 7 });
    const result = await upsertPipeline(sagemaker, request);
    expect(result).toEqual({ pipelineArn: PIPELINE_ARN, action: 'updated', pipelineVersionId: 7 });
    const input = sagemakerMock.commandCalls(UpdatePipelineCommand)[0]!.args[0].input;
    // UpdatePipeline takes neither tags nor a token.
    expect(input).toEqual({ PipelineName: 'golden-pipeline', PipelineDefinition: '{}', RoleArn: ROLE });
  });

  it('does not mistake another ValidationException for an existing pipeline', async () => {
    sagemakerMock.on(CreatePipelineCommand).rejects(serviceError('ValidationException', 'Role is not authorized'));
    await expect(upsertPipeline(sagemaker, request)).rejects.toThrow('Role is not authorized');
    expect(sagemakerMock.commandCalls(UpdatePipelineCommand)).toHaveLength(0);
  });
});

describe('ensureModelPackageGroup', () => {
  it('leaves an existing group alone', async () => {
    sagemakerMock.on(DescribeModelPackageGroupCommand).resolves({ ModelPackageGroupName: 'g' });
    expect(await ensureModelPackageGroup(sagemaker, 'g', { tags })).toEqual({ created: false });
    expect(sagemakerMock.commandCalls(CreateModelPackageGroupCommand)).toHaveLength(0);
  });

  it('creates a missing group with the tags, and accepts losing a race to create it', async () => {
    sagemakerMock
      .on(DescribeModelPackageGroupCommand)
      .rejects(serviceError('ValidationException', 'ModelPackageGroup arn:...:model-package-group/g does not exist.'));
    sagemakerMock.on(CreateModelPackageGroupCommand).resolvesOnce({ ModelPackageGroupArn: 'arn' });
    expect(await ensureModelPackageGroup(sagemaker, 'g', { tags })).toEqual({ created: true });
    expect(sagemakerMock.commandCalls(CreateModelPackageGroupCommand)[0]!.args[0].input).toMatchObject({
      ModelPackageGroupName: 'g',
      Tags: tags,
    });
    sagemakerMock
      .on(CreateModelPackageGroupCommand)
      .rejects(serviceError('ValidationException', 'Model Package Group already exists: arn'));
    expect(await ensureModelPackageGroup(sagemaker, 'g', { tags })).toEqual({ created: false });
  });
});

describe('uploadAssets', () => {
  const [present, missing] = compiledGolden().assets as [
    ReturnType<typeof compiledGolden>['assets'][0],
    ReturnType<typeof compiledGolden>['assets'][0],
  ];

  it('uploads only the assets S3 lacks (HeadObject decides), with content type and checksum metadata', async () => {
    s3Mock.on(HeadObjectCommand, { Key: present.key }).resolves({ ContentLength: present.size });
    s3Mock.on(HeadObjectCommand, { Key: missing.key }).rejects(s3NotFound());
    s3Mock.on(HeadBucketCommand).resolves({});
    s3Mock.on(PutObjectCommand).resolves({});
    const result = await uploadAssets(s3, [present, missing], { region: 'us-east-1', createMissingBucket: false });
    expect(result).toEqual({ uploaded: [missing.key], alreadyPresent: [present.key] });
    const put = s3Mock.commandCalls(PutObjectCommand);
    expect(put).toHaveLength(1);
    expect(put[0]!.args[0].input).toMatchObject({
      Bucket: 'golden-bucket',
      Key: missing.key,
      ContentType: 'text/x-python',
      ContentLength: missing.size,
      Metadata: { 'slipway-sha256': missing.sha256 },
    });
  });

  it('rejects, naming the file, when a local asset file vanished before its upload', async () => {
    s3Mock.on(HeadObjectCommand).rejects(s3NotFound());
    s3Mock.on(HeadBucketCommand).resolves({});
    s3Mock.on(PutObjectCommand).resolves({});
    const { bytes: _bytes, ...onDisk } = missing;
    const vanished = { ...onDisk, localPath: join(tmpdir(), `slipway-vanished-${process.pid}.py`) };
    await expect(
      uploadAssets(s3, [vanished], { region: 'us-east-1', createMissingBucket: false }),
    ).rejects.toMatchObject({ code: 'ENOENT', path: vanished.localPath });
    expect(s3Mock.commandCalls(PutObjectCommand)).toHaveLength(0);
  });

  it('re-uploads an object of the wrong size at an asset key', async () => {
    s3Mock.on(HeadObjectCommand).resolves({ ContentLength: 1 });
    s3Mock.on(HeadBucketCommand).resolves({});
    s3Mock.on(PutObjectCommand).resolves({});
    const result = await uploadAssets(s3, [present], { region: 'us-east-1', createMissingBucket: false });
    expect(result.uploaded).toEqual([present.key]);
  });

  it('makes no bucket and no upload when nothing is missing', async () => {
    s3Mock.on(HeadObjectCommand).resolves({ ContentLength: present.size });
    await uploadAssets(s3, [present], { region: 'us-east-1', createMissingBucket: true });
    expect(s3Mock.commandCalls(HeadBucketCommand)).toHaveLength(0);
    expect(s3Mock.commandCalls(PutObjectCommand)).toHaveLength(0);
  });

  it('creates a missing bucket only when allowed, in the run region', async () => {
    s3Mock.on(HeadObjectCommand).rejects(s3NotFound());
    s3Mock.on(HeadBucketCommand).rejects(s3NotFound());
    s3Mock.on(CreateBucketCommand).resolves({});
    s3Mock.on(PutObjectCommand).resolves({});
    await expect(uploadAssets(s3, [missing], { region: 'eu-west-1', createMissingBucket: false })).rejects.toThrow(
      ValidationError,
    );
    expect(s3Mock.commandCalls(PutObjectCommand)).toHaveLength(0);
    await uploadAssets(s3, [missing], { region: 'eu-west-1', createMissingBucket: true });
    expect(s3Mock.commandCalls(CreateBucketCommand)[0]!.args[0].input).toEqual({
      Bucket: 'golden-bucket',
      CreateBucketConfiguration: { LocationConstraint: 'eu-west-1' },
    });
  });

  it('explains a 403 from HeadObject: the role needs s3:ListBucket', async () => {
    s3Mock
      .on(HeadObjectCommand)
      .rejects(new S3ServiceException({ name: 'Forbidden', $fault: 'client', $metadata: { httpStatusCode: 403 } }));
    await expect(uploadAssets(s3, [present], { region: 'us-east-1', createMissingBucket: false })).rejects.toThrow(
      /s3:ListBucket/,
    );
  });
});
