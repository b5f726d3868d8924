import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import type { Browser, Page } from 'playwright-core';
import { isProcessAlive } from '@slipway/core';
import { runCli } from '../../cli/test/support/run-cli.js';
import { describeInBrowser, launchBrowser, pageProblems, screenshot } from './support/browser.js';
import { REPO_ROOT, ensurePageBundle } from './support/studio-page.js';

/**
 * The whole loop in the console, in Chromium, against `slipway local up --detach` as a person starts it
 * (the console mounted on the server's port, the approval route running the deploy workflow as a command):
 * watch the pipeline's DAG reach Succeeded, read a step's log, approve the version with a reason, watch
 * staging become InService and pass its tests, promote, invoke prod from the form; then run again from the
 * console, approve that version, reject it and watch the rollback. Screenshots of each page go to
 * .cache/test/studio-screenshots/.
 */

const env = { ...process.env, GITHUB_ACTIONS: '', CI: '', AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' };
const dataDir = mkdtempSync(join(tmpdir(), 'slipway-studio-loop-'));
const slipway = (args: string[]) => runCli([...args, '--data-dir', dataDir], { env, cwd: REPO_ROOT });

async function json<T>(args: string[]): Promise<T> {
  const result = await slipway([...args, '--json']);
  if (result.code !== 0) throw new Error(`slipway ${args.join(' ')} exited ${result.code}: ${result.stderr}`);
  return JSON.parse(result.stdout) as T;
}

const MINUTE = 60_000;

describeInBrowser('the loop in Slipway Studio', () => {
  let browser: Browser;
  let page: Page;
  let problems: string[];
  let pid = 0;
  let link = '';
  let base = '';

  beforeAll(async () => {
    // The detached server runs the compiled CLI (`cli/bin/slipway.js`), which serves the bundled page.
    const built = spawnSync(process.execPath, [join('node_modules', 'typescript', 'bin', 'tsc'), '-b', 'cli'], {
      cwd: REPO_ROOT,
      encoding: 'utf8',
    });
    expect(built.stdout + built.stderr).toBe('');
    await ensurePageBundle();
    browser = await launchBrowser();
    page = await browser.newPage({ viewport: { width: 1440, height: 1000 } });
    problems = pageProblems(page);
  }, 3 * MINUTE);

  afterAll(async () => {
    await browser?.close();
    await slipway(['local', 'down']);
    if (pid && isProcessAlive(pid)) process.kill(pid, 'SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
  }, MINUTE);

  it(
    'local up prints the console link; opening it signs the browser in',
    async () => {
      const up = await json<{ pid: number; url: string; console: string }>(['local', 'up', '--detach', '--port', '0']);
      pid = up.pid;
      link = up.console;
      expect(link).toMatch(new RegExp(`^${up.url}/studio/\\?token=[A-Za-z0-9_%-]{43,}$`));
      base = `${up.url}/studio/`;
      const opened = await json<{ link: string; opened: boolean }>(['studio', '--no-open']);
      expect(opened).toEqual({ link, opened: false });
      await page.goto(link);
      // The token leaves the address bar at once.
      expect(page.url()).toBe(base);
      await page.getByText('No pipelines yet').waitFor();
      await screenshot(page, '01-pipelines-empty');
    },
    MINUTE,
  );

  it(
    'shows the pipeline run live: the DAG reaches Succeeded, a step log streams',
    async () => {
      const run = json<{ modelPackageArn: string; executionArn: string }>(['pipeline', 'run']);
      // The pipeline appears without a reload: the page hears of it on its event stream.
      await page.getByRole('link', { name: 'sentiment-pipeline', exact: true }).click({ timeout: MINUTE });
      await page.locator('table[data-testid=executions] tbody tr').first().waitFor({ timeout: MINUTE });
      await screenshot(page, '02-pipeline');
      await page.locator('table[data-testid=executions] tbody tr td:nth-child(2) a').first().click();
      await page.locator('svg[data-testid=dag] g.node').first().waitFor();
      await page.locator('g.node[data-step=Train]').click();
      // The training log streams while the job runs, then ends.
      await page.locator('[data-testid=job-log]', { hasText: 'validation_accuracy=' }).waitFor({ timeout: 2 * MINUTE });
      await page.locator('[data-testid=job-log][data-state=ended]').waitFor({ timeout: 2 * MINUTE });
      for (const step of ['Preprocess', 'Train', 'Evaluate', 'CheckAccuracy', 'RegisterModel', 'CreateModel']) {
        await page.locator(`g.node[data-step=${step}][data-status=Succeeded]`).waitFor({ timeout: 2 * MINUTE });
      }
      await page.locator('g.node[data-step=AccuracyTooLow][data-status=NotRun]').waitFor();
      await page.locator('h1 .status', { hasText: 'Succeeded' }).waitFor({ timeout: MINUTE });
      const result = await run;
      expect(result.modelPackageArn).toMatch(/sentiment-models\/1$/);
      await screenshot(page, '03-execution-dag-and-log');
      // An output opens as a preview: the CSV the Preprocess step wrote.
      await page.locator('g.node[data-step=Preprocess]').click();
      await page.locator('[data-testid=step-panel] a', { hasText: /Preprocess\/output\/train$/ }).click();
      await page.locator('[data-testid=object-listing] a').first().click();
      await page.locator('[data-testid=csv-preview] tbody tr').first().waitFor();
      await screenshot(page, '04-object-preview');
    },
    5 * MINUTE,
  );

  it(
    'approves the version with a reason; staging deploys, passes its tests and waits at the gate',
    async () => {
      await page.goto(`${base}#/registry/sentiment-models`);
      await page.locator('table[data-testid=model-versions] tbody tr').first().waitFor();
      await page.locator('table[data-testid=model-versions] thead', { hasText: 'accuracy' }).waitFor();
      await screenshot(page, '05-model-versions');
      await page.getByRole('link', { name: 'v1', exact: true }).click();
      await page.locator('[data-testid=confusion-matrix]').waitFor();
      await page.locator('textarea[name=reason]').fill('accuracy and per-class recall reviewed');
      await page.getByTestId('approve').click();
      await page.locator('h1 .status', { hasText: 'Approved' }).waitFor();
      await page.getByTestId('approval-history').getByText('accuracy and per-class recall reviewed').waitFor();
      await screenshot(page, '06-model-version-approved');

      await page.getByRole('link', { name: 'Deployments', exact: true }).click();
      await page.locator('[data-stage=staging][data-status=InService]').waitFor({ timeout: 3 * MINUTE });
      expect(await page.getByTestId('stage-version-staging').textContent()).toBe('v1');
      const run = page.locator('article.run[data-run="1"]');
      await run.locator('li[data-job=test][data-conclusion=success]').waitFor({ timeout: 2 * MINUTE });
      await run.locator('li[data-job=prod][data-status=waiting]').waitFor({ timeout: MINUTE });
      await screenshot(page, '07-deployments-waiting');
    },
    6 * MINUTE,
  );

  it(
    'promotes to prod and invokes it from the form',
    async () => {
      await page.getByTestId('promote').click();
      await page.locator('article.run[data-run="1"][data-conclusion=success]').waitFor({ timeout: 3 * MINUTE });
      await page.locator('[data-stage=prod][data-status=InService]').waitFor({ timeout: MINUTE });
      expect(await page.getByTestId('stage-version-prod').textContent()).toBe('v1');
      await screenshot(page, '08-deployments-promoted');

      await page.getByRole('link', { name: 'sentiment-prod', exact: true }).click();
      await page.getByTestId('invoke-form').waitFor();
      await page.locator('textarea[name=review]').fill('Broke after one day and the seller never answered.');
      await page.getByTestId('invoke').click();
      await page.getByTestId('invoke-answer').filter({ hasText: 'negative' }).waitFor({ timeout: MINUTE });
      expect(await page.getByTestId('invoke-latency').textContent()).toMatch(/^\d+\.\d ms$/);
      // The latency chart takes the invocation in, live.
      await page.locator('[data-testid=latency-chart] circle').first().waitFor({ timeout: MINUTE });
      await page.locator('table[data-testid=variants]', { hasText: 'v1' }).waitFor();
      await screenshot(page, '09-endpoint-invoked');
    },
    5 * MINUTE,
  );

  it(
    'runs again from the console, approves that version, rejects it and shows the rollback',
    async () => {
      await page.goto(`${base}#/pipelines/sentiment-pipeline`);
      await page.getByTestId('start-execution').click();
      await page.locator('[data-testid=start-form] select[name=ModelApprovalStatus]').waitFor();
      await screenshot(page, '10-start-form');
      await page.locator('[data-testid=start-form] button[type=submit]').click();
      await page.locator('svg[data-testid=dag]').waitFor();
      await page.locator('h1 .status', { hasText: 'Succeeded' }).waitFor({ timeout: 3 * MINUTE });
      await page.locator('g.node.cached[data-step=Train]').waitFor();

      await page.goto(`${base}#/registry/sentiment-models`);
      await page.getByRole('link', { name: 'v2', exact: true }).click();
      await page.locator('textarea[name=reason]').fill('retrained on the same data');
      await page.getByTestId('approve').click();
      await page.locator('h1 .status', { hasText: 'Approved' }).waitFor();
      await page.getByRole('link', { name: 'Deployments', exact: true }).click();
      await page
        .locator('article.run[data-run="2"] li[data-job=prod][data-status=waiting]')
        .waitFor({ timeout: 3 * MINUTE });
      await page.locator('[data-testid=stage-version-staging]', { hasText: /^v2$/ }).waitFor({ timeout: MINUTE });

      await page.getByRole('link', { name: 'v2', exact: true }).first().click();
      await page.locator('textarea[name=reason]').fill('complaints from users');
      await page.getByTestId('reject').click();
      await page.locator('h1 .status', { hasText: 'Rejected' }).waitFor();
      await page.getByRole('link', { name: 'Deployments', exact: true }).click();
      const rollback = page.locator('article.run[data-run="3"]');
      await rollback.locator('.rollback', { hasText: 'replaces sentiment-models v2' }).waitFor({ timeout: 2 * MINUTE });
      await rollback.locator('li[data-job=staging][data-conclusion=success]').waitFor({ timeout: 2 * MINUTE });
      await page.locator('[data-testid=stage-version-staging]', { hasText: /^v1$/ }).waitFor({ timeout: MINUTE });
      await page.locator('article.run[data-run="2"][data-conclusion=cancelled]').waitFor();
      await screenshot(page, '11-rollback');
    },
    8 * MINUTE,
  );

  it(
    'compares the two executions side by side',
    async () => {
      await page.goto(`${base}#/pipelines/sentiment-pipeline`);
      const boxes = page.locator('table[data-testid=executions] input[type=checkbox]');
      await boxes.nth(0).check();
      await boxes.nth(1).check();
      await page.getByTestId('compare-link').click();
      await page.getByTestId('compare-metrics').getByText('accuracy', { exact: true }).waitFor();
      await page.getByTestId('compare-steps').getByText('(cache hit)').first().waitFor();
      await screenshot(page, '12-compare');
      expect(problems).toEqual([]);
    },
    2 * MINUTE,
  );
});
