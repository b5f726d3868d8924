import { createHash } from 'node:crypto';
import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { SageMakerClient } from '@aws-sdk/client-sagemaker';
import { MODEL_ARTIFACTS_PREFIX, ValidationError, modelDataChecksumKey, type ProjectConfig } from '@slipway/core';
import { requireApproved, type ModelPackageState } from './model-package.js';

type Project = Pick<ProjectConfig, 'modelPackageGroupName' | 'region' | 'artifactBucket'>;

/** `s3://bucket/key` → its parts; undefined for anything else. */
function s3Location(url: string): { bucket: string; key: string } | undefined {
  const match = /^s3:\/\/([^/]+)\/(.+)$/.exec(url);
  return match ? { bucket: match[1] as string, key: match[2] as string } : undefined;
}

/** The SHA-256 (hex) of an S3 object, read as a stream. */
async function objectSha256(s3: S3Client, bucket: string, key: string): Promise<string> {
  const response = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  const hash = createHash('sha256');
  for await (const chunk of response.Body as AsyncIterable<Uint8Array>) hash.update(chunk);
  return hash.digest('hex');
}

/**
 * Throws unless every container's model data is where only training jobs may write (the artifact bucket's
 * models/ prefix) and still has the SHA-256 registered with the version: an artifact replaced after
 * registration, or a version registered without the pipeline's checksum step, is never deployed.
 */
export async function verifyModelData(s3: S3Client, project: Project, state: ModelPackageState): Promise<void> {
  const prefix = `s3://${project.artifactBucket}/${MODEL_ARTIFACTS_PREFIX}`;
  for (const { containerIndex, url, sha256 } of state.modelData) {
    if (url === undefined) continue;
    const where = `version ${state.version} (${state.modelPackageArn})`;
    const location = url.startsWith(prefix) ? s3Location(url) : undefined;
    if (!location) {
      throw new ValidationError({
        where,
        field: `InferenceSpecification.Containers[${containerIndex}].ModelDataUrl`,
        problem: `is ${url}, outside ${prefix}, where only training jobs may write`,
        fix: "deploy a version the project's pipeline trained; nothing was deployed",
      });
    }
    if (!sha256) {
      throw new ValidationError({
        where,
        field: `CustomerMetadataProperties.${modelDataChecksumKey(containerIndex)}`,
        problem: 'is missing: the SHA-256 of its model data was not recorded when it was registered',
        fix: 'register versions with the pipeline (its ChecksumModel step records it); nothing was deployed',
      });
    }
    const actual = await objectSha256(s3, location.bucket, location.key);
    if (actual !== sha256) {
      throw new ValidationError({
        where,
        field: `InferenceSpecification.Containers[${containerIndex}].ModelDataUrl`,
        problem: `${url} has SHA-256 ${actual}, but ${sha256} was registered with the version: the model data changed after registration`,
        fix: 'find out who replaced it (S3 keeps the earlier object version), and register a newly trained version; nothing was deployed',
      });
    }
  }
}

/** Approved now, and its model data what was registered: what every deploy of a version first checks. */
export async function requireDeployable(
  sagemaker: SageMakerClient,
  s3: S3Client,
  project: Project,
  modelPackageArn: string,
): Promise<ModelPackageState> {
  const state = await requireApproved(sagemaker, project, modelPackageArn);
  await verifyModelData(s3, project, state);
  return state;
}
