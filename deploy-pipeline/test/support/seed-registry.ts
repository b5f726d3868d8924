import {
  CreateModelPackageCommand,
  CreateModelPackageGroupCommand,
  SageMakerClient,
  UpdateModelPackageCommand,
} from '@aws-sdk/client-sagemaker';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { awsClientConfig } from '@slipway/core';
import { silentLogger, startLocalServer, type LocalServer, type RuleDefinition } from '@slipway/local';
import {
  SERVING_ENVIRONMENT,
  SKLEARN_IMAGE,
  buildModelArchives,
  uploadModel,
} from '../../../local/test/endpoints/endpoint-fixtures.js';

export type ApprovalStatus = 'Approved' | 'Rejected' | 'PendingManualApproval';

/**
 * Registers versions of the real seed model (trained by `buildModelArchives`) in a local server's registry,
 * as the pipeline's RegisterModel step does: the scikit-learn image, the model.tar.gz, the serving
 * environment. Each version gets its own copy of the archive, so versions differ in model data.
 */
export class SeedRegistry {
  private versions = 0;

  constructor(
    private readonly server: LocalServer,
    private readonly sagemaker: SageMakerClient,
    private readonly group: string,
    private readonly archive: string,
  ) {}

  async register(status: ApprovalStatus): Promise<string> {
    if (this.versions === 0) {
      await this.sagemaker.send(new CreateModelPackageGroupCommand({ ModelPackageGroupName: this.group }));
    }
    this.versions += 1;
    const modelDataUrl = await uploadModel(this.server, this.archive, `models/v${this.versions}/model.tar.gz`);
    const created = await this.sagemaker.send(
      new CreateModelPackageCommand({
        ModelPackageGroupName: this.group,
        ModelApprovalStatus: 'PendingManualApproval',
        InferenceSpecification: {
          Containers: [{ Image: SKLEARN_IMAGE, ModelDataUrl: modelDataUrl, Environment: SERVING_ENVIRONMENT }],
          SupportedContentTypes: ['application/json'],
          SupportedResponseMIMETypes: ['application/json'],
        },
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
}): Promise<SeedServer> {
  const archives = await buildModelArchives();
  const dataDir = mkdtempSync(join(tmpdir(), 'slipway-seed-server-'));
  const server = await startLocalServer({
    dataDir,
    runners: {},
    logger: silentLogger,
    endpoints: { stopGraceMs: 2000 },
    ...(options.rules ? { rules: options.rules } : {}),
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
