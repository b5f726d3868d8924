import { createHash } from 'node:crypto';
import { createReadStream, writeFileSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  CreateBucketCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListBucketsCommand,
  ListObjectsV2Command,
  PutObjectCommand,
} from '@aws-sdk/client-s3';
import { AwsChunkedDecoder } from '../src/s3/aws-chunked.js';
import { parseRange } from '../src/s3/s3-api.js';
import { signedFetch, startTestServer, tempDir, type TestServer } from './support/harness.js';
import { spawnServerProcess, type ServerProcess } from './support/server-process.js';

describe('S3 over HTTP with @aws-sdk/client-s3 (path style)', () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer({ maxObjectBytes: 64 * 1024 });
    await t.s3.send(new CreateBucketCommand({ Bucket: 'artifacts' }));
  });
  afterAll(async () => {
    await t.close();
  });

  it('puts, heads, gets and deletes objects with ETag, type and length', async () => {
    const put = await t.s3.send(
      new PutObjectCommand({
        Bucket: 'artifacts',
        Key: 'code/abc/train.py',
        Body: 'print(1)\n',
        ContentType: 'text/x-python',
      }),
    );
    expect(put.ETag).toBe(`"${createHash('md5').update('print(1)\n').digest('hex')}"`);
    const head = await t.s3.send(new HeadObjectCommand({ Bucket: 'artifacts', Key: 'code/abc/train.py' }));
    expect(head).toMatchObject({ ContentLength: 9, ContentType: 'text/x-python', ETag: put.ETag });
    expect(head.LastModified).toBeInstanceOf(Date);
    const got = await t.s3.send(new GetObjectCommand({ Bucket: 'artifacts', Key: 'code/abc/train.py' }));
    expect(await got.Body!.transformToString()).toBe('print(1)\n');
    await t.s3.send(new DeleteObjectCommand({ Bucket: 'artifacts', Key: 'code/abc/train.py' }));
    await expect(
      t.s3.send(new HeadObjectCommand({ Bucket: 'artifacts', Key: 'code/abc/train.py' })),
    ).rejects.toMatchObject({
      name: 'NotFound',
      $metadata: { httpStatusCode: 404 },
    });
  });

  it('uploads a stream body, and keys with spaces and unicode', async () => {
    const file = join(tempDir(), 'data.bin');
    writeFileSync(file, Buffer.alloc(40_000, 7));
    await t.s3.send(
      new PutObjectCommand({
        Bucket: 'artifacts',
        Key: 'data/big file ü.bin',
        Body: createReadStream(file),
        ContentLength: 40_000,
      }),
    );
    const got = await t.s3.send(new GetObjectCommand({ Bucket: 'artifacts', Key: 'data/big file ü.bin' }));
    const bytes = Buffer.from(await got.Body!.transformToByteArray());
    expect(bytes.length).toBe(40_000);
    expect(bytes.every((b) => b === 7)).toBe(true);
  });

  it('serves byte ranges', async () => {
    await t.s3.send(new PutObjectCommand({ Bucket: 'artifacts', Key: 'range.txt', Body: '0123456789' }));
    const got = await t.s3.send(new GetObjectCommand({ Bucket: 'artifacts', Key: 'range.txt', Range: 'bytes=2-4' }));
    expect(got.ContentRange).toBe('bytes 2-4/10');
    expect(await got.Body!.transformToString()).toBe('234');
  });

  it('lists with prefix, delimiter and continuation tokens', async () => {
    for (const key of ['runs/a/1.json', 'runs/a/2.json', 'runs/b/1.json', 'runs/top.json', 'other.json']) {
      await t.s3.send(new PutObjectCommand({ Bucket: 'artifacts', Key: key, Body: key }));
    }
    const grouped = await t.s3.send(new ListObjectsV2Command({ Bucket: 'artifacts', Prefix: 'runs/', Delimiter: '/' }));
    expect(grouped.Contents?.map((c) => c.Key)).toEqual(['runs/top.json']);
    expect(grouped.CommonPrefixes?.map((c) => c.Prefix)).toEqual(['runs/a/', 'runs/b/']);
    expect(grouped.KeyCount).toBe(3);
    const keys: string[] = [];
    let token: string | undefined;
    do {
      const page = await t.s3.send(
        new ListObjectsV2Command({ Bucket: 'artifacts', Prefix: 'runs/', MaxKeys: 2, ContinuationToken: token }),
      );
      keys.push(...(page.Contents ?? []).map((c) => c.Key!));
      token = page.NextContinuationToken;
      expect(page.IsTruncated).toBe(token !== undefined);
    } while (token);
    expect(keys).toEqual(['runs/a/1.json', 'runs/a/2.json', 'runs/b/1.json', 'runs/top.json']);
  });

  it('lists buckets and heads them', async () => {
    const buckets = await t.s3.send(new ListBucketsCommand({}));
    expect(buckets.Buckets?.map((b) => b.Name)).toContain('artifacts');
    await expect(t.s3.send(new HeadBucketCommand({ Bucket: 'artifacts' }))).resolves.toBeDefined();
    await expect(t.s3.send(new HeadBucketCommand({ Bucket: 'nope-bucket' }))).rejects.toMatchObject({
      $metadata: { httpStatusCode: 404 },
    });
  });

  it('answers with S3 error codes', async () => {
    await expect(t.s3.send(new GetObjectCommand({ Bucket: 'artifacts', Key: 'missing' }))).rejects.toMatchObject({
      name: 'NoSuchKey',
    });
    await expect(t.s3.send(new GetObjectCommand({ Bucket: 'no-such-bucket', Key: 'k' }))).rejects.toMatchObject({
      name: 'NoSuchBucket',
    });
    await expect(
      t.s3.send(new PutObjectCommand({ Bucket: 'no-such-bucket', Key: 'k', Body: 'x' })),
    ).rejects.toMatchObject({ name: 'NoSuchBucket' });
    await expect(t.s3.send(new CreateBucketCommand({ Bucket: 'artifacts' }))).rejects.toMatchObject({
      name: 'BucketAlreadyOwnedByYou',
    });
    await expect(
      t.s3.send(new GetObjectCommand({ Bucket: 'artifacts', Key: 'range.txt', Range: 'bytes=50-60' })),
    ).rejects.toMatchObject({
      $metadata: { httpStatusCode: 416 },
    });
  });

  it('stores keys with "." and ".." segments as plain key text: nothing lands outside the store', async () => {
    await t.s3.send(new PutObjectCommand({ Bucket: 'artifacts', Key: 'a/../../escape.txt', Body: 'dots' }));
    const got = await t.s3.send(new GetObjectCommand({ Bucket: 'artifacts', Key: 'a/../../escape.txt' }));
    expect(await got.Body!.transformToString()).toBe('dots');
    await expect(t.s3.send(new HeadObjectCommand({ Bucket: 'artifacts', Key: 'escape.txt' }))).rejects.toMatchObject({
      name: 'NotFound',
    });
    const around = [
      ...(await readdir(t.dataDir, { recursive: true })),
      ...(await readdir(join(t.dataDir, '..'))),
      ...(await readdir(join(t.dataDir, '..', '..'))),
    ];
    expect(around.filter((name) => name.includes('escape'))).toEqual([]);
    // A key that reads like the server's database is just a key: there is no such object.
    const response = await signedFetch(t.server, '/artifacts/..%2F..%2Fslipway.db', { service: 's3' });
    expect(response.status).toBe(404);
    expect(await response.text()).toContain('<Code>NoSuchKey</Code>');
    await t.s3.send(new DeleteObjectCommand({ Bucket: 'artifacts', Key: 'a/../../escape.txt' }));
  });

  it('keeps every key S3 accepts apart (issue 10): "k" and "k/", folder markers, ".json" names, long segments', async () => {
    const put = (Key: string, Body: string) => t.s3.send(new PutObjectCommand({ Bucket: 'artifacts', Key, Body }));
    const read = async (Key: string) =>
      (await t.s3.send(new GetObjectCommand({ Bucket: 'artifacts', Key }))).Body!.transformToString();
    await put('k1', 'first');
    await put('k1/', 'second');
    expect(await read('k1')).toBe('first');
    expect(await read('k1/')).toBe('second');
    await put('fold/', '');
    await put('fold/child', 'child');
    expect(await read('fold/child')).toBe('child');
    await put('obj', 'obj');
    await put('obj.json/child', 'under');
    expect(await read('obj')).toBe('obj');
    expect(await read('obj.json/child')).toBe('under');
    const long = `seg/${'x'.repeat(600)}/${'y'.repeat(400)}`;
    await put(long, 'long');
    expect(await read(long)).toBe('long');
    await put('double//slash', 'double');
    expect(await read('double//slash')).toBe('double');
    const exact = 'é'.repeat(512);
    await put(exact, 'max');
    expect(await read(exact)).toBe('max');
    await expect(put(`${exact}x`, 'over')).rejects.toMatchObject({ name: 'KeyTooLongError' });
    await t.s3.send(new DeleteObjectCommand({ Bucket: 'artifacts', Key: 'k1' }));
    expect(await read('k1/')).toBe('second');
    expect(await readdir(join(t.dataDir, 's3-tmp'))).toEqual([]);
  });

  it('answers a path starting with "//" in S3 XML, not with an internal error', async () => {
    const response = await signedFetch(t.server, '//%zz/x', { service: 's3' });
    expect(response.status).toBeGreaterThanOrEqual(400);
    expect(response.status).toBeLessThan(500);
    expect(await response.text()).toMatch(/<Error><Code>[A-Za-z]+<\/Code>/);
  });

  it('refuses an object above the size limit with EntityTooLarge and leaves no file behind', async () => {
    await expect(
      t.s3.send(new PutObjectCommand({ Bucket: 'artifacts', Key: 'too/big.bin', Body: Buffer.alloc(65 * 1024) })),
    ).rejects.toMatchObject({
      name: 'EntityTooLarge',
    });
    // Without a declared length the limit still holds while streaming.
    const response = await signedFetch(t.server, '/artifacts/too/streamed.bin', {
      method: 'PUT',
      stream: Readable.from([Buffer.alloc(40 * 1024), Buffer.alloc(40 * 1024)]),
      service: 's3',
    });
    expect(response.status).toBe(400);
    expect(await response.text()).toContain('<Code>EntityTooLarge</Code>');
    await expect(
      t.s3.send(new HeadObjectCommand({ Bucket: 'artifacts', Key: 'too/streamed.bin' })),
    ).rejects.toMatchObject({ name: 'NotFound' });
    expect(await readdir(join(t.dataDir, 's3-tmp'))).toEqual([]);
  });

  it('names the operation it does not implement', async () => {
    const response = await signedFetch(t.server, '/artifacts/key?acl', { service: 's3' });
    expect(response.status).toBe(501);
    expect(await response.text()).toMatch(
      /<Code>NotImplemented<\/Code><Message>The local S3 does not implement the &quot;acl&quot; sub-resource/,
    );
  });
});

