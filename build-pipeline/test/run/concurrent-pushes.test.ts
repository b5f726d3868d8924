import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  DescribePipelineDefinitionForExecutionCommand,
  DescribePipelineExecutionCommand,
  SageMakerClient,
  StartPipelineExecutionCommand,
} from '@aws-sdk/client-sagemaker';
import { S3Client } from '@aws-sdk/client-s3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runPipeline, type CompiledPipeline, type PipelineDefinition } from '@slipway/build-pipeline';
import { awsClientConfig } from '@slipway/core';
import { startLocalServer, type LocalServer } from '@slipway/local';

const ROLE = 'arn:aws:iam::000000000000:role/SlipwayLocal';

/** A one-step pipeline whose Fail step names the push it came from: each push's definition is its own. */
function push(name: string): CompiledPipeline {
  const definition = {
    Version: '2020-12-01',
    Metadata: {},
    Parameters: [{ Name: 'SourcePipelineVersion', Type: 'String', DefaultValue: 'unknown' }],
    Steps: [{ Name: 'Stop', Type: 'Fail', Arguments: { ErrorMessage: `definition of ${name}` } }],
  } as unknown as PipelineDefinition;
  return {
    pipelineName: 'concurrent-pushes',
    definition,
    json: JSON.stringify(definition),
    assets: [],
    roleArn: ROLE,
    modelPackageGroupName: 'concurrent-models',
    warnings: [],
  };
}

/**
 * Two pushes of the build workflow at once, on a real local server: push B's UpdatePipeline lands between
 * push A's CreatePipeline and its StartPipelineExecution. Each push starts exactly the PipelineVersionId its
 * upsert wrote, so A still runs A's definition (started as "the latest", it would run B's).
 */
describe('two concurrent pushes', () => {
  let server: LocalServer;
  let dataDir: string;
  let sagemaker: SageMakerClient;
  let s3: S3Client;
  let config: ReturnType<typeof awsClientConfig>;

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'slipway-concurrent-'));
    server = await startLocalServer({ dataDir, runners: {} });
    config = awsClientConfig({
      kind: 'local',
      region: server.region,
      endpoint: server.url,
      credentials: server.credentials,
    });
    sagemaker = new SageMakerClient(config);
    s3 = new S3Client(config);
  });

  afterAll(async () => {
    sagemaker?.destroy();
    s3?.destroy();
    await server?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const options = (compiled: CompiledPipeline) => ({
    compile: async () => compiled,
    region: server.region,
    project: { name: 'concurrent', id: 'p-concurrent0001' },
    wait: false,
    timeoutMs: 60_000,
    compareWithApproved: false,
    createMissingBucket: true,
  });

  it('never run each other’s definition: each starts the version it upserted and records it', async () => {
    let pushB: ReturnType<typeof runPipeline> | undefined;
    // Push A's client lets push B upsert and start just before A's StartPipelineExecution goes out.
    const clientA = new SageMakerClient(config);
    const sendA = clientA.send.bind(clientA) as (command: unknown) => Promise<unknown>;
    (clientA as unknown as { send: (command: unknown) => Promise<unknown> }).send = async (command) => {
      if (command instanceof StartPipelineExecutionCommand && !pushB) {
        pushB = runPipeline(options(push('B')), { sagemaker, s3 });
        await pushB;
      }
      return sendA(command);
    };
    const a = await runPipeline(options(push('A')), { sagemaker: clientA, s3 });
    const b = await pushB!;
    clientA.destroy();

    const run = async (executionArn: string) => {
      const definition = await sagemaker.send(
        new DescribePipelineDefinitionForExecutionCommand({ PipelineExecutionArn: executionArn }),
      );
      const execution = await sagemaker.send(
        new DescribePipelineExecutionCommand({ PipelineExecutionArn: executionArn }),
      );
      return {
        message: (JSON.parse(definition.PipelineDefinition!) as { Steps: { Arguments: { ErrorMessage: string } }[] })
          .Steps[0]!.Arguments.ErrorMessage,
        version: execution.PipelineVersionId,
      };
    };
    // A created the pipeline (version 1); B updated it (version 2) before A started.
    expect(await run(a.executionArn)).toEqual({ message: 'definition of A', version: 1 });
    expect(await run(b.executionArn)).toEqual({ message: 'definition of B', version: 2 });
    // Each execution carries the version it runs, for the model version it registers.
    expect(a.parameters).toMatchObject({ SourcePipelineVersion: '1' });
    expect(b.parameters).toMatchObject({ SourcePipelineVersion: '2' });
  }, 60_000);
});
