// Idle keep-alive connections stay usable well past Node's 5 s default: clients (the SDKs' agents, urllib3's
// pools) reuse them, and a connection the server closes just as a client sends on it fails that request with
// ECONNRESET, which on a busy machine happened in practice.
import { Agent, request, type IncomingMessage } from 'node:http';
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { signRequest } from '@slipway/core';
import { startTestServer, type TestServer } from './support/harness.js';

let t: TestServer;
const agent = new Agent({ keepAlive: true, maxSockets: 1 });

beforeAll(async () => {
  t = await startTestServer();
});

afterAll(async () => {
  agent.destroy();
  await t.close();
});

/** A signed ListBuckets on the shared agent: its status, Keep-Alive header and whether the socket was reused. */
function listBuckets(): Promise<{ status: number; keepAlive: string; reused: boolean }> {
  const url = `${t.server.url}/`;
  const headers = signRequest({
    method: 'GET',
    url,
    credentials: t.server.credentials,
    region: 'us-east-1',
    service: 's3',
  });
  return new Promise((resolve, reject) => {
    const outgoing = request(url, { method: 'GET', headers, agent }, (response: IncomingMessage) => {
      response.resume();
      response.on('end', () =>
        resolve({
          status: response.statusCode ?? 0,
          keepAlive: [response.headers['keep-alive']].flat().join(', '),
          reused: outgoing.reusedSocket,
        }),
      );
    });
    outgoing.on('error', reject);
    outgoing.end();
  });
}

it('advertises a keep-alive of 65 s and serves a connection reused after 6 s idle', async () => {
  const first = await listBuckets();
  expect(first).toEqual({ status: 200, keepAlive: 'timeout=65', reused: false });
  await new Promise((resolve) => setTimeout(resolve, 6000));
  const second = await listBuckets();
  expect(second).toEqual({ status: 200, keepAlive: 'timeout=65', reused: true });
}, 20_000);
