import { S3Client } from '@aws-sdk/client-s3';
import { SageMakerClient } from '@aws-sdk/client-sagemaker';
import { awsClientConfig, type AwsClientConfig, type ProjectConfig } from '@slipway/core';
import { S3RetrainLedger, monitoredEndpoints } from '@slipway/deploy-pipeline';
import { projectView } from './project-view.js';
import type { StudioBackend } from './studio-backend.js';

export interface AwsBackendOptions {
  readonly region: string;
  /** Let the console approve and reject versions (UpdateModelPackage); everything else stays read-only. */
  readonly allowApprove: boolean;
  readonly project?: ProjectConfig;
  /** Client settings over the SDK's defaults (an endpoint, for a stand-in such as moto). */
  readonly clientConfig?: Partial<AwsClientConfig>;
}

/**
 * The console over the user's AWS account: the SDK's default credentials and the same calls the local
 * backend answers in-process. Read-only (no executions started or stopped, no endpoint invoked), except
 * approvals with `allowApprove`. SageMaker keeps no approval history, job logs are in CloudWatch, deploy runs
 * in GitHub Actions: the page says where instead.
 */
export function awsStudioBackend(options: AwsBackendOptions): StudioBackend {
  const clientBackend = { kind: 'aws', region: options.region } as const;
  const config = { ...awsClientConfig(clientBackend), ...options.clientConfig };
  const sagemaker = new SageMakerClient(config);
  const s3 = new S3Client(config);
  return {
    mode: 'aws',
    region: options.region,
    permissions: { execute: false, approve: options.allowApprove, promote: false, invoke: false },
    ...(options.project ? { project: projectView(options.project) } : {}),
    ...(options.project
      ? {
          monitoring: {
            bucket: options.project.artifactBucket,
            endpoints: monitoredEndpoints(options.project),
            ledger: new S3RetrainLedger(s3, options.project.artifactBucket),
          },
        }
      : {}),
    sagemaker,
    s3,
    clientBackend,
    invoke() {
      return Promise.reject(
        new Error('the console does not invoke AWS endpoints: `slipway studio --aws` is read-only'),
      );
    },
    close() {
      sagemaker.destroy();
      s3.destroy();
    },
  };
}
