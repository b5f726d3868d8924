import { ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import {
  CreateEndpointCommand,
  CreateEndpointConfigCommand,
  CreateModelCommand,
  DescribeEndpointCommand,
  DescribeEndpointConfigCommand,
  DescribeModelCommand,
  DescribeModelPackageCommand,
  DescribeModelPackageGroupCommand,
  ListModelsCommand,
  ListTagsCommand,
  SageMakerClient,
  UpdateEndpointCommand,
} from '@aws-sdk/client-sagemaker';
import { mockClient } from 'aws-sdk-client-mock';
import type { Backend } from '@slipway/core';
import { createModelRequest, deployStage, endpointSpec, loadStageConfig, type CdkRunner } from '../src/index.js';
import { describeWithMoto, motoClientConfig } from './support/moto-server.js';
import { testProject } from './support/project.js';
import { registerVersion } from './support/registry.js';

const project = testProject();
const noSleep = async (): Promise<void> => undefined;

describeWithMoto('deployStage through the SageMaker API (against moto)', (moto) => {
  let sagemaker: SageMakerClient;
  let backend: Backend;
  let v1: string;
  let pending: string;

  beforeAll(async () => {
    sagemaker = new SageMakerClient(motoClientConfig(moto()));
    backend = { kind: 'local', region: moto().region, endpoint: moto().url, credentials: moto().credentials };
    v1 = await registerVersion(sagemaker, project.modelPackageGroupName, 'Approved');
    pending = await registerVersion(sagemaker, project.modelPackageGroupName, 'PendingManualApproval');
  });

  it('refuses a version that is not Approved and creates nothing', async () => {
    await expect(
      deployStage({ stage: 'staging', modelPackageArn: pending, backend, project }, { sagemaker }),
    ).rejects.toThrow(/PendingManualApproval in the registry now/);
    expect((await sagemaker.send(new ListModelsCommand({}))).Models ?? []).toEqual([]);
  });

  it('creates the model from the package, a config named after the version, and the endpoint', async () => {
    const log: string[] = [];
    const result = await deployStage(
      { stage: 'staging', modelPackageArn: v1, backend, project, log: (line) => log.push(line) },
      { sagemaker, pollSeconds: 0 },
    );
    const spec = endpointSpec(project, loadStageConfig(project, 'staging'), v1);
    expect(result).toMatchObject({
      stage: 'staging',
      endpointName: 'sentiment-staging',
      changed: true,
      modelPackageArn: v1,
    });
    expect(result.endpointArn).toMatch(/:endpoint\/sentiment-staging$/);
    const endpoint = await sagemaker.send(new DescribeEndpointCommand({ EndpointName: 'sentiment-staging' }));
    expect(endpoint).toMatchObject({ EndpointStatus: 'InService', EndpointConfigName: spec.endpointConfigName });
    expect(spec.endpointConfigName).toMatch(/^sentiment-staging-v1-[0-9a-f]{8}$/);
    const model = await sagemaker.send(new DescribeModelCommand({ ModelName: spec.modelName }));
    expect(model.PrimaryContainer?.ModelPackageName).toBe(v1);
    const config = await sagemaker.send(
      new DescribeEndpointConfigCommand({ EndpointConfigName: spec.endpointConfigName }),
    );
    expect(config.ProductionVariants?.[0]).toMatchObject({
      VariantName: 'AllTraffic',
      InstanceType: 'ml.m5.large',
      InitialInstanceCount: 1,
    });
    expect(config.DataCaptureConfig).toMatchObject({
      InitialSamplingPercentage: 100,
      DestinationS3Uri: `s3://${project.artifactBucket}/data-capture/staging`,
    });
    const tags = await sagemaker.send(new ListTagsCommand({ ResourceArn: result.endpointArn }));
    expect(tags.Tags).toEqual(
      expect.arrayContaining([
        { Key: 'sagemaker:project-name', Value: 'sentiment' },
        { Key: 'sagemaker:project-id', Value: project.projectId },
        { Key: 'slipway:model-package-version', Value: '1' },
      ]),
    );
    expect(log.join('\n')).toMatch(
      /Creating model[\s\S]*Creating endpoint config[\s\S]*Creating endpoint sentiment-staging/,
    );
  });

  it('treats the same version again as a no-op, so duplicate approval events are harmless', async () => {
    const modelsBefore = (await sagemaker.send(new ListModelsCommand({}))).Models?.length;
    const result = await deployStage({ stage: 'staging', modelPackageArn: v1, backend, project }, { sagemaker });
    expect(result).toMatchObject({ changed: false, modelPackageArn: v1 });
    expect(result.message).toMatch(/already serves/);
    expect((await sagemaker.send(new ListModelsCommand({}))).Models?.length).toBe(modelsBefore);
  });

  it('leaves a stage alone when the rejected version is not the one it serves', async () => {
    const result = await deployStage(
      { stage: 'staging', modelPackageArn: v1, replaces: pending, backend, project },
      { sagemaker },
    );
    expect(result).toMatchObject({ changed: false, modelPackageArn: v1 });
    expect(result.message).toMatch(/is not live in staging; nothing to roll back/);
  });

  it('continues after a crash that left the model behind', async () => {
    const spec = endpointSpec(project, loadStageConfig(project, 'prod'), v1);
    await sagemaker.send(new CreateModelCommand(createModelRequest(spec, 'arn:aws:iam::123456789012:role/x')));
    const result = await deployStage(
      { stage: 'prod', modelPackageArn: v1, backend, project },
      { sagemaker, pollSeconds: 0 },
    );
    expect(result).toMatchObject({ changed: true, endpointName: 'sentiment-prod', modelPackageArn: v1 });
  });
});

describeWithMoto('deployStage through the CDK (AWS backend; CDK CLI faked, SageMaker on moto)', (moto) => {
  let sagemaker: SageMakerClient;
  let s3: S3Client;
  let v1: string;
  const backend: Backend = { kind: 'aws', region: 'us-east-1' };

  beforeAll(async () => {
    sagemaker = new SageMakerClient(motoClientConfig(moto()));
    s3 = new S3Client({ ...motoClientConfig(moto()), forcePathStyle: true });
    v1 = await registerVersion(sagemaker, project.modelPackageGroupName, 'Approved');
  });

  it('runs `cdk deploy` of exactly that stage with exactly that ARN, then checks what is live', async () => {
    const calls: { args: readonly string[]; cwd: string }[] = [];
    // Stands in for CloudFormation: creates what the EndpointStack would.
    const runCdk: CdkRunner = async (args, { cwd }) => {
      calls.push({ args, cwd });
      const spec = endpointSpec(project, loadStageConfig(project, 'staging'), v1);
      await sagemaker.send(new CreateModelCommand(createModelRequest(spec, 'arn:aws:iam::123456789012:role/x')));
      await sagemaker.send(
        new CreateEndpointConfigCommand({
          EndpointConfigName: spec.endpointConfigName,
          ProductionVariants: [
            {
              VariantName: 'AllTraffic',
              ModelName: spec.modelName,
              InstanceType: 'ml.m5.large',
              InitialInstanceCount: 1,
            },
          ],
        }),
      );
      await sagemaker.send(
        new CreateEndpointCommand({ EndpointName: spec.endpointName, EndpointConfigName: spec.endpointConfigName }),
      );
    };
    const result = await deployStage(
      { stage: 'staging', modelPackageArn: v1, backend, project },
      { sagemaker, s3, runCdk, pollSeconds: 0 },
    );
    expect(result).toMatchObject({ changed: true, modelPackageArn: v1 });
    expect(calls).toHaveLength(1);
    expect(calls[0]?.cwd).toBe(`${project.rootDir}/deploy-pipeline`);
    expect(calls[0]?.args).toEqual([
      'deploy',
      'slipway-sentiment-endpoint-staging',
      '--exclusively',
      '--require-approval',
      'never',
      '--ci',
      '--no-notices',
      '--progress',
      'events',
      '--context',
      `modelPackageArn=${v1}`,
      '--context',
      'stage=staging',
    ]);
  });

  it('does not run the CDK at all when the version is already live', async () => {
    let ran = false;
    const result = await deployStage(
      { stage: 'staging', modelPackageArn: v1, backend, project },
      { sagemaker, s3, runCdk: async () => void (ran = true) },
    );
    expect(result.changed).toBe(false);
    expect(ran).toBe(false);
  });
});

describe('deployStage on paths moto cannot serve (UpdateEndpoint, Failed, rollback; SageMaker mocked)', () => {
  const sagemaker = new SageMakerClient({
    region: 'us-east-1',
    credentials: { accessKeyId: 'a', secretAccessKey: 'b' },
  });
  const mock = mockClient(sagemaker);
  const backend: Backend = {
    kind: 'local',
    region: 'us-east-1',
    endpoint: 'http://127.0.0.1:1',
    credentials: { accessKeyId: 'a', secretAccessKey: 'b' },
  };
  const arn = (version: number) => `arn:aws:sagemaker:us-east-1:123456789012:model-package/sentiment-models/${version}`;
  const prodSpec = (version: number) => endpointSpec(project, loadStageConfig(project, 'prod'), arn(version));

  const notFound = (what: string) =>
    Object.assign(new Error(`Could not find ${what}`), { name: 'ValidationException' });

  /**
   * A small SageMaker: DescribeEndpoint reports `statuses` in turn and serves version `before`, then `after`;
   * configs and models exist for `before` and once created.
   */
  function liveEndpoint(served: { before: number; after: number }, statuses: string[]): void {
    const existing = new Set([prodSpec(served.before).endpointConfigName]);
    let call = 0;
    mock.on(DescribeEndpointCommand).callsFake(() => {
      const status = statuses[Math.min(call, statuses.length - 1)];
      call += 1;
      const version = call === 1 ? served.before : served.after;
      return {
        EndpointArn: 'arn:aws:sagemaker:us-east-1:123456789012:endpoint/sentiment-prod',
        EndpointStatus: status,
        EndpointConfigName: prodSpec(version).endpointConfigName,
      };
    });
    mock
      .on(CreateEndpointConfigCommand)
      .callsFake((input: { EndpointConfigName: string }) => void existing.add(input.EndpointConfigName));
    mock.on(CreateModelCommand).callsFake((input: { ModelName: string }) => void existing.add(input.ModelName));
    mock.on(DescribeEndpointConfigCommand).callsFake((input: { EndpointConfigName: string }) => {
      if (!existing.has(input.EndpointConfigName)) throw notFound('endpoint configuration');
      return { ProductionVariants: [{ ModelName: input.EndpointConfigName }] };
    });
    mock.on(DescribeModelCommand).callsFake((input: { ModelName: string }) => {
      if (!existing.has(input.ModelName)) throw notFound('model');
      return { PrimaryContainer: { ModelPackageName: arn(Number(/-v(\d+)-/.exec(input.ModelName)?.[1])) } };
    });
    mock.on(DescribeModelPackageGroupCommand).resolves({
      ModelPackageGroupArn: 'arn:aws:sagemaker:us-east-1:123456789012:model-package-group/sentiment-models',
    });
    mock.on(DescribeModelPackageCommand).callsFake((input: { ModelPackageName: string }) => ({
      ModelPackageGroupName: 'sentiment-models',
      ModelPackageVersion: Number(input.ModelPackageName.split('/').at(-1)),
      ModelApprovalStatus: 'Approved',
    }));
  }

  // The deployment journal's bucket: records kept in memory.
  const s3 = new S3Client({ region: 'us-east-1', credentials: { accessKeyId: 'a', secretAccessKey: 'b' } });
  const s3Mock = mockClient(s3);
  const journal = () =>
    s3Mock.commandCalls(PutObjectCommand).map((call) => ({
      key: call.args[0].input.Key,
      record: JSON.parse(String(call.args[0].input.Body)) as Record<string, unknown>,
    }));

  beforeEach(() => {
    mock.reset();
    s3Mock.reset();
    s3Mock.on(PutObjectCommand).resolves({});
    s3Mock.on(ListObjectsV2Command).resolves({ Contents: [], IsTruncated: false });
  });

  it('updates a live endpoint blue/green to the new config and waits for InService', async () => {
    liveEndpoint({ before: 1, after: 2 }, ['InService', 'Updating', 'Updating', 'InService']);
    const result = await deployStage(
      { stage: 'prod', modelPackageArn: arn(2), backend, project },
      { sagemaker, s3, pollSeconds: 0, sleep: noSleep },
    );
    expect(result).toMatchObject({ changed: true, modelPackageArn: arn(2) });
    const update = mock.commandCalls(UpdateEndpointCommand)[0]?.args[0].input;
    expect(update).toMatchObject({
      EndpointName: 'sentiment-prod',
      EndpointConfigName: prodSpec(2).endpointConfigName,
      DeploymentConfig: {
        BlueGreenUpdatePolicy: {
          TrafficRoutingConfiguration: {
            Type: 'CANARY',
            CanarySize: { Type: 'CAPACITY_PERCENT', Value: 50 },
            // No alarms watch a local canary, so it does not bake (prod's config says 600 s on AWS).
            WaitIntervalInSeconds: 0,
          },
          TerminationWaitInSeconds: 0,
        },
      },
    });
    // The local server has no CloudWatch alarms to roll back on.
    expect(update?.DeploymentConfig?.AutoRollbackConfiguration).toBeUndefined();
    expect(mock.commandCalls(CreateEndpointCommand)).toHaveLength(0);
    expect(mock.commandCalls(CreateModelCommand)[0]?.args[0].input.PrimaryContainer).toEqual({
      ModelPackageName: arn(2),
    });
  });

  it('fails when the update rolled back and the old version is still live', async () => {
    liveEndpoint({ before: 1, after: 1 }, ['InService', 'RollingBack', 'InService']);
    await expect(
      deployStage(
        { stage: 'prod', modelPackageArn: arn(2), backend, project },
        { sagemaker, s3, pollSeconds: 0, sleep: noSleep },
      ),
    ).rejects.toThrow(/did not take: it serves .*sentiment-models\/1/);
  });

  it('rolls a stage serving the rejected version back to the replacement', async () => {
    liveEndpoint({ before: 3, after: 2 }, ['InService', 'Updating', 'InService']);
    const result = await deployStage(
      { stage: 'prod', modelPackageArn: arn(2), replaces: arn(3), backend, project },
      { sagemaker, s3, pollSeconds: 0, sleep: noSleep },
    );
    expect(result).toMatchObject({ changed: true, modelPackageArn: arn(2) });
    expect(mock.commandCalls(UpdateEndpointCommand)[0]?.args[0].input.EndpointConfigName).toBe(
      prodSpec(2).endpointConfigName,
    );
    // The journal records the rollback: which version replaced which, when.
    expect(journal()).toEqual([
      {
        key: expect.stringMatching(/^deployments\/prod\/\d{8}T\d{9}Z-v2\.json$/),
        record: {
          stage: 'prod',
          endpointName: 'sentiment-prod',
          modelPackageArn: arn(2),
          version: 2,
          replaced: arn(3),
          kind: 'rollback',
          at: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
        },
      },
    ]);
  });

  it('fails when the rejected version is live and nothing Approved is left', async () => {
    liveEndpoint({ before: 3, after: 3 }, ['InService']);
    await expect(deployStage({ stage: 'prod', replaces: arn(3), backend, project }, { sagemaker, s3 })).rejects.toThrow(
      /no Approved version is left to roll back to/,
    );
    expect(mock.commandCalls(UpdateEndpointCommand)).toHaveLength(0);
  });

  it('re-creates a Failed endpoint (SageMaker cannot update one)', async () => {
    let described = 0;
    liveEndpoint({ before: 1, after: 2 }, ['Failed']);
    mock.on(DescribeEndpointCommand).callsFake(() => {
      described += 1;
      if (described === 1)
        return {
          EndpointArn: 'arn:x',
          EndpointStatus: 'Failed',
          FailureReason: 'boom',
          EndpointConfigName: prodSpec(1).endpointConfigName,
        };
      if (described === 2) throw notFound('endpoint');
      return { EndpointArn: 'arn:x', EndpointStatus: 'InService', EndpointConfigName: prodSpec(2).endpointConfigName };
    });
    const result = await deployStage(
      { stage: 'prod', modelPackageArn: arn(2), backend, project },
      { sagemaker, s3, pollSeconds: 0, sleep: noSleep },
    );
    expect(result.changed).toBe(true);
    expect(mock.commandCalls(CreateEndpointCommand)).toHaveLength(1);
    expect(mock.commandCalls(UpdateEndpointCommand)).toHaveLength(0);
  });

  it("reports SageMaker's failure reason when the endpoint ends Failed", async () => {
    mock.reset();
    liveEndpoint({ before: 1, after: 2 }, ['InService']);
    let described = 0;
    mock.on(DescribeEndpointCommand).callsFake(() => {
      described += 1;
      return described === 1
        ? { EndpointArn: 'arn:x', EndpointStatus: 'InService', EndpointConfigName: prodSpec(1).endpointConfigName }
        : {
            EndpointArn: 'arn:x',
            EndpointStatus: 'Failed',
            FailureReason: 'model_fn raised KeyError',
            EndpointConfigName: prodSpec(2).endpointConfigName,
          };
    });
    await expect(
      deployStage(
        { stage: 'prod', modelPackageArn: arn(2), backend, project },
        { sagemaker, s3, pollSeconds: 0, sleep: noSleep },
      ),
    ).rejects.toThrow(/sentiment-prod is Failed: model_fn raised KeyError/);
  });

  it("waits for the deletion with the SDK's waiter: a delete that ends Failed fails at once, naming the endpoint", async () => {
    let described = 0;
    liveEndpoint({ before: 1, after: 2 }, ['Failed']);
    mock.on(DescribeEndpointCommand).callsFake(() => {
      described += 1;
      const status = described === 1 ? 'Failed' : described === 2 ? 'Deleting' : 'Failed';
      return { EndpointArn: 'arn:x', EndpointStatus: status, EndpointConfigName: prodSpec(1).endpointConfigName };
    });
    const started = Date.now();
    await expect(
      deployStage(
        { stage: 'prod', modelPackageArn: arn(2), backend, project, timeoutSeconds: 60 },
        { sagemaker, pollSeconds: 0, sleep: noSleep },
      ),
    ).rejects.toThrow(/Endpoint sentiment-prod was not deleted because it is Failed/);
    // The hand loop waited for the timeout while the endpoint stayed Failed; the waiter stops on Failed.
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(mock.commandCalls(CreateEndpointCommand)).toHaveLength(0);
  });

  it('gives up on a deletion that outlasts the timeout', async () => {
    liveEndpoint({ before: 1, after: 2 }, ['Failed']);
    let described = 0;
    mock.on(DescribeEndpointCommand).callsFake(() => {
      described += 1;
      const status = described === 1 ? 'Failed' : 'Deleting';
      return { EndpointArn: 'arn:x', EndpointStatus: status, EndpointConfigName: prodSpec(1).endpointConfigName };
    });
    await expect(
      deployStage(
        { stage: 'prod', modelPackageArn: arn(2), backend, project, timeoutSeconds: 1 },
        { sagemaker, pollSeconds: 0.05, sleep: noSleep },
      ),
    ).rejects.toThrow(/Endpoint sentiment-prod was not deleted within 1 s/);
  });
});
