import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CreatePipelineCommand,
  DescribePipelineExecutionCommand,
  ListPipelineExecutionStepsCommand,
  SageMakerClient,
  StartPipelineExecutionCommand,
  type PipelineExecutionStep,
} from '@aws-sdk/client-sagemaker';
import { S3Client } from '@aws-sdk/client-s3';
import { Readable } from 'node:stream';
import {
  UNSIGNED_PAYLOAD,
  awsClientConfig,
  signRequest,
  type AwsClientConfig,
  type AwsCredentials,
} from '@slipway/core';
import { startLocalServer, type LocalServer, type LocalServerOptions, type Logger } from '@slipway/local';

export const ROLE = 'arn:aws:iam::000000000000:role/SlipwayLocal';

export function tempDir(prefix = 'slipway-local-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** What a server a test talks to is: its URL, region and the credentials it accepts. */
export interface ServerAddress {
  readonly url: string;
  readonly region: string;
  readonly credentials: AwsCredentials;
}

/** SDK client configuration for a local server: its URL, its secret, path-style S3, no retries. */
export function localClientConfig(server: ServerAddress): AwsClientConfig {
  return {
    ...awsClientConfig({ kind: 'local', region: server.region, endpoint: server.url, credentials: server.credentials }),
    maxAttempts: 1,
  };
}

/** A request over plain HTTP signed with the server's secret (or `credentials`), as an SDK would sign it. */
export async function signedFetch(
  server: ServerAddress,
  path: string,
  init: {
    method?: string;
    headers?: Record<string, string>;
    body?: string | Buffer;
    /** A streamed body, sent as it is and signed as UNSIGNED-PAYLOAD (S3). */
    stream?: Readable;
    service?: string;
    /** When the request was signed. @default now */
    now?: Date;
  } = {},
  credentials: AwsCredentials = server.credentials,
): Promise<Response> {
  const method = init.method ?? 'GET';
  const url = `${server.url}${path}`;
  const headers = signRequest({
    method,
    url,
    ...(init.headers ? { headers: init.headers } : {}),
    ...(init.body !== undefined ? { body: init.body } : {}),
    ...(init.stream ? { payloadHash: UNSIGNED_PAYLOAD } : {}),
    credentials,
    region: server.region,
    service: init.service ?? 'sagemaker',
    ...(init.now ? { now: init.now } : {}),
  });
  const body = init.stream ? (Readable.toWeb(init.stream) as ReadableStream) : init.body;
  return fetch(url, {
    method,
    headers,
    body,
    ...(init.stream ? { duplex: 'half' } : {}),
  } as RequestInit);
}

/** A JSON-protocol call over plain HTTP, signed with the server's secret (for operations no SDK knows). */
export function callOperation(server: ServerAddress, target: string, input: object): Promise<Response> {
  return signedFetch(server, '/', {
    method: 'POST',
    headers: { 'x-amz-target': target, 'content-type': 'application/x-amz-json-1.1' },
    body: JSON.stringify(input),
  });
}

/** A logger that keeps what it is told, so tests can assert on warnings. */
export function memoryLogger(): Logger & { lines: string[] } {
  const lines: string[] = [];
  return {
    lines,
    info: (message) => lines.push(`info ${message}`),
    warn: (message) => lines.push(`warn ${message}`),
    error: (message, error) => lines.push(`error ${message} ${error instanceof Error ? error.message : ''}`),
  };
}

export interface TestServer {
  readonly server: LocalServer;
  readonly sagemaker: SageMakerClient;
  readonly s3: S3Client;
  readonly dataDir: string;
  close(): Promise<void>;
}

export async function startTestServer(options: Partial<LocalServerOptions> = {}): Promise<TestServer> {
  const dataDir = options.dataDir ?? tempDir();
  const server = await startLocalServer({ runners: {}, logger: memoryLogger(), ...options, dataDir });
  const config = localClientConfig(server);
  const sagemaker = new SageMakerClient(config);
  const s3 = new S3Client(config);
  return {
    server,
    sagemaker,
    s3,
    dataDir,
    async close() {
      sagemaker.destroy();
      s3.destroy();
      await server.close();
      if (!options.dataDir) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Creates a pipeline from a definition object and starts it; resolves with the execution ARN. */
export async function runPipeline(
  sagemaker: SageMakerClient,
  name: string,
  definition: object,
  parameters: Record<string, string> = {},
  extra: { ParallelismConfiguration?: { MaxParallelExecutionSteps: number } } = {},
): Promise<string> {
  await sagemaker.send(
    new CreatePipelineCommand({ PipelineName: name, RoleArn: ROLE, PipelineDefinition: JSON.stringify(definition) }),
  );
  const started = await sagemaker.send(
    new StartPipelineExecutionCommand({
      PipelineName: name,
      PipelineParameters: Object.entries(parameters).map(([Name, Value]) => ({ Name, Value })),
      ...extra,
    }),
  );
  return started.PipelineExecutionArn!;
}

/** Polls DescribePipelineExecution until the execution ends, as a client would. */
export async function waitForExecution(sagemaker: SageMakerClient, arn: string, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const described = await sagemaker.send(new DescribePipelineExecutionCommand({ PipelineExecutionArn: arn }));
    if (['Succeeded', 'Failed', 'Stopped'].includes(described.PipelineExecutionStatus!)) return described;
    if (Date.now() > deadline)
      throw new Error(`execution ${arn} still ${described.PipelineExecutionStatus} after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** Every step of an execution by name. */
export async function stepsByName(
  sagemaker: SageMakerClient,
  arn: string,
): Promise<Record<string, PipelineExecutionStep>> {
  const listed = await sagemaker.send(
    new ListPipelineExecutionStepsCommand({ PipelineExecutionArn: arn, MaxResults: 100 }),
  );
  return Object.fromEntries((listed.PipelineExecutionSteps ?? []).map((step) => [step.StepName!, step]));
}

export function definition(steps: object[], parameters: object[] = []): object {
  return {
    Version: '2020-12-01',
    Metadata: {},
    Parameters: parameters,
    PipelineExperimentConfig: {
      ExperimentName: { Get: 'Execution.PipelineName' },
      TrialName: { Get: 'Execution.PipelineExecutionId' },
    },
    Steps: steps,
  };
}

/** A Processing step that runs `node -e <script>` with the given inputs and outputs (LocalPath under /opt/ml/processing). */
export function nodeProcessingStep(
  name: string,
  script: string,
  options: {
    inputs?: { name: string; uri: unknown; path: string }[];
    outputs?: { name: string; uri: unknown; path: string }[];
    environment?: Record<string, unknown>;
    extra?: Record<string, unknown>;
    image?: string;
  } = {},
): Record<string, unknown> {
  return {
    Name: name,
    Type: 'Processing',
    Arguments: {
      AppSpecification: {
        ImageUri: options.image ?? 'test/node',
        ContainerEntrypoint: [process.execPath, '-e', script],
      },
      ProcessingResources: { ClusterConfig: { InstanceCount: 1, InstanceType: 'ml.m5.large', VolumeSizeInGB: 30 } },
      RoleArn: ROLE,
      ...(options.environment ? { Environment: options.environment } : {}),
      ProcessingInputs: (options.inputs ?? []).map((input) => ({
        InputName: input.name,
        AppManaged: false,
        S3Input: {
          S3Uri: input.uri,
          LocalPath: input.path,
          S3DataType: 'S3Prefix',
          S3InputMode: 'File',
          S3DataDistributionType: 'FullyReplicated',
          S3CompressionType: 'None',
        },
      })),
      ProcessingOutputConfig: {
        Outputs: (options.outputs ?? []).map((output) => ({
          OutputName: output.name,
          AppManaged: false,
          S3Output: { S3Uri: output.uri, LocalPath: output.path, S3UploadMode: 'EndOfJob' },
        })),
      },
    },
    ...options.extra,
  };
}
