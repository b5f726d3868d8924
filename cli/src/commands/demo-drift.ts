import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ListModelPackagesCommand } from '@aws-sdk/client-sagemaker';
import { InvokeEndpointCommand, SageMakerRuntimeClient } from '@aws-sdk/client-sagemaker-runtime';
import { awsClientConfig } from '@slipway/core';
import { endpointName, type DriftCheckResult } from '@slipway/deploy-pipeline';
import { localBackend } from '../local-connection.js';
import { checkEndpoints, retrainGate } from '../local-monitoring.js';
import { required, type DemoContext, type DemoStage } from './demo-context.js';

/**
 * `npm run demo -- --drift`: after the loop, prod gets 2,000 reviews like the training data, then 2,000 shifted
 * ones (other words, mostly negative); a drift check runs over each window. The normal window passes; the shifted
 * one fires, its event goes through the local drift route (the CDK rule's pattern and dispatch body) to the
 * retrain target, which runs the pipeline and registers a new version, PendingManualApproval.
 */

/** Reviews per window, and per request (capture samples requests, so a window keeps about a fifth of them). */
const WINDOW_REVIEWS = 2000;
const REVIEWS_PER_REQUEST = 10;
/** The generator's seed for the demo's traffic: the same kind of reviews as seed/data, not the same ones. */
const TRAFFIC_SEED = 20261204;
/** Words the review generator never writes: the shifted reviews talk about something else. */
const FOREIGN_WORDS = (
  'kernel dashboard onboarding webhook latency throughput subscription invoice tenant kubernetes cluster ' +
  'terraform telemetry sidecar ingress quota billing refactor microservice serverless gateway throttling'
).split(' ');
/** Longer than the capture's flush interval, so a window's records are stored before it is checked. */
const CAPTURE_SETTLE_MS = 1500;
const RETRAIN_TIMEOUT_MS = 15 * 60_000;

interface Review {
  readonly text: string;
  readonly stars: number;
}

/** `review_text` and `star_rating` of the generator's CSV (RFC 4180: quoted fields, doubled quotes, newlines). */
export function parseReviewsCsv(text: string): Review[] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let index = 0; index < text.length; index += 1) {
    const char = text[index]!;
    if (quoted) {
      if (char === '"' && text[index + 1] === '"') {
        field += '"';
        index += 1;
      } else if (char === '"') quoted = false;
      else field += char;
    } else if (char === '"') quoted = true;
    else if (char === ',') {
      row.push(field);
      field = '';
    } else if (char === '\n' || char === '\r') {
      if (char === '\r' && text[index + 1] === '\n') index += 1;
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
    } else field += char;
  }
  if (field !== '' || row.length > 0) rows.push([...row, field]);
  const [header, ...records] = rows;
  const textColumn = header?.indexOf('review_text') ?? -1;
  const starsColumn = header?.indexOf('star_rating') ?? -1;
  if (textColumn < 0 || starsColumn < 0)
    throw new Error('the generated reviews have no review_text, star_rating header');
  return records
    .map((record) => ({ text: (record[textColumn] ?? '').trim(), stars: Number(record[starsColumn]) }))
    .filter(
      (review) =>
        // The generator writes a few reviews that are only markup: the endpoint refuses those, as it should.
        /\w\w/.test(review.text.replace(/<[^>]*>/g, ' ')) &&
        Number.isInteger(review.stars) &&
        review.stars >= 1 &&
        review.stars <= 5,
    );
}

