import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { parseModelPackageArn, type ProjectConfig } from '@slipway/core';

/**
 * The deployment journal: one small JSON object per change of what a stage serves, written by `deployStage`
 * into the artifact bucket under `deployments/<stage>/`, on AWS and locally alike. It is what `slipway deploy
 * history` reads (which version served each stage from when to when, which run deployed it, rollbacks) and
 * what `slipway deploy rollback` goes back along. Objects are never rewritten: a key names the time and the
 * version, and the bucket is versioned.
 */
export const DEPLOYMENTS_PREFIX = 'deployments/';

export type DeploymentKind = 'deploy' | 'rollback';

export interface DeploymentRecord {
  readonly stage: string;
  readonly endpointName: string;
  /** The version the stage serves from `at` on. */
  readonly modelPackageArn: string;
  readonly version: number;
  /** The version it served before, if any. */
  readonly replaced?: string;
  /** `rollback`: a rejection's rollback or `slipway deploy rollback`; `deploy` otherwise. */
  readonly kind: DeploymentKind;
  /** What deployed it: the GitHub run's URL, `run #N` of the local workflow, or a person's command. */
  readonly deployedBy?: string;
  /** ISO 8601, when the stage started serving the version. */
  readonly at: string;
}

type Project = Pick<ProjectConfig, 'artifactBucket'>;

/** `deployments/<stage>/<yyyymmddThhmmssmmmZ>-v<version>.json`: sorted by time within a stage. */
export function deploymentRecordKey(record: Pick<DeploymentRecord, 'stage' | 'at' | 'version'>): string {
  const compact = record.at.replace(/[-:]/g, '').replace('.', '');
  return `${DEPLOYMENTS_PREFIX}${record.stage}/${compact}-v${record.version}.json`;
}

/** Appends one record to the journal. */
export async function recordDeployment(
  s3: S3Client,
  project: Project,
  record: Omit<DeploymentRecord, 'version'>,
): Promise<DeploymentRecord> {
  const full: DeploymentRecord = { ...record, version: parseModelPackageArn(record.modelPackageArn).version };
  await s3.send(
    new PutObjectCommand({
      Bucket: project.artifactBucket,
      Key: deploymentRecordKey(full),
      Body: `${JSON.stringify(full, null, 2)}\n`,
      ContentType: 'application/json',
    }),
  );
  return full;
}

/** The journal's records, oldest first; of one stage when `stage` is given. */
export async function readDeployments(s3: S3Client, project: Project, stage?: string): Promise<DeploymentRecord[]> {
  const prefix = `${DEPLOYMENTS_PREFIX}${stage !== undefined ? `${stage}/` : ''}`;
  const keys: string[] = [];
  let token: string | undefined;
  do {
    const page = await s3.send(
      new ListObjectsV2Command({
        Bucket: project.artifactBucket,
        Prefix: prefix,
        ...(token ? { ContinuationToken: token } : {}),
      }),
    );
    for (const object of page.Contents ?? []) if (object.Key?.endsWith('.json')) keys.push(object.Key);
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  const records = await Promise.all(
    keys.map(async (key) => {
      const object = await s3.send(new GetObjectCommand({ Bucket: project.artifactBucket, Key: key }));
      return JSON.parse(await object.Body!.transformToString()) as DeploymentRecord;
    }),
  );
  return records.sort((a, b) => a.at.localeCompare(b.at) || a.stage.localeCompare(b.stage));
}

/** The newest record of a stage, if any (keys sort by time within a stage). */
export async function latestDeployment(
  s3: S3Client,
  project: Project,
  stage: string,
): Promise<DeploymentRecord | undefined> {
  let last: string | undefined;
  let token: string | undefined;
  do {
    const page = await s3.send(
      new ListObjectsV2Command({
        Bucket: project.artifactBucket,
        Prefix: `${DEPLOYMENTS_PREFIX}${stage}/`,
        ...(token ? { ContinuationToken: token } : {}),
      }),
    );
    last = page.Contents?.filter((object) => object.Key?.endsWith('.json')).at(-1)?.Key ?? last;
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  if (!last) return undefined;
  const object = await s3.send(new GetObjectCommand({ Bucket: project.artifactBucket, Key: last }));
  return JSON.parse(await object.Body!.transformToString()) as DeploymentRecord;
}

/** One stretch of time during which a stage served one version. */
export interface ServedPeriod extends DeploymentRecord {
  /** When the next record of the stage replaced it; absent while it is live. */
  readonly until?: string;
}

/** The journal as periods, per stage, oldest first: from each record to the next one of the same stage. */
export function servedPeriods(records: readonly DeploymentRecord[]): ServedPeriod[] {
  const next = new Map<string, string>();
  const periods: ServedPeriod[] = [];
  for (const record of [...records].reverse()) {
    const until = next.get(record.stage);
    periods.unshift({ ...record, ...(until ? { until } : {}) });
    next.set(record.stage, record.at);
  }
  return periods;
}

/**
 * The version a stage served before the one it serves now (`live`), from its journal: what `slipway deploy
 * rollback` goes back to when no version is named. A version a rollback replaced is not gone back to, so a
 * second rollback goes further back instead of forward again.
 */
export function previousVersion(records: readonly DeploymentRecord[], stage: string, live: string): string | undefined {
  const own = records.filter((record) => record.stage === stage);
  const rolledBack = new Set(own.filter((record) => record.kind === 'rollback').map((record) => record.replaced));
  for (let index = own.length - 1; index >= 0; index -= 1) {
    const arn = own[index]!.modelPackageArn;
    if (arn !== live && !rolledBack.has(arn)) return arn;
  }
  return undefined;
}
