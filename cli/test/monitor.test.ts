/**
 * The drift loop on the local server, end to end with the real pieces: `slipway demo --drift` (the pipeline's
 * Baseline registered with the version, prod's captured traffic, the drift check, the drift route on the local
 * bus, the retrain registering a new version), then `slipway local up` with its drift route as a command target:
 * `monitor run` fires again over the same hour of traffic, and the gate lets no second retrain through within its
 * period; `monitor status` shows the checks and the one retrain.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from '@jest/globals';
import { EXIT_CODES } from '../src/failure.js';
import { runCli } from './support/run-cli.js';

const REPO = join(import.meta.dirname, '..', '..');
const env = { ...process.env, GITHUB_ACTIONS: '', CI: '', AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' };
const scratch = mkdtempSync(join(tmpdir(), 'slipway-monitor-'));
const dataDir = join(scratch, 'data');
const slipway = (args: string[]) => runCli(args, { cwd: REPO, env });

interface Check {
  status: string;
  itemCount: number;
  drifted: { feature: string; distance: number; threshold: number }[];
  checkId: string;
}
interface Ledger {
  seenEventIds: string[];
  retrains: { endpointName: string; checkId: string; outcome?: string }[];
}
const ledger = () => JSON.parse(readFileSync(join(dataDir, 'monitoring', 'retrains.json'), 'utf8')) as Ledger;

afterAll(async () => {
  await slipway(['local', 'down', '--data-dir', dataDir]);
  rmSync(scratch, { recursive: true, force: true });
}, 60_000);

describe('the local drift loop', () => {
  let shiftedCheck: string;

  it('demo --drift: the normal window passes, the shifted one fires naming what moved, and one retrain registers a new version', async () => {
    const result = await slipway(['demo', '--data-dir', dataDir, '--json', '--drift']);
    expect(result.code).toBe(0);
    const summary = JSON.parse(result.stdout) as {
      stages: { name: string; ok: boolean }[];
      facts: {
        drift: { normal: Check; shifted: Check; retrain: { outcome: string; modelPackageArn: string; status: string } };
      };
    };
    expect(summary.stages.at(-1)).toMatchObject({ name: 'drift', ok: true });
    const { normal, shifted, retrain } = summary.facts.drift;
    expect(normal).toMatchObject({ status: 'NoViolations', drifted: [] });
    expect(normal.itemCount).toBeGreaterThan(100);
    expect(shifted.status).toBe('Violations');
    expect(shifted.drifted.map((statistic) => statistic.feature)).toEqual(
      expect.arrayContaining(['oov_rate', 'predicted_label']),
    );
    for (const statistic of shifted.drifted) expect(statistic.distance).toBeGreaterThan(statistic.threshold);
    expect(retrain).toMatchObject({
      outcome: 'pipeline run succeeded',
      modelPackageArn: expect.stringMatching(/\/sentiment-models\/2$/),
      status: 'PendingManualApproval',
    });
    shiftedCheck = shifted.checkId;
    expect(ledger().retrains).toEqual([
      expect.objectContaining({ endpointName: 'sentiment-prod', checkId: shiftedCheck }),
    ]);
  }, 600_000);

  it('monitor run fires again on the same traffic; the route delivers it, and the gate starts no second retrain', async () => {
    const up = await slipway(['local', 'up', '--detach', '--data-dir', dataDir, '--port', '0', '--monitor-every', '0']);
    expect(up.code).toBe(0);
    const run = await slipway([
      'monitor',
      'run',
      '--endpoint',
      'sentiment-prod',
      '--window',
      '60',
      '--data-dir',
      dataDir,
      '--json',
    ]);
    expect(run.code).toBe(0);
    const [check] = (JSON.parse(run.stdout) as { checks: Check[] }).checks;
    expect(check?.status).toBe('Violations');
    // The command target runs `slipway monitor retrain` from the server's outbox: wait for it to handle the event.
    const deadline = Date.now() + 60_000;
    while (ledger().seenEventIds.length < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 250));
    expect(ledger().seenEventIds).toHaveLength(2);
    expect(ledger().retrains.map((retrain) => retrain.checkId)).toEqual([shiftedCheck]);
  }, 180_000);

  it('monitor status shows the checks against the baseline and the retrain they started', async () => {
    const status = await slipway([
      'monitor',
      'status',
      '--endpoint',
      'sentiment-prod',
      '--data-dir',
      dataDir,
      '--json',
    ]);
    expect(status.code).toBe(0);
    const parsed = JSON.parse(status.stdout) as {
      checks: { checkId: string; drifted: string[]; features: { feature_name: string }[] }[];
      retrains: { checkId: string; outcome: string }[];
    };
    expect(parsed.checks).toHaveLength(3);
    expect(parsed.checks.filter((stored) => stored.drifted.length > 0)).toHaveLength(2);
    expect(parsed.checks[0]!.features.map((feature) => feature.feature_name)).toEqual([
      'review_length',
      'oov_rate',
      'predicted_label',
      'confidence',
    ]);
    expect(parsed.retrains).toEqual([
      expect.objectContaining({ checkId: shiftedCheck, outcome: 'pipeline run succeeded' }),
    ]);
    const text = await slipway(['monitor', 'status', '--endpoint', 'sentiment-prod', '--data-dir', dataDir]);
    expect(text.stdout).toMatch(/DRIFT in .*oov_rate/);
    expect(text.stdout).toMatch(/Retrains started by drift:/);
  }, 60_000);

  it('fails on a bad retrain body, naming the field', async () => {
    const body = join(scratch, 'bad-body.json');
    writeFileSync(body, JSON.stringify({ event_type: 'model-drift-detected', client_payload: {} }));
    const bad = await slipway(['monitor', 'retrain', '--data-dir', dataDir, '--input', body]);
    expect(bad.code).toBe(EXIT_CODES.failure);
    expect(bad.stderr).toMatch(/client_payload\.endpoint_name must be a non-empty string/);
  }, 60_000);
});
