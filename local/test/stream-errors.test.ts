// No stream error can end the server's process: every store and transfer path turns a failing stream (a file
// that vanished, a full disk, a peer that hung up) into a rejected promise or a failed response. An unheard
// 'error' event would crash the Jest worker, so each of these fails loudly on code that lets one through.
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { createServer as createHttpServer, request as httpRequest, type Server } from 'node:http';
import { createServer as createTcpServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { rmSync } from 'node:fs';
import { extractTarGz, packTarGz } from '../src/archive/index.js';
import { forwardInvocation } from '../src/endpoints/invocation-proxy.js';
import { Instance, VariantPool, type Fleet } from '../src/endpoints/fleet.js';
import { ProcessingRunner } from '../src/runners/index.js';
import { JobLog } from '../src/runners/job-log.js';
import { downloadS3Data, uploadDirectory } from '../src/runners/s3-transfer.js';
import type { ModelServer } from '../src/serving/model-server.js';
import { ObjectStore, type PutOptions } from '../src/storage/object-store.js';
import type { VariantSpec } from '../src/store/endpoint-repository.js';
import { BUCKET, JobWorld, processingRequest, runnerOptions } from './runners/job-fixtures.js';

let root: string;
let store: ObjectStore;

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'slipway-stream-errors-'));
  store = new ObjectStore(join(root, 'data'));
  await store.createBucket(BUCKET);
});

afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

/** A stream that fails on the next tick, before anyone has read from it. */
function failingAtOnce(): Readable {
  const stream = new Readable({ read() {} });
  process.nextTick(() => stream.destroy(new Error('the disk went away')));
  return stream;
}

/** A stream that gives some bytes, then fails. */
function failingMidway(): Readable {
  let sent = false;
  return new Readable({
    read() {
      if (!sent) {
        sent = true;
        this.push(Buffer.alloc(64 * 1024, 1));
      } else {
        setImmediate(() => this.destroy(new Error('the client hung up')));
      }
    },
  });
}

async function leftovers(): Promise<string[]> {
  return readdir(join(root, 'data', 's3-tmp')).catch(() => []);
}

describe('ObjectStore', () => {
  it('putFile of a missing file rejects with the file system error and writes nothing', async () => {
    await expect(store.putFile(BUCKET, 'outputs/model.tar.gz', join(root, 'vanished.tar.gz'))).rejects.toMatchObject({
      code: 'ENOENT',
    });
    expect(await store.head(BUCKET, 'outputs/model.tar.gz')).toBeUndefined();
    expect(await leftovers()).toEqual([]);
  });

  it('putFile with a refused key rejects before the file is opened', async () => {
    // Every key S3 accepts is stored (`../escape` too); one over S3's 1,024 bytes is refused.
    await expect(store.putFile(BUCKET, 'k'.repeat(1025), join(root, 'vanished'))).rejects.toThrow(/key/i);
  });

  it('put rejects for a stream that fails before it is read, and keeps the previous object', async () => {
    await store.put(BUCKET, 'data/a.csv', 'old');
    await expect(store.put(BUCKET, 'data/a.csv', failingAtOnce())).rejects.toThrow('the disk went away');
    expect((await store.get(BUCKET, 'data/a.csv'))?.toString()).toBe('old');
    expect(await leftovers()).toEqual([]);
  });

  it('put rejects for a stream that fails midway and writes nothing under the key', async () => {
    await expect(store.put(BUCKET, 'data/b.csv', failingMidway())).rejects.toThrow('the client hung up');
    expect(await store.head(BUCKET, 'data/b.csv')).toBeUndefined();
    expect(await leftovers()).toEqual([]);
  });

  it('getToFile rejects when the destination cannot be written', async () => {
    await store.put(BUCKET, 'data/c.csv', 'x,y\n');
    const blocker = join(root, 'a-file');
    await writeFile(blocker, '');
    await expect(store.getToFile(BUCKET, 'data/c.csv', join(blocker, 'c.csv'))).rejects.toHaveProperty('code');
  });

  it('getStream of a missing object is undefined', async () => {
    expect(await store.getStream(BUCKET, 'nothing/here')).toBeUndefined();
  });
});

/** A store whose files vanish just before they are uploaded (a job's output deleted by another process). */
class VanishingStore extends ObjectStore {
  override async putFile(bucket: string, key: string, file: string, options?: PutOptions) {
    rmSync(file, { force: true });
    return super.putFile(bucket, key, file, options);
  }
}

