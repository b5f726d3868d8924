#!/usr/bin/env node
// Slipway Studio's figures, in Chromium (Debian's, driven by playwright-core) against a local server with the
// console mounted, every number printed with its target:
//   - the page's bundle, raw and gzipped (target ≤ 500 KB gzipped);
//   - first paint of the console, signed in, warm (target ≤ 300 ms), with the shell and first data after it;
//   - a 500-step DAG laid out (dagre) and drawn, from the `studio:dag` measure the page records (target ≤ 1 s);
//   - a step's status change reaching the page: from the engine's write (the store's change feed, in this
//     process) to the DOM attribute changing (a MutationObserver in the page), same clock (target ≤ 500 ms).
// `node bench/studio.mjs [--runs N]`; `npm run bench -- studio`.
/* global window, document, MutationObserver -- functions passed to page.evaluate run in the browser */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { SageMakerClient, StartPipelineExecutionCommand } from '@aws-sdk/client-sagemaker';
import { chromium } from 'playwright-core';
import { awsClientConfig } from '@slipway/core';
import { silentLogger, startLocalServer } from '@slipway/local';
import { localConsole } from '@slipway/studio';
import { CHROMIUM } from '../scripts/chromium.mjs';
import { bundlePage } from '../studio/scripts/bundle-page.mjs';
import { ROLE, SleepRunner, createPipeline, definition, execute, ms } from './local-lib/harness.mjs';
import { figure } from './lib/figures.mjs';

const runsAt = process.argv.indexOf('--runs');
const runs = runsAt > 0 ? Number(process.argv[runsAt + 1]) : 10;
const kib = (bytes) => `${(bytes / 1024).toFixed(1)} KiB`;
const quantile = (values, q) =>
  [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.ceil(q * values.length) - 1)];
const summary = (values) =>
  `median ${ms(quantile(values, 0.5))}, p95 ${ms(quantile(values, 0.95))}, max ${ms(Math.max(...values))} (${values.length} runs)`;

// 1. The bundle.
const bundle = await bundlePage();
const gzipped = Object.values(bundle.sizes).reduce((sum, size) => sum + size.gzipped, 0);
const raw = Object.values(bundle.sizes).reduce((sum, size) => sum + size.bytes, 0);
console.log(
  `bundle: ${Object.entries(bundle.sizes)
    .map(([name, size]) => `${name} ${kib(size.bytes)} (${kib(size.gzipped)} gz)`)
    .join(', ')}; total ${kib(raw)}, ${kib(gzipped)} gzipped (target ≤ 500 KB gzipped)`,
);
figure({
  name: "the console's page, gzipped",
  value: gzipped / 1000,
  unit: 'KB',
  target: '≤ 500 KB',
  met: gzipped <= 500_000,
});

if (!existsSync(CHROMIUM)) {
  console.log(`NOT RUN: the browser figures need Chromium at ${CHROMIUM} (sudo apt-get install -y chromium)`);
  process.exit(0);
}

