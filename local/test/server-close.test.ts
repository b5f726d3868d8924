import { createHash, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, request, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from '@jest/globals';
import {
  CreateEndpointCommand,
  CreateEndpointConfigCommand,
  CreateModelCommand,
  DescribeEndpointCommand,
} from '@aws-sdk/client-sagemaker';
import { signRequest } from '@slipway/core';
import { packTarGz } from '@slipway/local';
import { GracefulClose } from '../src/server/graceful-close.js';
import { TEST_IMAGE, testRuntimes } from './runners/job-fixtures.js';
import { ROLE, startTestServer, tempDir } from './support/harness.js';

const scratch = tempDir('slipway-close-');
afterAll(() => rm(scratch, { recursive: true, force: true }));

interface Answer {
  readonly status?: number | undefined;
  readonly connection?: string | undefined;
  readonly body: Buffer;
  readonly error?: string;
}

/** One GET on its own connection; `onResponse` runs when the headers arrive, before the body is read. */
function get(
  port: number,
  path: string,
  onResponse?: (response: IncomingMessage) => Promise<void>,
  headers: Record<string, string> = {},
): Promise<Answer> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    request({ host: '127.0.0.1', port, path, headers: { ...headers, connection: 'keep-alive' } }, async (response) => {
      response.pause();
      await onResponse?.(response);
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('error', (error) => resolve({ body: Buffer.concat(chunks), error: error.message }));
      response.on('end', () =>
        resolve({ status: response.statusCode, connection: response.headers.connection, body: Buffer.concat(chunks) }),
      );
      response.resume();
    })
      .on('error', (error) => resolve({ body: Buffer.concat(chunks), error: error.message }))
      .end();
  });
}

async function listening(server: Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

describe('GracefulClose', () => {
  it('lets a request in flight finish with its whole response, on a connection it then closes', async () => {
    let arrived!: () => void;
    const inFlight = new Promise<void>((resolve) => (arrived = resolve));
    let answer!: () => void;
    const server = createServer((_request, response) => {
      answer = () => response.end('the whole answer');
      arrived();
    });
    server.keepAliveTimeout = 60_000;
    const graceful = new GracefulClose(server);
    const port = await listening(server);
    const pending = get(port, '/slow');
    await inFlight;
    const closed = graceful.close(30_000);
    answer();
    const result = await pending;
    expect(result).toEqual({ status: 200, connection: 'close', body: Buffer.from('the whole answer') });
    await closed;
    expect(server.listening).toBe(false);
  });

  it('closes a keep-alive connection once its response, begun before close(), has been written', async () => {
    let finish!: () => void;
    const server = createServer((_request, response) => {
      response.writeHead(200, { 'content-type': 'text/plain' });
      response.write('first half, ');
      finish = () => response.end('second half');
    });
    // Left open until this timeout, close() would outlast the test's own.
    server.keepAliveTimeout = 120_000;
    const graceful = new GracefulClose(server);
    const port = await listening(server);
    let closed: Promise<void> | undefined;
    const result = await get(port, '/stream', async () => {
      closed = graceful.close(120_000);
      finish();
    });
    expect(result.body.toString()).toBe('first half, second half');
    expect(result.connection).toBe('keep-alive');
    await closed;
  });

  it('cuts a request that is still unanswered when the grace runs out', async () => {
    let arrived!: () => void;
    const inFlight = new Promise<void>((resolve) => (arrived = resolve));
    const server = createServer(() => arrived());
    const graceful = new GracefulClose(server);
    const port = await listening(server);
    const pending = get(port, '/never');
    await inFlight;
    await graceful.close(100);
    expect((await pending).error).toMatch(/socket hang up|ECONNRESET/);
  });
});

describe('LocalServer.close()', () => {
  it('lets an S3 download in flight finish with every byte', async () => {
    const world = await startTestServer({ dataDir: join(scratch, 'download') });
    const content = randomBytes(24 * 1024 * 1024);
    await world.server.objects.createBucket('close-test');
    await world.server.objects.put('close-test', 'big.bin', content);
    let closed: Promise<void> | undefined;
    const signed = signRequest({
      method: 'GET',
      url: `${world.server.url}/close-test/big.bin`,
      credentials: world.server.credentials,
      region: world.server.region,
      service: 's3',
    });
    // The headers and the first bytes are out; most of the body is still to be written when close() starts.
    const result = await get(
      world.server.port,
      '/close-test/big.bin',
      async () => {
        closed = world.close();
      },
      signed,
    );
    expect(result.error).toBeUndefined();
    expect(result.status).toBe(200);
    expect(result.body.length).toBe(content.length);
    expect(createHash('sha256').update(result.body).digest('hex')).toBe(
      createHash('sha256').update(content).digest('hex'),
    );
    await closed;
    expect(world.server.store.db.open).toBe(false);
  });

  it('stops a model server that is still loading its model instead of waiting for it', async () => {
    const dataDir = join(scratch, 'loading');
    const pidFile = join(scratch, 'loading-model.pid');
    const modelDir = join(scratch, 'slow-model');
    await mkdir(join(modelDir, 'code'), { recursive: true });
    // Loads for longer than the test may take: close() has to stop it, not wait for it.
    await writeFile(
      join(modelDir, 'code', 'inference.py'),
      [
        'import os, time',
        'def model_fn(model_dir):',
        `    with open(${JSON.stringify(pidFile)}, "w") as handle:`,
        '        handle.write(str(os.getpid()))',
        '    time.sleep(90)',
        '',
      ].join('\n'),
    );
    const archive = join(scratch, 'slow-model.tar.gz');
    await packTarGz(modelDir, archive);
    const world = await startTestServer({
      dataDir,
      endpoints: { runtimes: testRuntimes(), startTimeoutMs: 90_000, stopGraceMs: 2000 },
    });
    await world.server.objects.createBucket('close-test');
    await world.server.objects.putFile('close-test', 'slow/model.tar.gz', archive);
    await world.sagemaker.send(
      new CreateModelCommand({
        ModelName: 'slow',
        ExecutionRoleArn: ROLE,
        PrimaryContainer: { Image: TEST_IMAGE, ModelDataUrl: 's3://close-test/slow/model.tar.gz' },
      }),
    );
    await world.sagemaker.send(
      new CreateEndpointConfigCommand({
        EndpointConfigName: 'slow',
        ProductionVariants: [
          { VariantName: 'v', ModelName: 'slow', InstanceType: 'ml.m5.large', InitialInstanceCount: 1 },
        ],
      }),
    );
    await world.sagemaker.send(new CreateEndpointCommand({ EndpointName: 'slow', EndpointConfigName: 'slow' }));
    while (!existsSync(pidFile)) await new Promise((resolve) => setTimeout(resolve, 50));
    const pid = Number(await readFile(pidFile, 'utf8'));
    const described = await world.sagemaker.send(new DescribeEndpointCommand({ EndpointName: 'slow' }));
    expect(described.EndpointStatus).toBe('Creating');

    await world.close();
    expect(() => process.kill(pid, 0)).toThrow();
  });
});
