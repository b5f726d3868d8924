import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import {
  DescribeEndpointConfigCommand,
  DescribeModelPackageCommand,
  type SageMakerClient,
} from '@aws-sdk/client-sagemaker';
import { ValidationError } from '@slipway/core';
import { readLiveDeployment } from '../deploy/live-deployment.js';
import type { DriftDetectedDetail, DriftedStatistic } from './drift-event.js';

/**
 * One drift check of one endpoint: the captured traffic of a window against the live version's baseline. It
 * follows the endpoint to the version it serves (endpoint → config → model → model package), reads that
 * version's DriftCheckBaselines (statistics.json, constraints.json and vocabulary.txt beside them, as the
 * pipeline's Baseline step wrote them) and the window's captured records from the endpoint's DataCaptureConfig
 * destination, runs seed/monitoring.py's `check` on them, uploads its reports to
 * `s3://<bucket>/monitoring/<endpoint>/<check id>/` and, when a statistic drifted, publishes a Model Drift Detected
 * event. Only SDK calls: the same code checks an endpoint of the local server or of SageMaker.
 */

export const DRIFT_REPORT_FILES = ['drift_report.json', 'constraint_violations.json', 'statistics.json'] as const;
/** Where reports go under the artifact bucket. */
export const MONITORING_PREFIX = 'monitoring';

export interface DriftCheckInput {
  readonly endpointName: string;
  readonly modelPackageGroupName: string;
  readonly windowStart: Date;
  readonly windowEnd: Date;
  /** The bucket the reports are written to (the project's artifact bucket). */
  readonly reportBucket: string;
  /** seed/monitoring.py. */
  readonly script: string;
  /** A Python 3.9+ interpreter (monitoring.py's check needs only the standard library). @default 'python3' */
  readonly python?: string;
}

export interface DriftCheckServices {
  readonly sagemaker: SageMakerClient;
  readonly s3: S3Client;
  /** Publishes the drift event (PutEvents on the default bus). */
  readonly publish: (detail: DriftDetectedDetail) => Promise<void>;
}

/** One statistic's comparison, as drift_report.json gives it. */
export interface FeatureComparison {
  readonly feature_name: string;
  readonly comparison_method: string;
  readonly distance: number;
  readonly threshold: number;
  readonly compared: boolean;
  readonly drifted: boolean;
  readonly baseline: Readonly<Record<string, unknown>>;
  readonly window: Readonly<Record<string, unknown>>;
}

export type DriftCheckStatus = 'NoViolations' | 'Violations' | 'Skipped';

export interface DriftCheckResult {
  readonly checkId: string;
  readonly endpointName: string;
  readonly status: DriftCheckStatus;
  /** Why a check was skipped. */
  readonly reason?: string;
  readonly modelPackageArn?: string;
  readonly windowStart: string;
  readonly windowEnd: string;
  readonly itemCount: number;
  readonly recordsSkipped: number;
  readonly features: readonly FeatureComparison[];
  readonly drifted: readonly DriftedStatistic[];
  readonly reportS3Uri?: string;
  /** Whether a Model Drift Detected event was published. */
  readonly published: boolean;
}

interface DriftReport {
  readonly item_count: number;
  readonly records_skipped: number;
  readonly features: readonly FeatureComparison[];
}

interface Violation {
  readonly feature_name: string;
  readonly description: string;
  readonly comparison_method: string;
  readonly distance: number;
  readonly threshold: number;
}

