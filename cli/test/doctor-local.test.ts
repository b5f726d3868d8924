import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from '@jest/globals';
import {
  DeleteRuleCommand,
  EventBridgeClient,
  ListTargetsByRuleCommand,
  RemoveTargetsCommand,
} from '@aws-sdk/client-eventbridge';
import { awsClientConfig } from '@slipway/core';
import type { DoctorCheck } from '@slipway/deploy-pipeline';
import { readServerFile } from '@slipway/local';
import { REPO_ROOT } from '../../deploy-pipeline/test/support/moto-server.js';
import { runCli } from './support/run-cli.js';

const doctor = async (dataDir: string, env: NodeJS.ProcessEnv = process.env) => {
  const result = await runCli(['doctor', '--local', '--data-dir', dataDir, '--json'], { cwd: REPO_ROOT, env });
  const checks = (JSON.parse(result.stdout) as { checks: DoctorCheck[] }).checks;
  return {
    code: result.code,
    lines: checks.map((c) => `${c.ok ? '✓' : c.skipped ? '-' : '✗'} ${c.name}: ${c.detail}`),
  };
};

describe('slipway doctor --local', () => {
  beforeAll(() => {
    // `local up --detach` starts cli/bin/slipway.js, the compiled CLI: build it (quick when current).
    const built = spawnSync(process.execPath, [join('node_modules', 'typescript', 'bin', 'tsc'), '-b', 'cli'], {
      cwd: REPO_ROOT,
      encoding: 'utf8',
    });
    expect(built.stdout + built.stderr).toBe('');
  }, 180_000);

  it('with no server: the runtimes, and the server to start, and what it could not check', async () => {
    const { code, lines } = await doctor(mkdtempSync(join(tmpdir(), 'slipway-doctor-')));
    expect(code).toBe(1);
    expect(lines).toEqual([
      expect.stringMatching(/^✓ runtime for sagemaker-scikit-learn:.*: sklearn-[\d.-]+, built$/),
      expect.stringMatching(/^✗ local server: none runs for /),
      '- approval rules: they live on the local server, and none runs',
    ]);
  });

  it('a runtime that is not built is named, with the command that builds it', async () => {
    const env = { ...process.env, SLIPWAY_RUNTIME_DIR: mkdtempSync(join(tmpdir(), 'slipway-runtimes-')) };
    const result = await runCli(['doctor', '--local', '--data-dir', mkdtempSync(join(tmpdir(), 'd-'))], {
      cwd: REPO_ROOT,
      env,
    });
    expect(result.stdout).toMatch(
      /✗ runtime for sagemaker-scikit-learn:\S+: sklearn-\S+ is not built\n\s+fix: npx slipway local runtimes build sklearn-/,
    );
  });

  it('with `local up`: the server answers and both approval rules target the deploy workflow', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'slipway-doctor-'));
    const up = await runCli(['local', 'up', '--detach', '--port', '0', '--data-dir', dataDir], { cwd: REPO_ROOT });
    expect(up.code).toBe(0);
    try {
      const { code, lines } = await doctor(dataDir);
      expect(lines).toEqual([
        expect.stringMatching(/^✓ runtime for /),
        expect.stringMatching(/^✓ local server: http:\/\/127\.0\.0\.1:\d+ \(pid \d+\) answers$/),
        expect.stringMatching(/^✓ approval rule slipway-\S+-approved: ENABLED, → deploy-workflow$/),
        expect.stringMatching(/^✓ approval rule slipway-\S+-rejected: ENABLED, → deploy-workflow$/),
      ]);
      expect(code).toBe(0);

      // The approved rule deleted from the local bus: named, with the fix.
      const server = (await readServerFile(dataDir))!;
      const events = new EventBridgeClient(
        awsClientConfig({
          kind: 'local',
          region: server.region,
          endpoint: server.url,
          credentials: server.credentials,
        }),
      );
      const approved = lines[2]!.match(/approval rule (\S+):/)![1]!;
      const { Targets = [] } = await events.send(new ListTargetsByRuleCommand({ Rule: approved }));
      await events.send(new RemoveTargetsCommand({ Rule: approved, Ids: Targets.map((target) => target.Id!) }));
      await events.send(new DeleteRuleCommand({ Name: approved }));
      events.destroy();
      const broken = await runCli(['doctor', '--local', '--data-dir', dataDir], { cwd: REPO_ROOT });
      expect(broken.code).toBe(1);
      expect(broken.stdout).toContain(
        `✗ approval rule ${approved}: is not on the local event bus\n      fix: restart the server: npx slipway local up --detach`,
      );
    } finally {
      await runCli(['local', 'down', '--data-dir', dataDir], { cwd: REPO_ROOT });
    }
  }, 120_000);
});
