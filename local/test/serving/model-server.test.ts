import { describe, expect, it, beforeEach, afterEach } from '@jest/globals';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ValidationError } from '@slipway/core';
import { packTarGz } from '../../src/archive/index.js';
import { UnsupportedImageError } from '../../src/runners/job-runner.js';
import { ModelDataError, ModelServerError, startModelServer, type ModelServer } from '../../src/serving/index.js';
import { writeRawTarGz } from '../archive/tar-builder.js';
import { TEST_IMAGE, isRunning, testRuntimes } from '../runners/job-fixtures.js';

// A model that needs only the standard library, so these tests run on the host's python3.
const ECHO = `
import json, os, signal
def model_fn(model_dir):
    with open(os.path.join(model_dir, "model.txt")) as handle:
        return handle.read().strip()
def transform_fn(model, body, content_type, accept):
    body = body.decode() if isinstance(body, bytes) else body
    if body == "ignore-sigterm":
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
    return json.dumps({"model": model, "body": body, "content_type": content_type, "accept": accept}), "application/json"
`;

let dir: string;
const started: ModelServer[] = [];
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'slipway-serving-'));
});
afterEach(async () => {
  await Promise.all(started.splice(0).map((server) => server.stop()));
  await rm(dir, { recursive: true, force: true });
});

async function modelDir(script: string, name = 'model'): Promise<string> {
  const path = join(dir, name);
  await mkdir(join(path, 'code'), { recursive: true });
  await writeFile(join(path, 'code', 'inference.py'), script);
  await writeFile(join(path, 'model.txt'), 'v1');
  return path;
}

async function start(options: Partial<Parameters<typeof startModelServer>[0]>): Promise<ModelServer> {
  const server = await startModelServer({ image: TEST_IMAGE, runtimes: testRuntimes(), ...options });
  started.push(server);
  return server;
}

async function invoke(server: ModelServer, body: string, headers: Record<string, string> = {}) {
  const response = await fetch(`${server.url}/invocations`, {
    method: 'POST',
    body,
    headers: { 'Content-Type': 'text/plain', ...headers },
  });
  return { status: response.status, json: (await response.json()) as Record<string, unknown> };
}

describe('startModelServer', () => {
  it('serves an unpacked model on 127.0.0.1 and stops it', async () => {
    const server = await start({
      modelDataDir: await modelDir(ECHO),
      environment: { SAGEMAKER_PROGRAM: 'inference.py' },
    });
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const ping = await fetch(`${server.url}/ping`);
    expect(ping.status).toBe(200);
    await ping.arrayBuffer();
    expect(await invoke(server, 'hello', { Accept: 'text/csv' })).toEqual({
      status: 200,
      json: { model: 'v1', body: 'hello', content_type: 'text/plain', accept: 'text/csv' },
    });
    await server.stop();
    expect(isRunning(server.pid)).toBe(false);
    await expect(fetch(`${server.url}/ping`)).rejects.toThrow();
    expect(await server.exited).toEqual({ code: 0, signal: null });
  });

  it('unpacks a model.tar.gz into its own folder and removes it on stop', async () => {
    const source = await modelDir(ECHO, 'source');
    await packTarGz(source, join(dir, 'model.tar.gz'));
    const server = await start({ modelTarGz: join(dir, 'model.tar.gz'), logFile: join(dir, 'logs', 'server.log') });
    expect(existsSync(join(server.modelDir, 'code', 'inference.py'))).toBe(true);
    expect((await invoke(server, 'x')).json.model).toBe('v1');
    await server.stop();
    expect(existsSync(server.modelDir)).toBe(false);
    expect(await readFile(join(dir, 'logs', 'server.log'), 'utf8')).toContain('SLIPWAY_MODEL_SERVER_READY');
  });

  it('refuses an unsafe model.tar.gz before starting anything', async () => {
    await writeRawTarGz(join(dir, 'evil.tar.gz'), [{ path: 'code/../../../evil.py', body: 'x' }]);
    const error = await start({ modelTarGz: join(dir, 'evil.tar.gz') }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect(error).toBeInstanceOf(ModelDataError);
    expect((error as Error).message).toMatch(
      /evil\.tar\.gz: entry "code\/\.\.\/\.\.\/\.\.\/evil\.py" has a "\.\." path segment/,
    );
  });

  it('reports a model that fails to load with the handler’s error', async () => {
    const script =
      'def model_fn(model_dir):\n    raise FileNotFoundError("model.joblib is missing from " + model_dir)\n';
    const error = await start({ modelDataDir: await modelDir(script) }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ModelServerError);
    expect((error as ModelServerError).exit).toEqual({ code: 2, signal: null });
    expect((error as Error).message).toMatch(/exited \(code 2\) before answering \/ping: the model failed to load/);
    expect((error as Error).message).toContain('FileNotFoundError: model.joblib is missing from');
  });

  it('gives up after the start timeout, stops the process and says so', async () => {
    const script = 'import time\ndef model_fn(model_dir):\n    time.sleep(30)\n';
    const error = await start({ modelDataDir: await modelDir(script), startTimeoutMs: 1000 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ModelServerError);
    expect((error as Error).message).toMatch(/did not answer \/ping within 1000 ms/);
  });

  it('kills a server that ignores SIGTERM once the grace period is over', async () => {
    const server = await start({ modelDataDir: await modelDir(ECHO), stopGraceMs: 300 });
    await invoke(server, 'ignore-sigterm');
    const before = Date.now();
    await server.stop();
    expect(Date.now() - before).toBeGreaterThanOrEqual(250);
    expect((await server.exited).signal).toBe('SIGKILL');
  });

  it('fails for an image with no local runtime', async () => {
    await expect(
      start({
        modelDataDir: dir,
        image: '763104351884.dkr.ecr.us-east-1.amazonaws.com/pytorch-inference:2.1.0-cpu-py310',
      }),
    ).rejects.toBeInstanceOf(UnsupportedImageError);
  });

  it('needs exactly one of modelDataDir and modelTarGz', async () => {
    await expect(start({})).rejects.toThrow(/modelDataDir \/ modelTarGz must give exactly one of the two/);
  });
});
