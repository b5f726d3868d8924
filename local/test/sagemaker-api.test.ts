import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  CreateModelPackageCommand,
  CreateModelPackageGroupCommand,
  CreatePipelineCommand,
  DeletePipelineCommand,
  DescribeModelPackageCommand,
  DescribeModelPackageGroupCommand,
  DescribePipelineCommand,
  DescribePipelineDefinitionForExecutionCommand,
  DescribePipelineExecutionCommand,
  ListModelPackageGroupsCommand,
  ListModelPackagesCommand,
  ListPipelineExecutionsCommand,
  ListPipelineParametersForExecutionCommand,
  ListPipelinesCommand,
  SageMakerClient,
  StartPipelineExecutionCommand,
  UpdateModelPackageCommand,
  UpdatePipelineCommand,
} from '@aws-sdk/client-sagemaker';
import { awsClientConfig } from '@slipway/core';
import { ROLE, startTestServer, type TestServer } from './support/harness.js';
import { MOTO_SERVER, motoAvailable, startMoto, type MotoServer } from './support/moto.js';

/**
 * The same API cases against the local server and against moto's server, so both are held to the same
 * shapes and error codes. Where moto answers differently from the SageMaker API reference, the case says
 * so through `differs` and asserts what each implementation does (see local/README.md, "moto").
 */
interface Backend {
  readonly name: 'local' | 'moto';
  readonly client: SageMakerClient;
}

const DEFINITION = JSON.stringify({
  Version: '2020-12-01',
  Metadata: {},
  Parameters: [
    { Name: 'Threshold', Type: 'Float', DefaultValue: 0.5 },
    { Name: 'Label', Type: 'String', DefaultValue: 'x' },
  ],
  Steps: [{ Name: 'Stop', Type: 'Fail', Arguments: { ErrorMessage: { Get: 'Parameters.Label' } } }],
});
const INFERENCE = {
  Containers: [
    { Image: '123456789012.dkr.ecr.us-east-1.amazonaws.com/serve:1', ModelDataUrl: 's3://bkt/model.tar.gz' },
  ],
  SupportedContentTypes: ['application/json'],
  SupportedResponseMIMETypes: ['application/json'],
};

