import { open } from 'node:fs/promises';
import type { BucketLocationConstraint, S3Client } from '@aws-sdk/client-s3';
import { ValidationError } from '@slipway/core';
import type { Asset } from '../assets/asset.js';
import { errorMessage, errorName, isS3NotFound } from './aws-errors.js';
import type { RunReporter } from './run-types.js';
import { awsCommands } from './aws-commands.js';

export interface UploadAssetsOptions {
  /** The region a created bucket goes in. */
  readonly region: string;
  /** Create a missing bucket (local server, moto). On AWS the bucket is the project's and must exist. */
  readonly createMissingBucket: boolean;
  readonly onEvent?: RunReporter;
  /** Uploads at once. @default 4 */
  readonly concurrency?: number;
}

export interface UploadAssetsResult {
  readonly uploaded: readonly string[];
  readonly alreadyPresent: readonly string[];
}

/**
 * Uploads the assets S3 does not hold yet. Keys are content-addressed (`…/<sha256>/<file>`), so an object
 * already at the key with the asset's size is the asset: one HeadObject decides, and unchanged code and data
 * cost nothing but that call.
 */
export async function uploadAssets(
  s3: S3Client,
  assets: readonly Asset[],
  options: UploadAssetsOptions,
): Promise<UploadAssetsResult> {
  const concurrency = options.concurrency ?? 4;
  const missing: Asset[] = [];
  const alreadyPresent: string[] = [];
  await forEachLimited(assets, concurrency, async (asset) => {
    if (await isPresent(s3, asset)) {
      alreadyPresent.push(asset.key);
      options.onEvent?.({ kind: 'asset', key: asset.key, size: asset.size, uploaded: false });
    } else {
      missing.push(asset);
    }
  });
  // Checked only when something must be uploaded: a PutObject streaming into a missing bucket fails with a
  // broken pipe rather than NoSuchBucket.
  for (const bucket of new Set(missing.map((asset) => asset.bucket))) await ensureBucket(s3, bucket, options);
  await forEachLimited(missing, concurrency, async (asset) => {
    await putAsset(s3, asset);
    options.onEvent?.({ kind: 'asset', key: asset.key, size: asset.size, uploaded: true });
  });
  return { uploaded: missing.map((asset) => asset.key).sort(), alreadyPresent: alreadyPresent.sort() };
}

async function isPresent(s3: S3Client, asset: Asset): Promise<boolean> {
  const { HeadObjectCommand } = await awsCommands();
  try {
    const head = await s3.send(new HeadObjectCommand({ Bucket: asset.bucket, Key: asset.key }));
    return head.ContentLength === asset.size;
  } catch (error) {
    if (isS3NotFound(error)) return false;
    if (errorName(error) === 'Forbidden' || errorName(error) === 'AccessDenied') {
      throw new Error(
        `HeadObject s3://${asset.bucket}/${asset.key} was refused (${errorName(error)}). The role needs ` +
          `s3:ListBucket on the bucket (without it a missing object reads as 403, not 404) and s3:GetObject/PutObject on its keys.`,
      );
    }
    throw error;
  }
}

async function putAsset(s3: S3Client, asset: Asset): Promise<void> {
  const { PutObjectCommand } = await awsCommands();
  if (asset.bytes === undefined && asset.localPath === undefined) {
    throw new Error(`asset ${asset.key} has neither bytes nor a local file`);
  }
  // A local file is opened first, so a missing one rejects here (ENOENT) rather than as a stream error; the
  // stream is listened to from its creation on, since the SDK only reads it after signing the request, and a
  // stream 'error' nobody hears ends the process.
  const stream = asset.bytes === undefined ? (await open(asset.localPath!, 'r')).createReadStream() : undefined;
  const streamFailed = new Promise<never>((_resolve, reject) => stream?.once('error', reject));
  const sent = s3.send(
    new PutObjectCommand({
      Bucket: asset.bucket,
      Key: asset.key,
      Body: asset.bytes ?? stream!,
      ContentLength: asset.size,
      ContentType: asset.contentType,
      Metadata: { 'slipway-sha256': asset.sha256 },
    }),
  );
  try {
    await Promise.race([sent, streamFailed]);
  } finally {
    stream?.destroy();
    sent.catch(() => undefined); // settled after a stream failure: its outcome no longer matters
  }
}

async function ensureBucket(s3: S3Client, bucket: string, options: UploadAssetsOptions): Promise<void> {
  const { CreateBucketCommand, HeadBucketCommand } = await awsCommands();
  try {
    await s3.send(new HeadBucketCommand({ Bucket: bucket }));
    return;
  } catch (error) {
    if (!isS3NotFound(error)) throw error;
  }
  if (!options.createMissingBucket) throw missingBucket(bucket);
  try {
    await s3.send(
      new CreateBucketCommand({
        Bucket: bucket,
        // us-east-1 is the one region that refuses its own name as a LocationConstraint.
        ...(options.region === 'us-east-1'
          ? {}
          : { CreateBucketConfiguration: { LocationConstraint: options.region as BucketLocationConstraint } }),
      }),
    );
    options.onEvent?.({ kind: 'bucket-created', bucket });
  } catch (error) {
    const name = errorName(error);
    if (name !== 'BucketAlreadyOwnedByYou' && name !== 'BucketAlreadyExists') {
      throw new Error(`could not create the bucket ${bucket}: ${errorMessage(error)}`);
    }
  }
}

function missingBucket(bucket: string): ValidationError {
  return new ValidationError({
    where: 'artifact-bucket',
    field: '',
    problem: `names the bucket ${bucket}, which does not exist`,
    fix: 'create it (the project infrastructure owns it) or name an existing bucket',
  });
}

async function forEachLimited<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const item = items[next++] as T;
      await work(item);
    }
  });
  await Promise.all(workers);
}