/** Reviews like the training data, from the project's own generator with another seed. */
function generateReviews(rootDir: string, rows: number): Review[] {
  const dir = mkdtempSync(join(tmpdir(), 'slipway-drift-demo-'));
  try {
    const out = join(dir, 'reviews.csv');
    const script = join(rootDir, 'seed', 'data', 'generate_reviews.py');
    const result = spawnSync(
      'python3',
      [script, '--rows', String(rows), '--seed', String(TRAFFIC_SEED), '--out', out],
      {
        encoding: 'utf8',
      },
    );
    if (result.status !== 0) throw new Error(`generate_reviews.py failed: ${result.stderr || result.error?.message}`);
    return parseReviewsCsv(readFileSync(out, 'utf8'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Negative reviews (another class mix), each with a sentence of words the model never saw. */
function shift(reviews: readonly Review[], count: number): string[] {
  const negatives = reviews.filter((review) => review.stars <= 2).map((review) => review.text);
  let state = 7;
  const next = () => (state = (state * 48271) % 2147483647);
  return Array.from({ length: count }, (_, index) => {
    const words = Array.from({ length: 6 + (next() % 9) }, () => FOREIGN_WORDS[next() % FOREIGN_WORDS.length]);
    return `${negatives[index % negatives.length]} The ${words.join(' ')}.`;
  });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The next whole second: captured records carry their time to the second, so windows start on one. */
async function secondBoundary(): Promise<Date> {
  const next = Math.ceil((Date.now() + 1) / 1000) * 1000;
  await sleep(next - Date.now());
  return new Date(next);
}

async function send(runtime: SageMakerRuntimeClient, endpoint: string, texts: readonly string[]): Promise<void> {
  for (let start = 0; start < texts.length; start += REVIEWS_PER_REQUEST) {
    await runtime.send(
      new InvokeEndpointCommand({
        EndpointName: endpoint,
        ContentType: 'application/json',
        Accept: 'application/json',
        Body: new TextEncoder().encode(JSON.stringify({ instances: texts.slice(start, start + REVIEWS_PER_REQUEST) })),
      }),
    );
  }
}

function report(context: DemoContext, label: string, result: DriftCheckResult): void {
  const output = context.cli.output;
  output.line(
    `  ${label}: ${result.itemCount} captured reviews → ${result.status}` +
      (result.reason ? ` (${result.reason})` : '') +
      (result.drifted.length > 0
        ? `: ${result.drifted.map((d) => `${d.feature} ${d.distance.toFixed(2)} > ${d.threshold}`).join(', ')}`
        : ''),
    result.status === 'Violations' ? 'bad' : 'good',
  );
}

export const driftStage: DemoStage = {
  name: 'drift',
  title: 'Send normal, then shifted reviews to prod; check each window for drift; a drift retrains',
  async run(context) {
    if (context.waitingForPromotion) return { skipped: 'prod waits for promotion' };
    const connection = required(context.connection, 'server');
    const clients = required(context.clients, 'server');
    const backend = localBackend(connection, context.config.region);
    const endpoint = endpointName(context.config, context.config.stages.at(-1) ?? 'prod');
    const reviews = generateReviews(context.config.rootDir, Math.ceil(WINDOW_REVIEWS * 1.05));
    const normal = reviews.slice(0, WINDOW_REVIEWS).map((review) => review.text);
    const shifted = shift(reviews, WINDOW_REVIEWS);
    const runtime = new SageMakerRuntimeClient(awsClientConfig(backend));
    const check = (windowStart: Date, windowEnd: Date) =>
      checkEndpoints({
        project: context.config,
        backend,
        endpoints: [endpoint],
        windowMinutes: 0,
        windowStart,
        now: windowEnd,
      });
    const before = await clients.sagemaker.send(
      new ListModelPackagesCommand({
        ModelPackageGroupName: context.config.modelPackageGroupName,
        SortBy: 'CreationTime',
        SortOrder: 'Descending',
        MaxResults: 1,
      }),
    );
    const newestBefore = before.ModelPackageSummaryList?.[0]?.ModelPackageArn;
    try {
      const t0 = await secondBoundary();
      await send(runtime, endpoint, normal);
      await sleep(CAPTURE_SETTLE_MS);
      const t1 = await secondBoundary();
      await send(runtime, endpoint, shifted);
      await sleep(CAPTURE_SETTLE_MS);
      const t2 = await secondBoundary();
      const [first] = await check(t0, t1);
      report(context, `normal window  (${WINDOW_REVIEWS} reviews sent)`, first!);
      const [second] = await check(t1, t2);
      report(context, `shifted window (${WINDOW_REVIEWS} reviews sent)`, second!);
      context.facts['drift'] = { endpoint, normal: first, shifted: second };
      if (first!.status !== 'NoViolations')
        throw new Error(`the normal window should pass its drift check, got ${first!.status}`);
      if (second!.status !== 'Violations')
        throw new Error(`the shifted window should fail its drift check, got ${second!.status}`);
      // The drift route's target runs the pipeline; wait for its outcome in the retrain ledger.
      const gate = retrainGate(context.dataDir);
      const deadline = Date.now() + RETRAIN_TIMEOUT_MS;
      let outcome: string | undefined;
      while (Date.now() < deadline) {
        outcome = (await gate.retrains()).find((retrain) => retrain.checkId === second!.checkId)?.outcome;
        if (outcome) break;
        await sleep(500);
      }
      if (!outcome) throw new Error(`the retrain did not finish within ${RETRAIN_TIMEOUT_MS / 60_000} min`);
      const after = await clients.sagemaker.send(
        new ListModelPackagesCommand({
          ModelPackageGroupName: context.config.modelPackageGroupName,
          SortBy: 'CreationTime',
          SortOrder: 'Descending',
          MaxResults: 1,
        }),
      );
      const registered = after.ModelPackageSummaryList?.[0];
      if (!registered || registered.ModelPackageArn === newestBefore) {
        throw new Error(`the retrain registered no new version (${outcome})`);
      }
      context.facts['drift'] = {
        ...(context.facts['drift'] as object),
        retrain: { outcome, modelPackageArn: registered.ModelPackageArn, status: registered.ModelApprovalStatus },
      };
      context.cli.output.line(
        `  drift event → model-drift-detected → retrain: ${outcome}; registered ${registered.ModelPackageArn} (${registered.ModelApprovalStatus})`,
        'good',
      );
    } finally {
      runtime.destroy();
    }
  },
};
