import {
  CreateModelPackageCommand,
  CreateModelPackageGroupCommand,
  SageMakerClient,
  UpdateModelPackageCommand,
} from '@aws-sdk/client-sagemaker';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { CreateBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { awsClientConfig, modelArtifactsUri, modelDataChecksumKey, type ProjectConfig } from '@slipway/core';
import { silentLogger, startLocalServer, type LocalServer, type RuleDefinition } from '@slipway/local';
import {
  SERVING_ENVIRONMENT,
  SKLEARN_IMAGE,
  buildModelArchives,
} from '../../../local/test/endpoints/endpoint-fixtures.js';
import { testProject } from './project.js';

export type ApprovalStatus = 'Approved' | 'Rejected' | 'PendingManualApproval';

/**
 * Registers versions of the real seed model (trained by `buildModelArchives`) in a local server's registry,
 * as the pipeline's RegisterModel step does: the scikit-learn image, the model.tar.gz under the artifact
 * bucket's models/ prefix with its SHA-256 recorded, the serving environment. Each version gets its own copy
 * of the archive, so versions differ in model data.
 */
export class SeedRegistry {
  private versions = 0;

  private readonly project: Pick<ProjectConfig, 'artifactBucket' | 'pipelineName'> = testProject();

  constructor(
    private readonly server: LocalServer,
    private readonly sagemaker: SageMakerClient,
    private readonly group: string,
    private readonly archive: string,
  ) {}

  /** Where version `version`'s model data goes, as a training job of the pipeline would put it. */
  modelDataKey(version: number): string {
    return `${modelArtifactsUri(this.project).replace(`s3://${this.project.artifactBucket}/`, '')}/v${version}/output/model.tar.gz`;
  }

  /** The S3 client of the server, for tests that look at (or tamper with) model data. */
  s3(): S3Client {
    return new S3Client(
      awsClientConfig({
        kind: 'local',
        region: this.server.region,
        endpoint: this.server.url,
        credentials: this.server.credentials,
      }),
    );
  }

  async register(status: ApprovalStatus): Promise<string> {
    if (this.versions === 0) {
      await this.sagemaker.send(new CreateModelPackageGroupCommand({ ModelPackageGroupName: this.group }));
    }
    this.versions += 1;
    const s3 = this.s3();
    const body = readFileSync(this.archive);
    await s3.send(new CreateBucketCommand({ Bucket: this.project.artifactBucket })).catch(() => undefined);
    const key = this.modelDataKey(this.versions);
    await s3.send(new PutObjectCommand({ Bucket: this.project.artifactBucket, Key: key, Body: body }));
    s3.destroy();
    const modelDataUrl = `s3://${this.project.artifactBucket}/${key}`;
    const created = await this.sagemaker.send(
      new CreateModelPackageCommand({
        ModelPackageGroupName: this.group,
        ModelApprovalStatus: 'PendingManualApproval',
        InferenceSpecification: {
          Containers: [{ Image: SKLEARN_IMAGE, ModelDataUrl: modelDataUrl, Environment: SERVING_ENVIRONMENT }],
          SupportedContentTypes: ['application/json'],
          SupportedResponseMIMETypes: ['application/json'],
        },
        CustomerMetadataProperties: { [modelDataChecksumKey()]: createHash('sha256').update(body).digest('hex') },
      }),
    );
    const arn = created.ModelPackageArn as string;
    if (status !== 'PendingManualApproval') await this.setStatus(arn, status);
    return arn;
  }

  async setStatus(arn: string, status: ApprovalStatus): Promise<void> {
    await this.sagemaker.send(new UpdateModelPackageCommand({ ModelPackageArn: arn, ModelApprovalStatus: status }));
  }
}

/** A local server in a fresh data dir, with a registry of seed model versions for `group`. */
export interface SeedServer {
  readonly dataDir: string;
  readonly server: LocalServer;
  readonly sagemaker: SageMakerClient;
  readonly registry: SeedRegistry;
  /** Stops the server and removes the data dir and the model archives. */
  close(): Promise<void>;
}

/** Trains the seed model (about 3 s) and starts a local server for it, with `rules` on its event bus. */
export async function startSeedServer(options: {
  readonly group: string;
  readonly rules?: readonly RuleDefinition[];
  /** The server's own account. @default LOCAL_ACCOUNT_ID */
  readonly accountId?: string;
}): Promise<SeedServer> {
  const archives = await buildModelArchives();
  const dataDir = mkdtempSync(join(tmpdir(), 'slipway-seed-server-'));
  const server = await startLocalServer({
    dataDir,
    runners: {},
    logger: silentLogger,
    endpoints: { stopGraceMs: 2000 },
    ...(options.rules ? { rules: options.rules } : {}),
    ...(options.accountId ? { accountId: options.accountId } : {}),
  });
  const sagemaker = new SageMakerClient({
    ...awsClientConfig({ kind: 'local', region: server.region, endpoint: server.url, credentials: server.credentials }),
    maxAttempts: 1,
  });
  return {
    dataDir,
    server,
    sagemaker,
    registry: new SeedRegistry(server, sagemaker, options.group, archives.seed),
    async close() {
      sagemaker.destroy();
      await server.close();
      await archives.dispose();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
