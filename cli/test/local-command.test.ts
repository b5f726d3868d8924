import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, statSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from '@jest/globals';
import { signRequest } from '@slipway/core';
import { approvalRoutes } from '@slipway/deploy-pipeline';
import type { ServerFile } from '@slipway/local';
import { endpointCredentials } from '../src/local-connection.js';
import { runCli } from './support/run-cli.js';
import { EXIT_CODES } from '../src/failure.js';

const slipway = (args: string[]) => runCli(args);

describe('slipway local up --detach / status / down', () => {
  beforeAll(() => {
    // --detach starts `cli/bin/slipway.js`, which runs the compiled CLI: build it (incremental, quick when current).
    const built = spawnSync(process.execPath, [join('node_modules', 'typescript', 'bin', 'tsc'), '-b', 'cli'], {
      encoding: 'utf8',
    });
    expect(built.stdout + built.stderr).toBe('');
  }, 120_000);

  it('starts a server in the background, reports it, and stops it', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'slipway-cli-'));
    const up = await slipway(['local', 'up', '--detach', '--port', '0', '--data-dir', dataDir, '--json']);
    expect(up.stderr).toBe('');
    expect(up.code).toBe(0);
    const started = JSON.parse(up.stdout) as { url: string; pid: number };
    expect(started.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(JSON.parse(readFileSync(join(dataDir, 'server.json'), 'utf8'))).toMatchObject({
      url: started.url,
      pid: started.pid,
    });

    // The data dir and the files that hold the secret are the owner's only.
    expect(statSync(dataDir).mode & 0o777).toBe(0o700);
    expect(statSync(join(dataDir, 'server.json')).mode & 0o777).toBe(0o600);
    const file = JSON.parse(readFileSync(join(dataDir, 'server.json'), 'utf8')) as ServerFile;
    const env = await slipway(['local', 'env', '--data-dir', dataDir]);
    expect(env.code).toBe(0);
    expect(env.stdout.split('\n')).toEqual([
      `export AWS_ENDPOINT_URL=${started.url}`,
      'export AWS_ACCESS_KEY_ID=slipway-local',
      `export AWS_SECRET_ACCESS_KEY=${file.credentials.secretAccessKey}`,
      'export AWS_REGION=us-east-1',
      'export AWS_DEFAULT_REGION=us-east-1',
      '',
    ]);

    // --endpoint-url naming this server signs with its secret; another URL with the environment's keys.
    expect(await endpointCredentials(`${started.url}/`, dataDir, {})).toEqual(file.credentials);
    expect(
      await endpointCredentials('http://127.0.0.1:1', dataDir, { AWS_ACCESS_KEY_ID: 'a', AWS_SECRET_ACCESS_KEY: 'b' }),
    ).toEqual({ accessKeyId: 'a', secretAccessKey: 'b' });
    expect(await endpointCredentials('http://127.0.0.1:1', dataDir, {})).toBeUndefined();

    const again = await slipway(['local', 'up', '--detach', '--port', '0', '--data-dir', dataDir]);
    expect(again.code).toBe(EXIT_CODES.failure);
    expect(again.stderr).toMatch(/already has a local server running at http:\/\/127\.0\.0\.1/);

    const status = await slipway(['local', 'status', '--data-dir', dataDir, '--json']);
    expect(JSON.parse(status.stdout)).toMatchObject({
      running: true,
      healthy: true,
      url: started.url,
      pid: started.pid,
    });

    const down = await slipway(['local', 'down', '--data-dir', dataDir, '--json']);
    expect(JSON.parse(down.stdout)).toMatchObject({ stopped: true, pid: started.pid });
    expect(existsSync(join(dataDir, 'server.json'))).toBe(false);

    const after = await slipway(['local', 'status', '--data-dir', dataDir]);
    expect(after.code).toBe(1);
    expect(after.stdout).toMatch(/No local server is running/);
  }, 60_000);

  it('registers the approval route: the CDK rules, sending their dispatch body to `slipway deploy dispatch`', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'slipway-cli-'));
    const up = await slipway([
      'local',
      'up',
      '--detach',
      '--auto-promote',
      '--port',
      '0',
      '--data-dir',
      dataDir,
      '--json',
    ]);
    expect(up.code).toBe(0);
    const { url } = JSON.parse(up.stdout) as { url: string };
    const { credentials } = JSON.parse(readFileSync(join(dataDir, 'server.json'), 'utf8')) as ServerFile;
    try {
      for (const route of approvalRoutes('sentiment-models')) {
        const body = JSON.stringify({ Rule: `slipway-sentiment-${route.approvalStatus.toLowerCase()}` });
        const headers = signRequest({
          method: 'POST',
          url,
          headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'AWSEvents.ListTargetsByRule' },
          body,
          credentials,
          region: 'us-east-1',
          service: 'events',
        });
        const response = await fetch(url, { method: 'POST', headers, body });
        const { Targets } = (await response.json()) as {
          Targets: { Id: string; Arn: string; InputTransformer: unknown }[];
        };
        expect(Targets).toEqual([
          {
            Id: 'deploy-workflow',
            Arn: expect.stringMatching(/slipway\.js deploy dispatch --data-dir \S+ --auto-promote$/),
            InputTransformer: route.transformer,
          },
        ]);
      }
    } finally {
      await slipway(['local', 'down', '--data-dir', dataDir]);
    }
  }, 60_000);

  it('says in one line that a port is busy, without a stack trace (foreground and --detach)', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = String((blocker.address() as AddressInfo).port);
    try {
      for (const detach of [[], ['--detach']]) {
        const dataDir = mkdtempSync(join(tmpdir(), 'slipway-cli-'));
        const up = await slipway(['local', 'up', ...detach, '--port', port, '--data-dir', dataDir]);
        expect(up.code).toBe(EXIT_CODES.failure);
        expect(up.stderr.trim().split('\n')).toHaveLength(1);
        expect(up.stderr).toMatch(
          new RegExp(
            `^error: .*port ${port} on 127\\.0\\.0\\.1 is in use by another program: pick another with --port N`,
          ),
        );
        expect(existsSync(join(dataDir, 'server.json'))).toBe(false);
      }
    } finally {
      blocker.close();
    }
  }, 60_000);

  it('says that no server runs when asked for its environment', async () => {
    const env = await slipway(['local', 'env', '--data-dir', mkdtempSync(join(tmpdir(), 'slipway-cli-'))]);
    expect(env.code).toBe(EXIT_CODES.failure);
    expect(env.stderr).toMatch(/has no local server running.*slipway local up --detach/);
  });

  it('refuses a port that is not a number', async () => {
    const bad = await slipway([
      'local',
      'up',
      '--port',
      'eighty',
      '--data-dir',
      mkdtempSync(join(tmpdir(), 'slipway-cli-')),
    ]);
    expect(bad.code).toBe(EXIT_CODES.failure);
    expect(bad.stderr).toMatch(/--port must be a whole number from 0 to 65535, got "eighty"/);
  });
});
