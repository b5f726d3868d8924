import { SageMakerClient } from '@aws-sdk/client-sagemaker';
import { S3Client } from '@aws-sdk/client-s3';
import { LOCAL_ACCOUNT_ID, awsClientConfig, sagemakerProjectOf, type Backend, type ProjectConfig } from '@slipway/core';

/** The execution role local runs use when none is given: the local server runs jobs as the caller. */
export const LOCAL_EXECUTION_ROLE = `arn:aws:iam::${LOCAL_ACCOUNT_ID}:role/slipway-local-execution`;

export interface SageMakerClients {
  readonly sagemaker: SageMakerClient;
  readonly s3: S3Client;
  destroy(): void;
}

export function clientsFor(backend: Backend): SageMakerClients {
  const config = awsClientConfig(backend);
  const sagemaker = new SageMakerClient(config);
  const s3 = new S3Client(config);
  return {
    sagemaker,
    s3,
    destroy() {
      sagemaker.destroy();
      s3.destroy();
    },
  };
}

/** What a run tags its pipeline and model package group with: the project's SageMaker project (Studio's, if any). */
export function runPipelineProject(config: ProjectConfig): { readonly name: string; readonly id: string } {
  const { projectName, projectId } = sagemakerProjectOf(config);
  return { name: projectName, id: projectId };
}
