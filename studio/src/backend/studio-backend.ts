import type { IncomingMessage, ServerResponse } from 'node:http';
import type { S3Client } from '@aws-sdk/client-s3';
import type { SageMakerClient } from '@aws-sdk/client-sagemaker';
import type { Backend } from '@slipway/core';
import type { DeployRun, RetrainLedgerStore } from '@slipway/deploy-pipeline';
import type { ApprovalEntry, ConsoleMode, ConsolePermissions, LatencyPoint, LiveTopic, ProjectView } from '../views.js';

/** The local deploy workflow, as the console sees it: its runs and its production gate. */
export interface DeployWorkflowAccess {
  /** Every run, oldest first (the deploy workflow's run store). */
  listRuns(): Promise<readonly DeployRun[]>;
  /** The directory the runs are kept in, watched for changes. */
  readonly runsDir: string;
  /** Opens the production gate of the waiting run; resolves when the run has gone on (or ended). */
  promote(): Promise<void>;
}

/** Where the project's drift checks and retrains are kept (the monitoring page reads them). */
export interface MonitoringAccess {
  /** The artifact bucket, which holds the drift reports (`monitoring/<endpoint>/<check>/`). */
  readonly bucket: string;
  readonly endpoints: readonly string[];
  /** The retrain ledger: the local server's file, or the object in the bucket on AWS. */
  readonly ledger: RetrainLedgerStore;
}

/**
 * What the console reads and acts through. Everything SageMaker serves goes through the AWS SDK clients,
 * so the same code reads the local server and AWS: locally the clients reach the server's operation handlers
 * in-process (the same handlers its HTTP API answers with), on AWS they are the user's clients. The optional
 * members are what only the local server keeps; the console says so where AWS has no equivalent.
 */
export interface StudioBackend {
  readonly mode: ConsoleMode;
  readonly region: string;
  readonly permissions: ConsolePermissions;
  readonly project?: ProjectView;
  readonly sagemaker: SageMakerClient;
  readonly s3: S3Client;
  /** What the clients were configured from (shared deploy functions take it with the clients). */
  readonly clientBackend: Backend;
  /** InvokeEndpoint: the request's body goes to the endpoint and its answer back as it is. */
  invoke(endpointName: string, request: IncomingMessage, response: ServerResponse): Promise<void>;
  /** Every approval change of a version (local); SageMaker itself keeps only the current status. */
  approvalHistory?(modelPackageArn: string): Promise<readonly ApprovalEntry[]>;
  /** The log file of a job the local server ran. */
  jobLogFile?(jobName: string): string | undefined;
  /** Whether a job is still running (its log may still grow). */
  jobRunning?(jobName: string): boolean;
  /** Recent invocations of an endpoint with their latency (local). */
  recentInvocations?(endpointName: string): readonly LatencyPoint[];
  /** The project's drift checks and retrains, when the console knows the project. */
  readonly monitoring?: MonitoringAccess;
  /** The local deploy workflow, when the server runs in a Slipway project. */
  readonly deploy?: DeployWorkflowAccess;
  /** Pushes what changed as it happens (local); absent means the console refreshes on a timer. */
  subscribe?(listener: (topics: readonly LiveTopic[]) => void): () => void;
  close(): void;
}