describe('malformed aws-chunked uploads (issue 11: each one used to end the server process)', () => {
  let child: ServerProcess;
  let exited = false;
  beforeAll(async () => {
    child = await spawnServerProcess(tempDir('slipway-chunked-'));
    void child.exited.then(() => (exited = true));
    expect((await signedFetch(child, '/chunky', { method: 'PUT', service: 's3' })).status).toBe(200);
  });
  afterAll(async () => {
    child.child.kill('SIGTERM');
    await child.exited;
  });

  it.each(['zz;chunk-signature=\r\n', '-1;chunk-signature=\r\n', '5\r\nhelloXX', '10;chunk-signature=a\r\nshort'])(
    'answers %j with 400 in S3 XML, stores nothing and keeps serving',
    async (body) => {
      const answer = await signedFetch(child, '/chunky/bad.bin', {
        method: 'PUT',
        headers: {
          'content-encoding': 'aws-chunked',
          'x-amz-content-sha256': 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD',
          'x-amz-decoded-content-length': '16',
        },
        body: Buffer.from(body, 'latin1'),
        service: 's3',
      });
      expect(answer.status).toBe(400);
      expect(answer.headers.get('content-type')).toBe('application/xml');
      expect(await answer.text()).toMatch(
        /<Error><Code>(InvalidRequest|IncompleteBody)<\/Code><Message>The aws-chunked request body/,
      );
      expect(exited).toBe(false);
      const head = await signedFetch(child, '/chunky/bad.bin', { method: 'HEAD', service: 's3' });
      expect(head.status).toBe(404);
    },
  );
});