function apiCases(backend: () => Backend): void {
  const sm = () => backend().client;
  const isLocal = () => backend().name === 'local';
  const name = (base: string) => `${base}-${backend().name}`;

  it('CreatePipeline returns the pipeline ARN; a second create of the same name is a ValidationException saying it exists', async () => {
    const created = await sm().send(
      new CreatePipelineCommand({ PipelineName: name('dup'), RoleArn: ROLE, PipelineDefinition: DEFINITION }),
    );
    expect(created.PipelineArn).toMatch(
      new RegExp(`^arn:aws:sagemaker:us-east-1:\\d{12}:pipeline/${name('dup')}$`, 'i'),
    );
    await expect(
      sm().send(
        new CreatePipelineCommand({ PipelineName: name('dup'), RoleArn: ROLE, PipelineDefinition: DEFINITION }),
      ),
    ).rejects.toMatchObject({
      name: 'ValidationException',
      message: expect.stringContaining('already exists'),
    });
  });

  it('DescribePipeline returns the stored definition; UpdatePipeline replaces it', async () => {
    await sm().send(
      new CreatePipelineCommand({
        PipelineName: name('desc'),
        RoleArn: ROLE,
        PipelineDefinition: DEFINITION,
        PipelineDescription: 'first',
      }),
    );
    const described = await sm().send(new DescribePipelineCommand({ PipelineName: name('desc') }));
    expect(described).toMatchObject({
      PipelineName: name('desc'),
      RoleArn: ROLE,
      PipelineStatus: 'Active',
      PipelineDescription: 'first',
    });
    expect(JSON.parse(described.PipelineDefinition!)).toEqual(JSON.parse(DEFINITION));
    expect(described.CreationTime).toBeInstanceOf(Date);
    const changed = JSON.stringify({ ...JSON.parse(DEFINITION), Metadata: { note: 'v2' } });
    const updated = await sm().send(
      new UpdatePipelineCommand({ PipelineName: name('desc'), PipelineDefinition: changed }),
    );
    expect(updated.PipelineArn).toBe(described.PipelineArn);
    // moto differs: UpdatePipeline answers without PipelineVersionId.
    expect(updated.PipelineVersionId).toBe(isLocal() ? 2 : undefined);
    const again = await sm().send(new DescribePipelineCommand({ PipelineName: name('desc') }));
    expect(JSON.parse(again.PipelineDefinition!)).toEqual(JSON.parse(changed));
  });

  it('a missing pipeline is ResourceNotFound (moto differs: ValidationException)', async () => {
    const expected = isLocal() ? 'ResourceNotFound' : 'ValidationException';
    await expect(sm().send(new DescribePipelineCommand({ PipelineName: name('ghost') }))).rejects.toMatchObject({
      name: expected,
    });
    await expect(sm().send(new StartPipelineExecutionCommand({ PipelineName: name('ghost') }))).rejects.toMatchObject({
      name: expected,
    });
  });

  it('ListPipelines filters by name prefix; DeletePipeline removes the pipeline', async () => {
    await sm().send(
      new CreatePipelineCommand({ PipelineName: name('listed-a'), RoleArn: ROLE, PipelineDefinition: DEFINITION }),
    );
    await sm().send(
      new CreatePipelineCommand({ PipelineName: name('listed-b'), RoleArn: ROLE, PipelineDefinition: DEFINITION }),
    );
    const listed = await sm().send(new ListPipelinesCommand({ PipelineNamePrefix: 'listed-' }));
    expect(listed.PipelineSummaries?.map((p) => p.PipelineName).sort()).toEqual([name('listed-a'), name('listed-b')]);
    const deleted = await sm().send(new DeletePipelineCommand({ PipelineName: name('listed-a') }));
    expect(deleted.PipelineArn).toMatch(/pipeline\//);
    const after = await sm().send(new ListPipelinesCommand({ PipelineNamePrefix: 'listed-' }));
    expect(after.PipelineSummaries?.map((p) => p.PipelineName)).toEqual([name('listed-b')]);
  });

  it('StartPipelineExecution gives an execution ARN that Describe, List, parameters and definition calls know', async () => {
    await sm().send(
      new CreatePipelineCommand({ PipelineName: name('exec'), RoleArn: ROLE, PipelineDefinition: DEFINITION }),
    );
    const started = await sm().send(
      new StartPipelineExecutionCommand({
        PipelineName: name('exec'),
        PipelineExecutionDisplayName: 'first-run',
        PipelineParameters: [
          { Name: 'Threshold', Value: '0.7' },
          { Name: 'Label', Value: 'hello' },
        ],
      }),
    );
    const arn = started.PipelineExecutionArn!;
    expect(arn).toMatch(
      new RegExp(`^arn:aws:sagemaker:us-east-1:\\d{12}:pipeline/${name('exec')}/execution/[a-z0-9]+$`, 'i'),
    );
    const described = await sm().send(new DescribePipelineExecutionCommand({ PipelineExecutionArn: arn }));
    expect(described.PipelineExecutionArn).toBe(arn);
    expect(described.PipelineExecutionDisplayName).toBe('first-run');
    expect(['Executing', 'Stopping', 'Stopped', 'Failed', 'Succeeded']).toContain(described.PipelineExecutionStatus);
    const listed = await sm().send(new ListPipelineExecutionsCommand({ PipelineName: name('exec') }));
    expect(listed.PipelineExecutionSummaries?.map((s) => s.PipelineExecutionArn)).toEqual([arn]);
    const parameters = await sm().send(new ListPipelineParametersForExecutionCommand({ PipelineExecutionArn: arn }));
    expect(parameters.PipelineParameters).toEqual([
      { Name: 'Threshold', Value: '0.7' },
      { Name: 'Label', Value: 'hello' },
    ]);
    const definition = await sm().send(
      new DescribePipelineDefinitionForExecutionCommand({ PipelineExecutionArn: arn }),
    );
    expect(JSON.parse(definition.PipelineDefinition!)).toEqual(JSON.parse(DEFINITION));
  });

  it('model package groups: create, describe, list', async () => {
    const created = await sm().send(
      new CreateModelPackageGroupCommand({
        ModelPackageGroupName: name('group-a'),
        ModelPackageGroupDescription: 'reviews',
      }),
    );
    expect(created.ModelPackageGroupArn).toMatch(new RegExp(`:model-package-group/${name('group-a')}$`, 'i'));
    const described = await sm().send(new DescribeModelPackageGroupCommand({ ModelPackageGroupName: name('group-a') }));
    expect(described).toMatchObject({
      ModelPackageGroupName: name('group-a'),
      ModelPackageGroupDescription: 'reviews',
      ModelPackageGroupStatus: 'Completed',
    });
    const listed = await sm().send(new ListModelPackageGroupsCommand({ NameContains: 'group-a' }));
    expect(listed.ModelPackageGroupSummaryList?.map((g) => g.ModelPackageGroupName)).toEqual([name('group-a')]);
    await expect(
      sm().send(new DescribeModelPackageGroupCommand({ ModelPackageGroupName: name('no-group') })),
    ).rejects.toMatchObject({
      name: 'ValidationException',
    });
  });

  it('creating a group that exists is refused (moto differs: it replaces the group)', async () => {
    await sm().send(new CreateModelPackageGroupCommand({ ModelPackageGroupName: name('group-twice') }));
    const again = sm().send(new CreateModelPackageGroupCommand({ ModelPackageGroupName: name('group-twice') }));
    if (isLocal())
      await expect(again).rejects.toMatchObject({
        name: 'ValidationException',
        message: expect.stringContaining('already exists'),
      });
    else await expect(again).resolves.toBeDefined();
  });

  it('model package versions count from 1 per group, list Ascending by default, filter, page and approve', async () => {
    const group = name('group-v');
    await sm().send(new CreateModelPackageGroupCommand({ ModelPackageGroupName: group }));
    const arns: string[] = [];
    for (let i = 0; i < 3; i += 1) {
      const created = await sm().send(
        new CreateModelPackageCommand({
          ModelPackageGroupName: group,
          InferenceSpecification: INFERENCE,
          ModelApprovalStatus: 'PendingManualApproval',
        }),
      );
      arns.push(created.ModelPackageArn!);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(arns.map((arn) => arn.split('/').pop())).toEqual(['1', '2', '3']);
    const ascending = await sm().send(new ListModelPackagesCommand({ ModelPackageGroupName: group }));
    expect(ascending.ModelPackageSummaryList?.map((p) => p.ModelPackageVersion)).toEqual([1, 2, 3]);
    const latest = await sm().send(
      new ListModelPackagesCommand({
        ModelPackageGroupName: group,
        SortBy: 'CreationTime',
        SortOrder: 'Descending',
        MaxResults: 1,
      }),
    );
    expect(latest.ModelPackageSummaryList?.map((p) => p.ModelPackageArn)).toEqual([arns[2]]);
    expect(latest.NextToken).toBeDefined();
    const next = await sm().send(
      new ListModelPackagesCommand({
        ModelPackageGroupName: group,
        SortBy: 'CreationTime',
        SortOrder: 'Descending',
        MaxResults: 1,
        NextToken: latest.NextToken,
      }),
    );
    expect(next.ModelPackageSummaryList?.map((p) => p.ModelPackageArn)).toEqual([arns[1]]);

    await sm().send(
      new UpdateModelPackageCommand({
        ModelPackageArn: arns[1],
        ModelApprovalStatus: 'Approved',
        ApprovalDescription: 'looks good',
      }),
    );
    const approved = await sm().send(new DescribeModelPackageCommand({ ModelPackageName: arns[1] }));
    expect(approved).toMatchObject({
      ModelPackageGroupName: group,
      ModelPackageVersion: 2,
      ModelApprovalStatus: 'Approved',
      ApprovalDescription: 'looks good',
      ModelPackageStatus: 'Completed',
    });
    expect(approved.InferenceSpecification?.Containers?.[0]?.ModelDataUrl).toBe('s3://bkt/model.tar.gz');
    const onlyApproved = await sm().send(
      new ListModelPackagesCommand({ ModelPackageGroupName: group, ModelApprovalStatus: 'Approved' }),
    );
    expect(onlyApproved.ModelPackageSummaryList?.map((p) => p.ModelPackageArn)).toEqual([arns[1]]);
  });

  it('CreateModelPackage needs an existing group', async () => {
    await expect(
      sm().send(
        new CreateModelPackageCommand({
          ModelPackageGroupName: name('missing-group'),
          InferenceSpecification: INFERENCE,
        }),
      ),
    ).rejects.toMatchObject({ name: 'ValidationException', message: expect.stringMatching(/does not exist/) });
  });

  it('describing a model package that does not exist is a ValidationException', async () => {
    await expect(
      sm().send(
        new DescribeModelPackageCommand({
          ModelPackageName: 'arn:aws:sagemaker:us-east-1:000000000000:model-package/nothing/9',
        }),
      ),
    ).rejects.toMatchObject({ name: 'ValidationException' });
  });
}

describe('SageMaker API on the local server', () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer();
  });
  afterAll(async () => {
    await t.close();
  });
  apiCases(() => ({ name: 'local', client: t.sagemaker }));
});

describe('the same SageMaker API cases on moto', () => {
  if (!motoAvailable) {
    it.skip(`skipped: ${MOTO_SERVER} is absent (run npm run setup to install moto[server])`, () => {});
    return;
  }
  let moto: MotoServer;
  let client: SageMakerClient;
  beforeAll(async () => {
    moto = await startMoto();
    client = new SageMakerClient({
      ...awsClientConfig({ kind: 'local', region: 'us-east-1', endpoint: moto.url, credentials: moto.credentials }),
      maxAttempts: 1,
    });
  }, 30_000);
  afterAll(async () => {
    client?.destroy();
    await moto?.stop();
  });
  apiCases(() => ({ name: 'moto', client }));
});
