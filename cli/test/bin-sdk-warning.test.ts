import { spawn, spawnSync } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';

const REPO = join(import.meta.dirname, '..', '..');
const WARNING = 'NodeVersionSupportWarning';
const VARIABLE = 'AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED';

/** Whether this Node makes the AWS SDK warn at all (it does below Node 22): otherwise there is nothing to silence. */
const sdkWarnsHere = spawnSync(
  process.execPath,
  ['--input-type=module', '-e', "const m = await import('@aws-sdk/client-sagemaker'); new m.SageMakerClient({});"],
  { cwd: REPO, encoding: 'utf8', env: { PATH: process.env.PATH } },
).stderr.includes(WARNING);

let listener: Server;
let endpoint = '';
let calls = 0;

/** `slipway registry list --aws` from the installed entry point, its one SDK call answered by the listener. */
function slipwayBin(extraEnv: NodeJS.ProcessEnv): Promise<{ code: number | null; stderr: string; calls: number }> {
  const before = calls;
  const child = spawn(process.execPath, [join('cli', 'bin', 'slipway.js'), 'registry', 'list', '--aws'], {
    cwd: REPO,
    env: {
      PATH: process.env.PATH,
      HOME: '/nonexistent',
      AWS_CONFIG_FILE: '/nonexistent',
      AWS_SHARED_CREDENTIALS_FILE: '/nonexistent',
      AWS_ACCESS_KEY_ID: 'test',
      AWS_SECRET_ACCESS_KEY: 'test',
      AWS_REGION: 'us-east-1',
      AWS_ENDPOINT_URL: endpoint,
      ...extraEnv,
    },
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stderr, calls: calls - before })));
}

beforeAll(async () => {
  // The bin runs the compiled CLI: build it (incremental, quick when current).
  const built = spawnSync(process.execPath, [join('node_modules', 'typescript', 'bin', 'tsc'), '-b', 'cli'], {
    cwd: REPO,
    encoding: 'utf8',
  });
  expect(built.stdout + built.stderr).toBe('');
  listener = createServer((_request, response) => {
    calls++;
    response
      .writeHead(400, { 'content-type': 'application/x-amz-json-1.1' })
      .end('{"__type":"AccessDeniedException","message":"answered by the test listener"}');
  });
  await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
  endpoint = `http://127.0.0.1:${(listener.address() as AddressInfo).port}`;
}, 120_000);

afterAll(() => new Promise<void>((resolve) => listener.close(() => resolve())));

const onOldNode = sdkWarnsHere ? describe : describe.skip;

onOldNode(
  sdkWarnsHere
    ? 'cli/bin/slipway.js and the AWS SDK NodeVersionSupportWarning'
    : `cli/bin/slipway.js and the AWS SDK NodeVersionSupportWarning — SKIPPED: the SDK does not warn on Node ${process.version}`,
  () => {
    it('prints no NodeVersionSupportWarning, though the command creates an SDK client and calls it', async () => {
      const run = await slipwayBin({});
      expect(run.calls).toBe(1);
      expect(run.stderr).toContain('answered by the test listener');
      expect(run.stderr).not.toContain(WARNING);
    });

    it('leaves a value the user set alone', async () => {
      const run = await slipwayBin({ [VARIABLE]: 'false' });
      expect(run.calls).toBe(1);
      expect(run.stderr).toContain(WARNING);
    });
  },
);
