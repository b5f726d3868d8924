// A client that hangs up while the server is still sending (a download it stops reading, a process that
// destroys its sockets as it exits) is not a server failure: nothing is logged as an error and the server goes
// on answering.
import { request } from 'node:http';
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { CreateBucketCommand, HeadObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { signRequest } from '@slipway/core';
import { memoryLogger, startTestServer, type TestServer } from './support/harness.js';

const BUCKET = 'hangups';
const KEY = 'big.bin';
const log = memoryLogger();
let t: TestServer;

beforeAll(async () => {
  t = await startTestServer({ logger: log });
  await t.s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
  await t.s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: KEY, Body: Buffer.alloc(32 * 1024 * 1024, 7) }));
});

afterAll(async () => {
  await t.close();
});

/** Starts a signed GetObject and destroys the connection once the first bytes of the body arrive. */
function getAndHangUp(): Promise<void> {
  const url = `${t.server.url}/${BUCKET}/${KEY}`;
  const headers = signRequest({
    method: 'GET',
    url,
    headers: {},
    credentials: t.server.credentials,
    region: 'us-east-1',
    service: 's3',
  });
  return new Promise((resolve, reject) => {
    const outgoing = request(url, { method: 'GET', headers }, (response) => {
      expect(response.statusCode).toBe(200);
      response.once('data', () => {
        outgoing.destroy();
        resolve();
      });
    });
    outgoing.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code !== 'ECONNRESET') reject(error);
    });
    outgoing.end();
  });
}

it('a download the client abandons mid-body logs no error, and the server answers the next request', async () => {
  for (let attempt = 0; attempt < 5; attempt += 1) await getAndHangUp();
  await new Promise((resolve) => setTimeout(resolve, 300));
  expect(log.lines.filter((line) => line.startsWith('error'))).toEqual([]);
  const head = await t.s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: KEY }));
  expect(head.ContentLength).toBe(32 * 1024 * 1024);
});
