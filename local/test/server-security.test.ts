import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { chmodSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { CreateBucketCommand, GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { ListPipelinesCommand, SageMakerClient } from '@aws-sdk/client-sagemaker';
import { InvokeEndpointCommand, SageMakerRuntimeClient } from '@aws-sdk/client-sagemaker-runtime';
import { EventBridgeClient, ListRulesCommand } from '@aws-sdk/client-eventbridge';
import { signRequest } from '@slipway/core';
import { SERVER_FILE, readServerFile } from '@slipway/local';
import { SECRET_FILE } from '../src/server/server-secret.js';
import {
  ROLE,
  definition,
  localClientConfig,
  memoryLogger,
  signedFetch,
  startTestServer,
  tempDir,
  type TestServer,
} from './support/harness.js';
import { TOOLS_PYTHON } from './support/moto.js';
import { rawExchange } from './support/raw-http.js';

const mode = (path: string) => statSync(path).mode & 0o777;

/** A pipeline whose Processing step would write outside the data dir: what a rebinding page tried. */
const EVIL = JSON.stringify(
  definition([{ Name: 'Stop', Type: 'Fail', Arguments: { ErrorMessage: 'should never be created' } }]),
);

describe('the local server answers only its own clients', () => {
  let t: TestServer;
  let port: number;
  beforeAll(async () => {
    t = await startTestServer({
      invocations: async (name, request, response) => {
        const chunks: Buffer[] = [];
        for await (const chunk of request.body) chunks.push(chunk as Buffer);
        response
          .writeHead(200, { 'content-type': 'application/json' })
          .end(JSON.stringify({ endpoint: name, body: Buffer.concat(chunks).toString('utf8') }));
      },
    });
    port = t.server.port;
    await t.s3.send(new CreateBucketCommand({ Bucket: 'sec' }));
  });
  afterAll(async () => {
    await t.close();
  });

  const pipelines = async () => (await t.sagemaker.send(new ListPipelinesCommand({}))).PipelineSummaries ?? [];

  it('refuses a DNS-rebinding page: its Host names another site, even with a matching Origin', async () => {
    const body = JSON.stringify({ PipelineName: 'evil', RoleArn: ROLE, PipelineDefinition: EVIL });
    const answer = await rawExchange(
      port,
      [
        'POST / HTTP/1.1',
        `Host: rebind.attacker.example:${port}`,
        `Origin: http://rebind.attacker.example:${port}`,
        'Content-Type: text/plain',
        'X-Amz-Target: SageMaker.CreatePipeline',
        `Content-Length: ${Buffer.byteLength(body)}`,
      ].join('\r\n'),
      body,
    );
    expect(answer.status).toBe(403);
    expect(answer.headers['x-amzn-errortype']).toBe('AccessDeniedException');
    expect(JSON.parse(answer.body).message).toContain('rebind.attacker.example');
    expect(await pipelines()).toEqual([]);
  });

  it('refuses a foreign Host even on a correctly signed request, and a request with no Host at all', async () => {
    const url = `${t.server.url}/`;
    const body = JSON.stringify({ PipelineName: 'evil', RoleArn: ROLE, PipelineDefinition: EVIL });
    const headers = signRequest({
      method: 'POST',
      url,
      headers: { 'x-amz-target': 'SageMaker.CreatePipeline', 'content-type': 'application/x-amz-json-1.1' },
      body,
      credentials: t.server.credentials,
      region: 'us-east-1',
      service: 'sagemaker',
    });
    const lines = Object.entries({ ...headers, host: `evil.example:${port}`, 'content-length': String(body.length) });
    const foreign = await rawExchange(
      port,
      ['POST / HTTP/1.1', ...lines.map(([n, v]) => `${n}: ${v}`)].join('\r\n'),
      body,
    );
    expect(foreign.status).toBe(403);
    const noHost = await rawExchange(port, 'GET /sec?list-type=2 HTTP/1.0');
    expect(noHost.status).toBe(403);
    expect(noHost.body).toContain('<Code>AccessDenied</Code>');
    expect(noHost.body).toContain('no Host header');
    const s3Foreign = await rawExchange(port, `GET /sec?list-type=2 HTTP/1.1\r\nHost: 0.0.0.0:${port}`);
    expect(s3Foreign.status).toBe(403);
    expect(await pipelines()).toEqual([]);
  });

  it('accepts localhost and [::1] as the Host, with the bound port only', async () => {
    for (const host of [`localhost:${port}`, `[::1]:${port}`, `LOCALHOST:${port}`]) {
      const answer = await rawExchange(port, `GET /_slipway/health HTTP/1.1\r\nHost: ${host}`);
      expect(answer.status).toBe(200);
    }
    const otherPort = await rawExchange(port, `GET /_slipway/health HTTP/1.1\r\nHost: 127.0.0.1:${port + 1}`);
    expect(otherPort.status).toBe(403);
  });

  it('refuses requests from web pages (Origin) on every AWS surface, even when signed', async () => {
    const origin = { origin: 'https://some.page.example' };
    const json = await signedFetch(t.server, '/', {
      method: 'POST',
      headers: { 'x-amz-target': 'SageMaker.ListPipelines', 'content-type': 'application/x-amz-json-1.1', ...origin },
      body: '{}',
    });
    expect(json.status).toBe(403);
    expect(json.headers.get('x-amzn-errortype')).toBe('AccessDeniedException');
    const s3 = await signedFetch(t.server, '/sec?list-type=2', { headers: origin, service: 's3' });
    expect(s3.status).toBe(403);
    expect(await s3.text()).toContain('<Code>AccessDenied</Code>');
    // The CORS "simple request" a page may send without a preflight: text/plain POST to invocations.
    const simple = await rawExchange(
      port,
      [
        'POST /endpoints/any/invocations HTTP/1.1',
        `Host: 127.0.0.1:${port}`,
        'Origin: https://some.page.example',
        'Content-Type: text/plain',
        'Content-Length: 2',
      ].join('\r\n'),
      '{}',
    );
    expect(simple.status).toBe(403);
    expect(simple.headers['x-amzn-errortype']).toBe('AccessDeniedException');
    const preflight = await rawExchange(
      port,
      [
        'OPTIONS / HTTP/1.1',
        `Host: 127.0.0.1:${port}`,
        'Origin: https://some.page.example',
        'Access-Control-Request-Method: POST',
      ].join('\r\n'),
    );
    expect(preflight.status).toBe(403);
    expect(preflight.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('refuses unsigned requests in each service’s own error shape', async () => {
    const json = await fetch(t.server.url, {
      method: 'POST',
      headers: { 'x-amz-target': 'SageMaker.ListPipelines', 'content-type': 'application/x-amz-json-1.1' },
      body: '{}',
    });
    expect(json.status).toBe(403);
    expect(await json.json()).toMatchObject({
      __type: 'MissingAuthenticationTokenException',
      message: expect.stringContaining('server.json'),
    });
    const s3 = await fetch(`${t.server.url}/sec?list-type=2`);
    expect(s3.status).toBe(403);
    expect(await s3.text()).toMatch(/<Code>AccessDenied<\/Code><Message>The request is not signed/);
    const invoke = await fetch(`${t.server.url}/endpoints/any/invocations`, { method: 'POST', body: '{}' });
    expect(invoke.status).toBe(403);
    expect(invoke.headers.get('x-amzn-errortype')).toBe('MissingAuthenticationTokenException');
    const create = await fetch(t.server.url, {
      method: 'POST',
      headers: { 'x-amz-target': 'SageMaker.CreatePipeline', 'content-type': 'application/x-amz-json-1.1' },
      body: JSON.stringify({ PipelineName: 'evil', RoleArn: ROLE, PipelineDefinition: EVIL }),
    });
    expect(create.status).toBe(403);
    expect(await pipelines()).toEqual([]);
  });

  it('refuses the real SDK clients signing with another secret', async () => {
    const wrong = {
      ...localClientConfig(t.server),
      credentials: { accessKeyId: 'slipway-local', secretAccessKey: 'guess' },
    };
    const sagemaker = new SageMakerClient(wrong);
    const s3 = new S3Client(wrong);
    const events = new EventBridgeClient(wrong);
    const runtime = new SageMakerRuntimeClient(wrong);
    try {
      await expect(sagemaker.send(new ListPipelinesCommand({}))).rejects.toMatchObject({
        name: 'InvalidSignatureException',
        $metadata: { httpStatusCode: 403 },
      });
      await expect(events.send(new ListRulesCommand({}))).rejects.toMatchObject({ name: 'InvalidSignatureException' });
      await expect(
        s3.send(new PutObjectCommand({ Bucket: 'sec', Key: 'planted.txt', Body: 'x' })),
      ).rejects.toMatchObject({ name: 'SignatureDoesNotMatch', $metadata: { httpStatusCode: 403 } });
      await expect(
        runtime.send(new InvokeEndpointCommand({ EndpointName: 'any', Body: new TextEncoder().encode('{}') })),
      ).rejects.toMatchObject({ name: 'InvalidSignatureException' });
    } finally {
      for (const client of [sagemaker, s3, events, runtime]) client.destroy();
    }
    await expect(t.s3.send(new GetObjectCommand({ Bucket: 'sec', Key: 'planted.txt' }))).rejects.toMatchObject({
      name: 'NoSuchKey',
    });
  });

  it('accepts the real SDK clients signing with the server’s secret (any access key id)', async () => {
    const config = { ...localClientConfig(t.server), credentials: { ...t.server.credentials, accessKeyId: 'AKIDANY' } };
    const s3 = new S3Client(config);
    const runtime = new SageMakerRuntimeClient(config);
    const events = new EventBridgeClient(config);
    try {
      await s3.send(
        new PutObjectCommand({ Bucket: 'sec', Key: 'dir/a b+c~é.txt', Body: 'hello', ContentType: 'text/plain' }),
      );
      const got = await s3.send(new GetObjectCommand({ Bucket: 'sec', Key: 'dir/a b+c~é.txt' }));
      expect(await got.Body!.transformToString()).toBe('hello');
      const answer = await runtime.send(
        new InvokeEndpointCommand({
          EndpointName: 'echo',
          ContentType: 'application/json',
          Body: new TextEncoder().encode('{"a":1}'),
        }),
      );
      expect(JSON.parse(new TextDecoder().decode(answer.Body))).toEqual({ endpoint: 'echo', body: '{"a":1}' });
      expect((await events.send(new ListRulesCommand({}))).Rules).toEqual([]);
    } finally {
      for (const client of [s3, runtime, events]) client.destroy();
    }
  });

  it('refuses a signed JSON request whose body was changed after signing', async () => {
    const url = `${t.server.url}/`;
    const signed = JSON.stringify({ PipelineName: 'fine', RoleArn: ROLE, PipelineDefinition: EVIL });
    const headers = signRequest({
      method: 'POST',
      url,
      headers: { 'x-amz-target': 'SageMaker.CreatePipeline', 'content-type': 'application/x-amz-json-1.1' },
      body: signed,
      credentials: t.server.credentials,
      region: 'us-east-1',
      service: 'sagemaker',
    });
    const swapped = signed.replace('"fine"', '"evil"');
    const answer = await fetch(url, { method: 'POST', headers, body: swapped });
    expect(answer.status).toBe(403);
    expect(answer.headers.get('x-amzn-errortype')).toBe('InvalidSignatureException');
    expect(await pipelines()).toEqual([]);
  });

  it('refuses a signature more than 15 minutes old, and accepts one within the allowed skew', async () => {
    const sign = (minutes: number) =>
      signedFetch(t.server, '/sec?list-type=2', { service: 's3', now: new Date(Date.now() - minutes * 60_000) });
    const stale = await sign(16);
    expect(stale.status).toBe(403);
    expect(await stale.text()).toContain('<Code>RequestTimeTooSkewed</Code>');
    expect((await sign(10)).status).toBe(200);
  });

  it('serves its own routes (the health check) with the Host check only', async () => {
    const health = await fetch(`${t.server.url}/_slipway/health`, { headers: { origin: 'http://127.0.0.1:1' } });
    expect(health.status).toBe(200);
  });

  it('accepts boto3 with the secret from server.json (SageMaker, S3 with a presigned URL, EventBridge, Runtime), refuses it with another', async () => {
    const script = String.raw`
import json, os, sys, time, urllib.request, urllib.error
import boto3
from botocore.config import Config
from botocore.exceptions import ClientError
out = {}
sm = boto3.client('sagemaker')
out['pipelines'] = sm.list_pipelines()['PipelineSummaries']
s3 = boto3.client('s3', config=Config(s3={'addressing_style': 'path'}, signature_version='s3v4'))
s3.put_object(Bucket='sec', Key='py/obj key.txt', Body=b'from boto3')
out['object'] = s3.get_object(Bucket='sec', Key='py/obj key.txt')['Body'].read().decode()
url = s3.generate_presigned_url('get_object', Params={'Bucket': 'sec', 'Key': 'py/obj key.txt'}, ExpiresIn=60)
out['presigned'] = urllib.request.urlopen(url).read().decode()
expiring = s3.generate_presigned_url('get_object', Params={'Bucket': 'sec', 'Key': 'py/obj key.txt'}, ExpiresIn=1)
time.sleep(2)
try:
    urllib.request.urlopen(expiring)
    out['expired'] = 'accepted'
except urllib.error.HTTPError as error:
    out['expired'] = error.code
tampered = url.replace('obj%20key.txt', 'other.txt')
try:
    urllib.request.urlopen(tampered)
    out['tampered'] = 'accepted'
except urllib.error.HTTPError as error:
    out['tampered'] = error.code
v2 = boto3.client('s3', config=Config(s3={'addressing_style': 'path'})).generate_presigned_url('get_object', Params={'Bucket': 'sec', 'Key': 'py/obj key.txt'})
try:
    urllib.request.urlopen(v2)
    out['sigv2'] = 'accepted'
except urllib.error.HTTPError as error:
    out['sigv2'] = [error.code, 'signature_version' in error.read().decode()]
out['events'] = boto3.client('events').put_events(Entries=[{'Source': 'my.app', 'DetailType': 'x', 'Detail': '{}'}])['FailedEntryCount']
answer = boto3.client('sagemaker-runtime').invoke_endpoint(EndpointName='echo', ContentType='application/json', Body=b'{"b":2}')
out['invoked'] = json.loads(answer['Body'].read())
wrong = boto3.client('sagemaker', aws_access_key_id='slipway-local', aws_secret_access_key='not-the-secret')
try:
    wrong.list_pipelines()
    out['wrong'] = 'accepted'
except ClientError as error:
    out['wrong'] = error.response['Error']['Code']
print(json.dumps(out))
`;
    const server = t.server;
    // Asynchronously: the server answers from this process.
    const run = await promisify(execFile)(TOOLS_PYTHON, ['-c', script], {
      encoding: 'utf8',
      timeout: 50_000,
      env: {
        PATH: process.env['PATH'] ?? '',
        HOME: tempDir(),
        AWS_CONFIG_FILE: '/dev/null',
        AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
        AWS_EC2_METADATA_DISABLED: 'true',
        AWS_ENDPOINT_URL: server.url,
        AWS_ACCESS_KEY_ID: server.credentials.accessKeyId,
        AWS_SECRET_ACCESS_KEY: server.credentials.secretAccessKey,
        AWS_REGION: server.region,
        AWS_DEFAULT_REGION: server.region,
      },
    });
    expect(run.stderr).toBe('');
    expect(JSON.parse(run.stdout)).toEqual({
      pipelines: [],
      object: 'from boto3',
      presigned: 'from boto3',
      expired: 403,
      tampered: 403,
      sigv2: [400, true],
      events: 0,
      invoked: { endpoint: 'echo', body: '{"b":2}' },
      wrong: 'InvalidSignatureException',
    });
  }, 60_000);
});

describe('the per-server secret and the data dir', () => {
  it('keeps the data dir 0700 and the secret and server.json 0600, and keeps the secret across restarts', async () => {
    const dataDir = join(tempDir(), 'data');
    mkdirSync(dataDir, { mode: 0o755 });
    chmodSync(dataDir, 0o755);
    const first = await startTestServer({ dataDir });
    const secret = first.server.credentials.secretAccessKey;
    try {
      expect(secret).toMatch(/^[A-Za-z0-9_-]{40}$/);
      expect(mode(dataDir)).toBe(0o700);
      expect(mode(join(dataDir, SECRET_FILE))).toBe(0o600);
      expect(mode(join(dataDir, SERVER_FILE))).toBe(0o600);
      expect(await readServerFile(dataDir)).toMatchObject({
        url: first.server.url,
        region: 'us-east-1',
        credentials: { accessKeyId: 'slipway-local', secretAccessKey: secret },
      });
    } finally {
      await first.close();
    }
    const second = await startTestServer({ dataDir });
    try {
      expect(second.server.credentials.secretAccessKey).toBe(secret);
      expect(await second.sagemaker.send(new ListPipelinesCommand({}))).toMatchObject({ PipelineSummaries: [] });
    } finally {
      await second.close();
    }
    const other = await startTestServer();
    try {
      expect(other.server.credentials.secretAccessKey).not.toBe(secret);
    } finally {
      await other.close();
    }
  });

  it('leaves a readable folder that holds other files as it is, and warns (a project root given as data dir)', async () => {
    const dataDir = join(tempDir(), 'project');
    mkdirSync(dataDir, { mode: 0o755 });
    chmodSync(dataDir, 0o755);
    writeFileSync(join(dataDir, 'README.md'), "not the server's\n");
    const log = memoryLogger();
    const t = await startTestServer({ dataDir, logger: log });
    try {
      expect(mode(dataDir)).toBe(0o755);
      expect(mode(join(dataDir, SECRET_FILE))).toBe(0o600);
      expect(log.lines.join('\n')).toMatch(/can be read by others \(mode 755\) and holds other files.*chmod 700 it/);
    } finally {
      await t.close();
    }
  });

  it('replaces a secret that others could read, and says so', async () => {
    const dataDir = join(tempDir(), 'data');
    const first = await startTestServer({ dataDir });
    const secret = first.server.credentials.secretAccessKey;
    await first.close();
    chmodSync(join(dataDir, SECRET_FILE), 0o644);
    const log = memoryLogger();
    const second = await startTestServer({ dataDir, logger: log });
    try {
      expect(second.server.credentials.secretAccessKey).not.toBe(secret);
      expect(mode(join(dataDir, SECRET_FILE))).toBe(0o600);
      expect(log.lines.join('\n')).toMatch(/could be read by others \(mode 644\); made a new secret/);
      expect(readFileSync(join(dataDir, SECRET_FILE), 'utf8').trim()).toBe(second.server.credentials.secretAccessKey);
    } finally {
      await second.close();
    }
  });
});