describe('S3 pieces', () => {
  it('decodes aws-chunked bodies with signatures and trailers', async () => {
    const body = '5;chunk-signature=abc\r\nhello\r\n6\r\n world\r\n0\r\nx-amz-checksum-crc32:AAAA\r\n\r\n';
    const chunks: Buffer[] = [];
    const decoder = Readable.from([
      Buffer.from(body.slice(0, 7)),
      Buffer.from(body.slice(7, 30)),
      Buffer.from(body.slice(30)),
    ]).pipe(new AwsChunkedDecoder());
    for await (const chunk of decoder) chunks.push(chunk as Buffer);
    expect(Buffer.concat(chunks).toString()).toBe('hello world');
  });

  it.each([
    ['a size that is not hex', 'zz;chunk-signature=\r\n', /InvalidRequest.*does not start with a hex size/],
    ['a negative size', '-1\r\nx\r\n0\r\n\r\n', /InvalidRequest.*does not start with a hex size/],
    ['data not followed by CRLF', '5\r\nhelloXX0\r\n\r\n', /InvalidRequest.*not followed by CRLF/],
    ['a body cut in a chunk', '5\r\nhel', /IncompleteBody/],
    ['no final zero-size chunk', '5\r\nhello\r\n', /IncompleteBody/],
  ])('refuses an aws-chunked body with %s', async (_name, body, message) => {
    const decoder = Readable.from([Buffer.from(body, 'latin1')]).pipe(new AwsChunkedDecoder());
    const read = (async () => {
      for await (const chunk of decoder) void chunk;
    })();
    const error = await read.catch((thrown: unknown) => thrown);
    expect(`${(error as { code?: string }).code} ${(error as Error).message}`).toMatch(message);
  });

  it('parses single byte ranges as S3 does', () => {
    expect(parseRange('bytes=0-0', 10)).toEqual({ start: 0, end: 0 });
    expect(parseRange('bytes=5-', 10)).toEqual({ start: 5, end: 9 });
    expect(parseRange('bytes=-3', 10)).toEqual({ start: 7, end: 9 });
    expect(parseRange('bytes=8-100', 10)).toEqual({ start: 8, end: 9 });
    expect(parseRange('bytes=10-', 10)).toBe('unsatisfiable');
    expect(parseRange('items=1-2', 10)).toBeUndefined();
  });
});