const studio = localConsole({ actor: 'bench' });
const dataDir = mkdtempSync(join(tmpdir(), 'slipway-bench-studio-'));
const server = await startLocalServer({
  dataDir,
  runners: { Processing: new SleepRunner('Processing') },
  logger: silentLogger,
  routes: [studio.mount],
});
const sagemaker = new SageMakerClient({
  ...awsClientConfig({ kind: 'local', region: 'us-east-1', endpoint: server.url, credentials: server.credentials }),
  maxAttempts: 1,
});
const bench = { server, sagemaker };
const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox'] });
try {
  const step = (name, dependsOn = [], sleepMs = 0) => ({
    Name: name,
    Type: 'Processing',
    ...(dependsOn.length ? { DependsOn: dependsOn } : {}),
    Arguments: {
      AppSpecification: { ImageUri: 'bench' },
      ProcessingResources: { ClusterConfig: { InstanceCount: 1, InstanceType: 'ml.m5.large', VolumeSizeInGB: 30 } },
      RoleArn: ROLE,
      Environment: { SLEEP_MS: String(sleepMs) },
    },
  });
  // Ten layers of fifty; each step waits for two of the layer before it (about 900 wires).
  const layered = Array.from({ length: 500 }, (_, i) => {
    const layer = Math.floor(i / 50);
    const before = (k) => `Step${(layer - 1) * 50 + k}`;
    return step(`Step${i}`, layer === 0 ? [] : [...new Set([before(i % 50), before((i * 7) % 50)])]);
  });
  await createPipeline(sagemaker, 'dag-500', definition(layered));
  const big = await execute(bench, 'dag-500');
  await createPipeline(
    sagemaker,
    'chain-12',
    definition(Array.from({ length: 12 }, (_, i) => step(`S${i}`, i ? [`S${i - 1}`] : [], 400))),
  );

  const context = await browser.newContext({ viewport: { width: 1440, height: 1000 } });
  const page = await context.newPage();
  await page.goto(studio.link(server.url));
  await page.waitForSelector('table[data-testid=pipelines]');

  // 2. First paint, warm (signed in, the browser's cache primed by the sign-in).
  const paints = { fcp: [], shell: [], data: [] };
  await context.addInitScript(() => {
    const seen = {};
    const observer = new MutationObserver(() => {
      if (!seen.shell && document.querySelector('header.top nav')) seen.shell = performance.now();
      if (!seen.data && document.querySelector('table[data-testid=pipelines] tbody tr')) seen.data = performance.now();
    });
    observer.observe(document, { childList: true, subtree: true });
    window.__studioSeen = seen;
  });
  for (let i = 0; i < runs; i += 1) {
    const fresh = await context.newPage();
    await fresh.goto(`${server.url}/studio/#/pipelines`);
    await fresh.waitForSelector('table[data-testid=pipelines] tbody tr');
    const figures = await fresh.evaluate(() => ({
      fcp: performance.getEntriesByName('first-contentful-paint')[0]?.startTime,
      ...window.__studioSeen,
    }));
    paints.fcp.push(figures.fcp);
    paints.shell.push(figures.shell);
    paints.data.push(figures.data);
    await fresh.close();
  }
  console.log(`first contentful paint: ${summary(paints.fcp)} (target ≤ 300 ms)`);
  const paint = quantile(paints.fcp, 0.5);
  figure({
    name: `the console's first contentful paint, warm (median of ${runs})`,
    value: paint,
    unit: 'ms',
    target: '≤ 300 ms',
    met: paint <= 300,
  });
  console.log(`  the console's shell drawn: ${summary(paints.shell)}; the pipelines listed: ${summary(paints.data)}`);

  // 3. The 500-step DAG.
  const dag = [];
  const whole = [];
  for (let i = 0; i < runs; i += 1) {
    const fresh = await context.newPage();
    const started = performance.now();
    await fresh.goto(`${server.url}/studio/#/execution?arn=${encodeURIComponent(big.arn)}`);
    await fresh.waitForFunction(() => performance.getEntriesByName('studio:dag').length > 0, null, { timeout: 60_000 });
    whole.push(performance.now() - started);
    const nodes = await fresh.locator('svg[data-testid=dag] g.node').count();
    if (nodes !== 500) throw new Error(`the DAG drew ${nodes} steps, not 500`);
    dag.push(await fresh.evaluate(() => performance.getEntriesByName('studio:dag')[0].duration));
    await fresh.close();
  }
  console.log(`500-step DAG (about 900 wires) laid out and drawn: ${summary(dag)} (target ≤ 1000 ms)`);
  const drawn = quantile(dag, 0.5);
  figure({
    name: `a 500-step DAG laid out and drawn (median of ${dag.length})`,
    value: drawn,
    unit: 'ms',
    target: '≤ 1000 ms',
    met: drawn <= 1000,
  });
  console.log(`  from navigation to the drawn DAG, data included: ${summary(whole)}`);

  // 4. Status changes reaching the page.
  const written = new Map();
  let watched = '';
  const stop = server.store.changes.subscribe((changes) => {
    const at = Date.now();
    for (const change of changes) {
      if (change.kind !== 'step' || change.executionArn !== watched) continue;
      const status = server.store.executions.steps(watched).find((s) => s.name === change.stepName)?.status;
      const key = `${change.stepName}:${status}`;
      if (!written.has(key)) written.set(key, at);
    }
  });
  const latencies = [];
  for (let i = 0; i < Math.max(1, Math.ceil(runs / 5)); i += 1) {
    written.clear();
    const started = await sagemaker.send(new StartPipelineExecutionCommand({ PipelineName: 'chain-12' }));
    watched = started.PipelineExecutionArn;
    const fresh = await context.newPage();
    await fresh.addInitScript(() => {
      window.__studioChanges = [];
      const observer = new MutationObserver((mutations) => {
        const at = Date.now();
        for (const mutation of mutations) {
          const nodes = mutation.type === 'attributes' ? [mutation.target] : [...mutation.addedNodes];
          for (const node of nodes) {
            const elements = node.nodeType === 1 ? [node, ...node.querySelectorAll('g.node')] : [];
            for (const element of elements) {
              if (element.matches?.('g.node')) {
                window.__studioChanges.push({ key: `${element.dataset.step}:${element.dataset.status}`, at });
              }
            }
          }
        }
      });
      observer.observe(document, {
        subtree: true,
        childList: true,
        attributes: true,
        attributeFilter: ['data-status'],
      });
    });
    await fresh.goto(`${server.url}/studio/#/execution?arn=${encodeURIComponent(watched)}`);
    await fresh.waitForSelector('g.node[data-step=S0]');
    const loadedAt = Date.now();
    await server.engine.waitFor(watched);
    await fresh.waitForSelector('g.node[data-step=S11][data-status=Succeeded]', { timeout: 30_000 });
    const seen = await fresh.evaluate(() => window.__studioChanges);
    const firstSeen = new Map();
    for (const change of seen) if (!firstSeen.has(change.key)) firstSeen.set(change.key, change.at);
    for (const [key, at] of written) {
      if (at < loadedAt) continue; // changes before the page was there are read, not pushed
      const shown = firstSeen.get(key);
      if (shown !== undefined) latencies.push(shown - at);
    }
    await fresh.close();
  }
  stop();
  console.log(
    `step status change → the page's DAG: ${summary(latencies).replace(/runs\)$/, 'changes)')} (target ≤ 500 ms)`,
  );
  const reached = quantile(latencies, 0.95);
  figure({
    name: `a step's status change reaching the page, p95 of ${latencies.length}`,
    value: reached,
    unit: 'ms',
    target: '≤ 500 ms',
    met: reached <= 500,
  });
} finally {
  await browser.close();
  sagemaker.destroy();
  await server.close();
  rmSync(dataDir, { recursive: true, force: true });
}
