import { request as httpRequest } from 'node:http';
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { CreateBucketCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import type { Browser, Page } from 'playwright-core';
import { loadProjectConfig } from '@slipway/core';
import {
  MONITORING_PREFIX,
  RetrainGate,
  localRetrainLedger,
  monitoredEndpoints,
  readMonitorStatus,
  type FeatureComparison,
} from '@slipway/deploy-pipeline';
import { startTestServer, type TestServer } from '../../local/test/support/harness.js';
import { localConsole } from '../src/index.js';
import type { MonitoringView } from '../src/views.js';
import { describeInBrowser, launchBrowser, pageProblems, screenshot } from './support/browser.js';
import { signIn } from './support/console-client.js';
import { REPO_ROOT, ensurePageBundle } from './support/studio-page.js';

/**
 * The monitoring page: each endpoint's last drift checks, the newest one's statistics against the baseline,
 * the violations and the retrains drift started, from the reports in the artifact bucket and the retrain ledger
 * (what `slipway monitor status` reads, by the same reader), behind the console's token and Host checks.
 */

const project = loadProjectConfig({ cwd: REPO_ROOT });
const [staging, prod] = monitoredEndpoints(project) as [string, string];
let t: TestServer;
let link = '';
let token = '';

const feature = (name: string, drifted: boolean, baseline: number, window: number): FeatureComparison => ({
  feature_name: name,
  comparison_method: 'PopulationStabilityIndex',
  distance: drifted ? 0.8123 : 0.0123,
  threshold: 0.2,
  compared: true,
  drifted,
  baseline: { mean: baseline },
  window: { mean: window },
});

/** A drift report as monitoring.py writes it, where runDriftCheck puts it. */
async function putReport(endpoint: string, checkId: string, features: FeatureComparison[]): Promise<void> {
  const report = {
    start_time: `${checkId.slice(0, 10)}T10:00:00Z`,
    end_time: `${checkId.slice(0, 10)}T11:00:00Z`,
    item_count: 2000,
    records_skipped: 0,
    drifted: features.filter((item) => item.drifted).map((item) => item.feature_name),
    features,
  };
  await t.s3.send(
    new PutObjectCommand({
      Bucket: project.artifactBucket,
      Key: `${MONITORING_PREFIX}/${endpoint}/${checkId}/drift_report.json`,
      Body: JSON.stringify(report),
    }),
  );
}

beforeAll(async () => {
  await ensurePageBundle();
  const studio = localConsole({ actor: 'alice', project });
  t = await startTestServer({ routes: [studio.mount] });
  link = studio.link(t.server.url);
  token = new URL(link).searchParams.get('token')!;
  await t.s3.send(new CreateBucketCommand({ Bucket: project.artifactBucket }));
  await putReport(prod, '2026-12-04T110000Z-aaaa', [
    feature('review_length', false, 41.2, 40.9),
    feature('oov_rate', false, 0.05, 0.06),
  ]);
  await putReport(prod, '2026-12-04T120000Z-bbbb', [
    feature('review_length', false, 41.2, 39.8),
    feature('oov_rate', true, 0.05, 0.41),
  ]);
  await new RetrainGate(localRetrainLedger(t.dataDir)).admit({
    endpoint_name: prod,
    model_package_arn: `arn:aws:sagemaker:${project.region}:000000000000:model-package/${project.modelPackageGroupName}/1`,
    check_id: '2026-12-04T120000Z-bbbb',
    window_end: '2026-12-04T12:00:00Z',
    report_s3_uri: `s3://${project.artifactBucket}/${MONITORING_PREFIX}/${prod}/2026-12-04T120000Z-bbbb/`,
    event_id: 'evt-1',
  });
}, 60_000);

afterAll(async () => {
  await t?.close();
});

it("answers what `slipway monitor status` reads, from the same reader, to the console's own client only", async () => {
  const client = await signIn(t.server.url, token);
  const answer = await client.get<MonitoringView>('monitoring');
  expect(answer.status).toBe(200);
  const expected = await readMonitorStatus({
    s3: t.s3,
    bucket: project.artifactBucket,
    endpoints: monitoredEndpoints(project),
    limit: 5,
    ledger: localRetrainLedger(t.dataDir),
  });
  expect(answer.body).toEqual(JSON.parse(JSON.stringify(expected)));
  expect(answer.body.checks.map((check) => [check.endpointName, check.checkId, check.drifted])).toEqual([
    [prod, '2026-12-04T120000Z-bbbb', ['oov_rate']],
    [prod, '2026-12-04T110000Z-aaaa', []],
  ]);
  // No cookie: no answer.
  expect((await fetch(`${t.server.url}/studio/api/monitoring`)).status).toBe(401);
  // The cookie with another Host (DNS rebinding): no answer either.
  const port = new URL(t.server.url).port;
  const status = await new Promise<number>((resolve, reject) => {
    const sent = httpRequest(
      {
        host: '127.0.0.1',
        port,
        path: '/studio/api/monitoring',
        headers: { host: `rebound.example:${port}`, cookie: client.cookie },
      },
      (response) => {
        response.resume();
        resolve(response.statusCode ?? 0);
      },
    );
    sent.on('error', reject);
    sent.end();
  });
  expect(status).toBeGreaterThanOrEqual(400);
  expect(status).not.toBe(404);
});

describeInBrowser('the monitoring page in the browser', () => {
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    browser = await launchBrowser();
    page = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
  });

  it("shows each endpoint's checks, the newest one's statistics against the baseline, the violations and the retrains", async () => {
    const problems = pageProblems(page);
    await page.goto(link);
    await page.getByRole('link', { name: 'Monitoring', exact: true }).click();
    await page.locator(`table[data-testid="statistics-${prod}"]`).waitFor();

    const checks = page.locator(`table[data-testid="checks-${prod}"] tbody tr`);
    expect(await checks.count()).toBe(2);
    expect(await checks.nth(0).getAttribute('data-check')).toBe('2026-12-04T120000Z-bbbb');
    expect(await checks.nth(0).innerText()).toContain('DRIFT in oov_rate');
    expect(await checks.nth(1).innerText()).toContain('no violations');

    const oov = page.locator(`table[data-testid="statistics-${prod}"] tr[data-statistic="oov_rate"]`);
    expect(await oov.getAttribute('data-drifted')).toBe('true');
    const cells = await oov.locator('td').allInnerTexts();
    expect(cells).toEqual(['oov_rate', 'PSI', '0.8123', '0.2', '0.0500', '0.410', 'DRIFT']);
    expect(
      await page
        .locator(`table[data-testid="statistics-${prod}"] tr[data-statistic="review_length"]`)
        .getAttribute('data-drifted'),
    ).toBe('false');

    await page.getByText(`npx slipway monitor run --endpoint ${staging}`).waitFor();

    const retrains = page.locator('table[data-testid=retrains] tbody tr');
    expect(await retrains.count()).toBe(1);
    expect(await retrains.nth(0).innerText()).toContain(prod);
    expect(await retrains.nth(0).getAttribute('data-retrain')).toBe('2026-12-04T120000Z-bbbb');
    await screenshot(page, 'monitoring-01');

    // A drift dispatch admitted now (the drift route's target writes the ledger) shows without a reload.
    await new RetrainGate(localRetrainLedger(t.dataDir)).admit({
      endpoint_name: staging,
      model_package_arn: `arn:aws:sagemaker:${project.region}:000000000000:model-package/${project.modelPackageGroupName}/1`,
      check_id: '2026-12-04T130000Z-cccc',
      window_end: '2026-12-04T13:00:00Z',
      report_s3_uri: `s3://${project.artifactBucket}/${MONITORING_PREFIX}/${staging}/2026-12-04T130000Z-cccc/`,
      event_id: 'evt-2',
    });
    await page.locator('table[data-testid=retrains] tr[data-retrain="2026-12-04T130000Z-cccc"]').waitFor();
    expect(await retrains.count()).toBe(2);
    expect(problems).toEqual([]);
  }, 60_000);
});
