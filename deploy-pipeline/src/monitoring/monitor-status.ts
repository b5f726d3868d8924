import { GetObjectCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import type { ProjectConfig } from '@slipway/core';
import { endpointName } from '../names.js';
import { MONITORING_PREFIX, type FeatureComparison } from './drift-check.js';
import type { RetrainLedgerStore, RetrainRecord } from './retrain-gate.js';

/**
 * What `slipway monitor status` prints and Studio's monitoring page shows, read in one place: each endpoint's
 * newest drift checks (the reports the checks wrote to the artifact bucket) and the retrains the drift route
 * started (the retrain ledger: a file locally, an object in the bucket on AWS).
 */

/** The endpoints a project's drift checks watch: each stage's. */
export function monitoredEndpoints(project: Pick<ProjectConfig, 'projectName' | 'stages'>): string[] {
  return project.stages.map((stage) => endpointName(project, stage));
}

/** One stored check: its window, how many reviews it read, what drifted, and each statistic against baseline. */
export interface StoredCheck {
  readonly endpointName: string;
  readonly checkId: string;
  readonly windowStart: string;
  readonly windowEnd: string;
  readonly itemCount: number;
  readonly drifted: readonly string[];
  readonly features: readonly FeatureComparison[];
  readonly reportS3Uri: string;
}

export interface MonitorStatus {
  /** The endpoints asked about, in the order asked. */
  readonly endpoints: readonly string[];
  /** Each endpoint's newest checks, newest first, endpoint by endpoint. */
  readonly checks: readonly StoredCheck[];
  /** The retrains started by drift of these endpoints, oldest first. */
  readonly retrains: readonly RetrainRecord[];
  /** Where the retrains were read from. */
  readonly retrainLedger: string;
}

export interface MonitorStatusInput {
  readonly s3: S3Client;
  readonly bucket: string;
  readonly endpoints: readonly string[];
  /** Checks per endpoint. */
  readonly limit: number;
  readonly ledger: RetrainLedgerStore;
}

export async function readMonitorStatus(input: MonitorStatusInput): Promise<MonitorStatus> {
  const checks: StoredCheck[] = [];
  for (const endpoint of input.endpoints) {
    checks.push(...(await storedChecks(input.s3, input.bucket, endpoint, input.limit)));
  }
  const wanted = new Set(input.endpoints);
  const retrains = (await input.ledger.read()).retrains.filter((retrain) => wanted.has(retrain.endpointName));
  return { endpoints: [...input.endpoints], checks, retrains, retrainLedger: input.ledger.location };
}

/** The newest `limit` checks of an endpoint, newest first, from the reports in the artifact bucket. */
export async function storedChecks(
  s3: S3Client,
  bucket: string,
  endpoint: string,
  limit: number,
): Promise<StoredCheck[]> {
  const prefix = `${MONITORING_PREFIX}/${endpoint}/`;
  const ids = new Set<string>();
  let token: string | undefined;
  try {
    do {
      const page = await s3.send(
        new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }),
      );
      for (const object of page.Contents ?? []) {
        const [id, file] = object.Key!.slice(prefix.length).split('/');
        if (id && file === 'drift_report.json') ids.add(id);
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
  } catch (error) {
    if ((error as { name?: string }).name === 'NoSuchBucket') return [];
    throw error;
  }
  // Check ids start with the check's time, so the newest sort last.
  const newest = [...ids].sort().reverse().slice(0, limit);
  const checks: StoredCheck[] = [];
  for (const id of newest) {
    const object = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: `${prefix}${id}/drift_report.json` }));
    const report = JSON.parse(await object.Body!.transformToString()) as {
      start_time: string;
      end_time: string;
      item_count: number;
      drifted: string[];
      features: FeatureComparison[];
    };
    checks.push({
      endpointName: endpoint,
      checkId: id,
      windowStart: report.start_time,
      windowEnd: report.end_time,
      itemCount: report.item_count,
      drifted: report.drifted,
      features: report.features,
      reportS3Uri: `s3://${bucket}/${prefix}${id}/`,
    });
  }
  return checks;
}
