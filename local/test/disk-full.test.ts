import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { CreateBucketCommand, GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { CreatePipelineCommand, ListPipelinesCommand } from '@aws-sdk/client-sagemaker';
import { ROLE, definition, memoryLogger, startTestServer, type TestServer } from './support/harness.js';

/** What the file system and SQLite throw when the disk under the data dir is full. */
const noSpace = () =>
  Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC', errno: -28 });
const sqliteFull = () => Object.assign(new Error('database or disk is full'), { code: 'SQLITE_FULL' });

const FULL_MESSAGE = /data dir is full .*nothing of this request was kept\. Free some space/;
const PIPELINE = JSON.stringify(definition([{ Name: 'Stop', Type: 'Fail', Arguments: { ErrorMessage: 'x' } }]));

/**
 * A full disk is injected where the server writes (the object store's file writes, the database's inserts),
 * not made by filling a disk: each surface says so in its own shape, keeps nothing half-written, and works
 * again once there is space.
 */
describe('a full data dir', () => {
  let t: TestServer;
  const log = memoryLogger();
  beforeAll(async () => {
    t = await startTestServer({ logger: log });
    await t.s3.send(new CreateBucketCommand({ Bucket: 'full' }));
  });
  afterAll(async () => {
    await t.close();
  });

  it('S3: PutObject answers 507 in S3 XML saying the data dir is full, and stores nothing', async () => {
    const objects = t.server.objects;
    const put = objects.put.bind(objects);
    // The write of the upload's temporary file fails as a full disk makes it fail.
    objects.put = async () => {
      throw noSpace();
    };
    try {
      const error = await t.s3
        .send(new PutObjectCommand({ Bucket: 'full', Key: 'big.bin', Body: Buffer.alloc(1024) }))
        .catch((thrown: unknown) => thrown);
      expect(error).toMatchObject({ name: 'InternalError', $metadata: { httpStatusCode: 507 } });
      expect((error as Error).message).toMatch(FULL_MESSAGE);
    } finally {
      objects.put = put;
    }
    await expect(t.s3.send(new GetObjectCommand({ Bucket: 'full', Key: 'big.bin' }))).rejects.toMatchObject({
      name: 'NoSuchKey',
    });
    await t.s3.send(new PutObjectCommand({ Bucket: 'full', Key: 'big.bin', Body: 'now there is room' }));
    expect(await readdir(join(t.dataDir, 's3-tmp'))).toEqual([]);
    expect(log.lines.filter((line) => line.startsWith('error'))).toEqual([]);
  });

  it('SageMaker: CreatePipeline answers 507 InternalFailure saying the data dir is full, and creates nothing', async () => {
    const pipelines = t.server.store.pipelines;
    const insert = pipelines.insert.bind(pipelines);
    pipelines.insert = () => {
      throw sqliteFull();
    };
    try {
      const error = await t.sagemaker
        .send(new CreatePipelineCommand({ PipelineName: 'full', RoleArn: ROLE, PipelineDefinition: PIPELINE }))
        .catch((thrown: unknown) => thrown);
      expect(error).toMatchObject({ name: 'InternalFailure', $metadata: { httpStatusCode: 507 } });
      expect((error as Error).message).toMatch(FULL_MESSAGE);
    } finally {
      pipelines.insert = insert;
    }
    expect((await t.sagemaker.send(new ListPipelinesCommand({}))).PipelineSummaries).toEqual([]);
    await t.sagemaker.send(
      new CreatePipelineCommand({ PipelineName: 'full', RoleArn: ROLE, PipelineDefinition: PIPELINE }),
    );
  });
});