/** `2026-12-04T10:00:00Z`: the form monitoring.py compares captured inferenceTime values with. */
export function isoSeconds(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function newCheckId(windowEnd: Date): string {
  return `${isoSeconds(windowEnd).replace(/[-:]/g, '')}-${randomUUID().slice(0, 8)}`;
}

function parseS3(uri: string, field: string): { bucket: string; key: string } {
  const match = /^s3:\/\/([^/]+)\/?(.*)$/.exec(uri);
  if (!match) {
    throw new ValidationError({ where: 'drift check', field, problem: `must be an s3:// URI, got "${uri}"` });
  }
  return { bucket: match[1]!, key: match[2]! };
}

async function download(s3: S3Client, bucket: string, key: string, file: string): Promise<void> {
  const object = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  await mkdir(dirname(file), { recursive: true });
  await writeFile(file, await object.Body!.transformToByteArray());
}

/** The hour folders (`yyyy/mm/dd/hh`) a window touches: captured files are filed by the hour they were written. */
export function captureHours(start: Date, end: Date): string[] {
  const two = (n: number) => String(n).padStart(2, '0');
  const hours: string[] = [];
  const cursor = new Date(
    Date.UTC(start.getUTCFullYear(), start.getUTCMonth(), start.getUTCDate(), start.getUTCHours()),
  );
  // A record near the end of an hour can land in the next hour's file (capture flushes every few seconds).
  const last = end.getTime() + 3_600_000;
  for (; cursor.getTime() < last; cursor.setUTCHours(cursor.getUTCHours() + 1)) {
    hours.push(
      `${cursor.getUTCFullYear()}/${two(cursor.getUTCMonth() + 1)}/${two(cursor.getUTCDate())}/${two(cursor.getUTCHours())}`,
    );
  }
  return hours;
}

async function downloadCapture(
  s3: S3Client,
  destination: string,
  endpointName: string,
  start: Date,
  end: Date,
  into: string,
): Promise<number> {
  const { bucket, key } = parseS3(destination, 'DataCaptureConfig.DestinationS3Uri');
  const base = [key.replace(/\/+$/, ''), endpointName].filter(Boolean).join('/');
  const hours = new Set(captureHours(start, end));
  let files = 0;
  let token: string | undefined;
  do {
    const page = await s3.send(
      new ListObjectsV2Command({ Bucket: bucket, Prefix: `${base}/`, ContinuationToken: token }),
    );
    for (const object of page.Contents ?? []) {
      const relative = object.Key!.slice(base.length + 1);
      // <variant>/yyyy/mm/dd/hh/<file>.jsonl
      const parts = relative.split('/');
      if (parts.length !== 6 || !parts[5]!.endsWith('.jsonl') || !hours.has(parts.slice(1, 5).join('/'))) continue;
      if (parts.some((part) => part === '..' || part === '')) continue;
      await download(s3, bucket, object.Key!, join(into, ...parts));
      files += 1;
    }
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  return files;
}

function runScript(python: string, args: readonly string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(python, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.stdout.resume();
    child.on('error', (error) =>
      reject(new Error(`cannot run ${python} (${error.message}): install Python 3, or set the drift check's python`)),
    );
    child.on('close', (code) =>
      code === 0 ? resolve() : reject(new Error(`monitoring.py check exited with ${code}: ${stderr.trim()}`)),
    );
  });
}

/** Runs one drift check (see the module's comment). */
export async function runDriftCheck(input: DriftCheckInput, services: DriftCheckServices): Promise<DriftCheckResult> {
  const { sagemaker, s3 } = services;
  const checkId = newCheckId(input.windowEnd);
  const window = { windowStart: isoSeconds(input.windowStart), windowEnd: isoSeconds(input.windowEnd) };
  const skipped = (reason: string, modelPackageArn?: string): DriftCheckResult => ({
    checkId,
    endpointName: input.endpointName,
    status: 'Skipped',
    reason,
    ...(modelPackageArn ? { modelPackageArn } : {}),
    ...window,
    itemCount: 0,
    recordsSkipped: 0,
    features: [],
    drifted: [],
    published: false,
  });
  if (input.windowEnd <= input.windowStart) {
    throw new ValidationError({
      where: 'drift check',
      field: 'window',
      problem: `must end after it starts, got ${window.windowStart} to ${window.windowEnd}`,
    });
  }
  const live = await readLiveDeployment(sagemaker, input.endpointName);
  if (!live) {
    throw new ValidationError({
      where: 'drift check',
      field: 'endpoint',
      problem: `"${input.endpointName}" does not exist`,
      fix: 'name an endpoint that `slipway endpoints list` shows',
    });
  }
  if (!live.modelPackageArn) return skipped('the endpoint serves a model that was not created from a model package');
  const modelPackage = await sagemaker.send(
    new DescribeModelPackageCommand({ ModelPackageName: live.modelPackageArn }),
  );
  const quality = modelPackage.DriftCheckBaselines?.ModelDataQuality;
  const statisticsUri = quality?.Statistics?.S3Uri;
  const constraintsUri = quality?.Constraints?.S3Uri;
  if (!statisticsUri || !constraintsUri) {
    return skipped(
      'the live version has no DriftCheckBaselines.ModelDataQuality (registered before the Baseline step): retrain to get one',
      live.modelPackageArn,
    );
  }
  const config = await sagemaker.send(
    new DescribeEndpointConfigCommand({ EndpointConfigName: live.endpointConfigName }),
  );
  const capture = config.DataCaptureConfig;
  if (!capture || capture.EnableCapture === false || !capture.DestinationS3Uri) {
    return skipped(
      'the endpoint captures no data (its stage config has dataCapture.enabled false)',
      live.modelPackageArn,
    );
  }

  const work = await mkdtemp(join(tmpdir(), 'slipway-drift-'));
  try {
    const baselineDir = join(work, 'baseline');
    const statistics = parseS3(statisticsUri, 'DriftCheckBaselines.ModelDataQuality.Statistics.S3Uri');
    const constraints = parseS3(constraintsUri, 'DriftCheckBaselines.ModelDataQuality.Constraints.S3Uri');
    await download(s3, statistics.bucket, statistics.key, join(baselineDir, 'statistics.json'));
    await download(s3, constraints.bucket, constraints.key, join(baselineDir, 'constraints.json'));
    const vocabularyKey = [dirname(statistics.key), 'vocabulary.txt'].filter((part) => part !== '.').join('/');
    await download(s3, statistics.bucket, vocabularyKey, join(baselineDir, 'vocabulary.txt'));
    const captureDir = join(work, 'capture');
    await mkdir(captureDir, { recursive: true });
    await downloadCapture(
      s3,
      capture.DestinationS3Uri,
      input.endpointName,
      input.windowStart,
      input.windowEnd,
      captureDir,
    );
    const outputDir = join(work, 'output');
    await runScript(input.python ?? 'python3', [
      input.script,
      'check',
      '--baseline-dir',
      baselineDir,
      '--capture-dir',
      captureDir,
      '--start-time',
      window.windowStart,
      '--end-time',
      window.windowEnd,
      '--output-dir',
      outputDir,
    ]);
    const report = JSON.parse(await readFile(join(outputDir, 'drift_report.json'), 'utf8')) as DriftReport;
    const violations = (
      JSON.parse(await readFile(join(outputDir, 'constraint_violations.json'), 'utf8')) as { violations: Violation[] }
    ).violations;
    const prefix = `${MONITORING_PREFIX}/${input.endpointName}/${checkId}`;
    for (const file of DRIFT_REPORT_FILES) {
      await s3.send(
        new PutObjectCommand({
          Bucket: input.reportBucket,
          Key: `${prefix}/${file}`,
          Body: await readFile(join(outputDir, file)),
          ContentType: 'application/json',
        }),
      );
    }
    const reportS3Uri = `s3://${input.reportBucket}/${prefix}/`;
    const drifted: DriftedStatistic[] = violations.map((violation) => ({
      feature: violation.feature_name,
      method: violation.comparison_method,
      distance: violation.distance,
      threshold: violation.threshold,
      change: violation.description.replace(/^.*?threshold: [0-9.e+-]+\. /, ''),
    }));
    if (drifted.length > 0) {
      await services.publish({
        ModelPackageGroupName: input.modelPackageGroupName,
        EndpointName: input.endpointName,
        ModelPackageArn: live.modelPackageArn,
        CheckId: checkId,
        ...{ WindowStart: window.windowStart, WindowEnd: window.windowEnd },
        ItemCount: report.item_count,
        Drifted: drifted,
        ReportS3Uri: reportS3Uri,
      });
    }
    return {
      checkId,
      endpointName: input.endpointName,
      status: drifted.length > 0 ? 'Violations' : 'NoViolations',
      modelPackageArn: live.modelPackageArn,
      ...window,
      itemCount: report.item_count,
      recordsSkipped: report.records_skipped,
      features: report.features,
      drifted,
      reportS3Uri,
      published: drifted.length > 0,
    };
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}