describe('S3 transfers of jobs', () => {
  it('uploadDirectory rejects when a file vanished before its upload', async () => {
    const dir = join(root, 'out');
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, 'evaluation.json'), '{}');
    const vanishing = new VanishingStore(join(root, 'data'));
    await expect(uploadDirectory(vanishing, dir, `s3://${BUCKET}/eval`, 'test')).rejects.toMatchObject({
      code: 'ENOENT',
    });
  });

  it('downloadS3Data rejects when the local folder cannot be written', async () => {
    await store.put(BUCKET, 'in/a.csv', 'a');
    const blocker = join(root, 'blocker');
    await writeFile(blocker, '');
    await expect(
      downloadS3Data(store, `s3://${BUCKET}/in/`, 'S3Prefix', join(blocker, 'input'), 'test', 'S3Input'),
    ).rejects.toHaveProperty('code');
  });

  it("a processing job whose output vanished before upload is Failed, and the server's process goes on", async () => {
    const world = await JobWorld.create();
    try {
      const code = await world.put('code/write.py', 'open("/opt/ml/processing/out/result.txt", "w").write("done")\n');
      const spec = world.processing(
        'vanish',
        processingRequest(code, 'write.py', [], {
          ProcessingOutputConfig: {
            Outputs: [
              {
                OutputName: 'out',
                S3Output: {
                  S3Uri: `s3://${BUCKET}/out`,
                  LocalPath: '/opt/ml/processing/out',
                  S3UploadMode: 'EndOfJob',
                },
              },
            ],
          },
        }),
      );
      const result = await new ProcessingRunner(runnerOptions()).run(
        spec,
        new VanishingStore(join(world.root, 'data')),
      );
      expect(result.status).toBe('Failed');
      expect(result.failureReason).toMatch(/ENOENT/);
    } finally {
      await world.dispose();
    }
  });
});

describe('archives', () => {
  it('packTarGz rejects when the archive cannot be written', async () => {
    const source = join(root, 'model');
    await mkdir(source, { recursive: true });
    await writeFile(join(source, 'model.joblib'), 'weights');
    await expect(packTarGz(source, join(root, 'missing-folder', 'model.tar.gz'))).rejects.toHaveProperty('code');
  });

  it('extractTarGz rejects a truncated archive', async () => {
    const source = join(root, 'whole');
    await mkdir(source, { recursive: true });
    await writeFile(join(source, 'a.txt'), 'x'.repeat(100_000));
    await packTarGz(source, join(root, 'whole.tar.gz'));
    const bytes = await readFile(join(root, 'whole.tar.gz'));
    await writeFile(join(root, 'cut.tar.gz'), bytes.subarray(0, Math.floor(bytes.length / 2)));
    await expect(extractTarGz(join(root, 'cut.tar.gz'), join(root, 'out'))).rejects.toThrow();
  });
});

describe('job logs', () => {
  it('a log whose writes fail (a full disk) keeps the job going and says why', async () => {
    const log = await JobLog.open('/dev/full');
    log.write('a line the disk cannot take\n');
    log.note('and a note');
    await log.close();
    expect(log.error).toMatchObject({ code: 'ENOSPC' });
  });
});

describe('InvokeEndpoint proxy', () => {
  let upstream: ReturnType<typeof createTcpServer>;
  let front: Server;

  afterEach(async () => {
    front?.closeAllConnections();
    await new Promise((resolve) => front?.close(resolve));
    await new Promise((resolve) => upstream?.close(resolve));
  });

  it('a model server that dies mid-answer gives the client a ModelError and releases the request', async () => {
    // Plays a model server: sends the status line and part of the body, then its connection drops.
    upstream = createTcpServer((socket) => {
      socket.once('data', () => {
        socket.write('HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 1000\r\n\r\n{"predic');
        setTimeout(() => socket.destroy(), 20);
      });
    });
    await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
    const pool = new VariantPool({ variantName: 'AllTraffic' } as VariantSpec, () => join(root, 'instance-1.log'));
    const instance = new Instance(pool, { port: (upstream.address() as AddressInfo).port } as ModelServer);
    pool.instances.push(instance);
    let inflight = 0;
    const fleet = {
      capture: undefined,
      acquire: () => (inflight += 1),
      release: () => (inflight -= 1),
    } as unknown as Fleet;
    front = createHttpServer((request, response) =>
      forwardInvocation(
        { headers: request.headers, body: request },
        response,
        { fleet, instance, logStreamArn: 'arn:log', timeoutMs: 5000 },
        'id-1',
      ),
    );
    await new Promise<void>((resolve) => front.listen(0, '127.0.0.1', resolve));
    const outcome = await new Promise<string>((resolve) => {
      const request = httpRequest(
        { host: '127.0.0.1', port: (front.address() as AddressInfo).port, method: 'POST', path: '/' },
        (response) => {
          const chunks: Buffer[] = [];
          response.on('data', (chunk: Buffer) => chunks.push(chunk));
          response.once('end', () =>
            resolve(
              `${response.statusCode} ${response.headers['x-amzn-errortype']} ${Buffer.concat(chunks).toString()}`,
            ),
          );
          response.once('error', (error) => resolve(`failed: ${error.message}`));
        },
      );
      request.once('error', (error) => resolve(`failed: ${error.message}`));
      request.end('{"instances": ["fine"]}');
    });
    expect(outcome).toMatch(/^424 ModelError .*no answer from the model server/);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(inflight).toBe(0);
    instance.client.close();
  });
});
