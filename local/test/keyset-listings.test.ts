// ListModelPackages, ListPipelineExecutions and ListPipelineExecutionSteps read their pages by key through an
// index: a page costs the same at the 100,000th version as at the first (bench/registry-scale.mjs measures it),
// NextToken stays opaque, bound to the request that returned it, and valid while the listing grows.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  CreateModelPackageGroupCommand,
  ListModelPackagesCommand,
  ListPipelineExecutionStepsCommand,
  ListPipelineExecutionsCommand,
  StartPipelineExecutionCommand,
  type ModelPackageSummary,
} from '@aws-sdk/client-sagemaker';
import type { ModelApprovalStatus } from '../src/store/model-package-repository.js';
import { runPipeline, startTestServer, type TestServer } from './support/harness.js';

let test: TestServer;
const GROUP = 'keyset-models';
const OTHER = 'other-models';
const epoch = Date.UTC(2026, 0, 1);

/** Stores a version straight into the registry's table, at a chosen time (several may share a millisecond). */
function seedVersion(group: string, version: number, at: number, status: ModelApprovalStatus): void {
  const when = new Date(at);
  test.server.store.modelPackages.insertPackage({
    arn: `arn:aws:sagemaker:us-east-1:000000000000:model-package/${group}/${version}`,
    groupName: group,
    version,
    approvalStatus: status,
    details: {
      InferenceSpecification: { Containers: [{ Image: 'serve', ModelDataUrl: `s3://b/${version}/model.tar.gz` }] },
      ...(version % 5 === 0 ? { ModelLifeCycle: { Stage: 'Production', StageStatus: 'Approved' } } : {}),
    },
    createdAt: when,
    createdBy: 'test',
    modifiedAt: when,
    modifiedBy: 'test',
  });
}

const versionsOf = (list: ModelPackageSummary[] | undefined) => (list ?? []).map((p) => p.ModelPackageVersion);

beforeAll(async () => {
  test = await startTestServer();
  await test.sagemaker.send(new CreateModelPackageGroupCommand({ ModelPackageGroupName: GROUP }));
  await test.sagemaker.send(new CreateModelPackageGroupCommand({ ModelPackageGroupName: OTHER }));
  // 30 versions sharing a millisecond in threes (1-3, 4-6, ..., 28-30); every seventh is Approved.
  for (let version = 1; version <= 30; version += 1) {
    seedVersion(
      GROUP,
      version,
      epoch + Math.floor((version - 1) / 3) * 1000,
      version % 7 === 0 ? 'Approved' : 'PendingManualApproval',
    );
  }
  for (let version = 1; version <= 3; version += 1) seedVersion(OTHER, version, epoch + version * 1500, 'Approved');
});

afterAll(async () => {
  await test.close();
});

describe('ListModelPackages', () => {
  it('newest first is the highest version, also among versions registered in the same millisecond', async () => {
    const newest = await test.sagemaker.send(
      new ListModelPackagesCommand({ ModelPackageGroupName: GROUP, SortOrder: 'Descending', MaxResults: 1 }),
    );
    expect(versionsOf(newest.ModelPackageSummaryList)).toEqual([30]);
    const approved = await test.sagemaker.send(
      new ListModelPackagesCommand({
        ModelPackageGroupName: GROUP,
        SortBy: 'CreationTime',
        SortOrder: 'Descending',
        ModelApprovalStatus: 'Approved',
        MaxResults: 1,
      }),
    );
    expect(versionsOf(approved.ModelPackageSummaryList)).toEqual([28]);
  });

  it('pages through every version once, in order, both ways', async () => {
    for (const SortOrder of ['Ascending', 'Descending'] as const) {
      const seen: (number | undefined)[] = [];
      let NextToken: string | undefined;
      do {
        const page = await test.sagemaker.send(
          new ListModelPackagesCommand({ ModelPackageGroupName: GROUP, SortOrder, MaxResults: 4, NextToken }),
        );
        seen.push(...versionsOf(page.ModelPackageSummaryList));
        NextToken = page.NextToken;
      } while (NextToken);
      const all = Array.from({ length: 30 }, (_, index) => index + 1);
      expect(seen).toEqual(SortOrder === 'Ascending' ? all : all.reverse());
    }
  });

  it('keeps a NextToken valid while new versions are registered: nothing repeats, nothing is skipped', async () => {
    const group = 'growing-models';
    await test.sagemaker.send(new CreateModelPackageGroupCommand({ ModelPackageGroupName: group }));
    for (let version = 1; version <= 10; version += 1) seedVersion(group, version, epoch + version, 'Approved');
    const first = await test.sagemaker.send(
      new ListModelPackagesCommand({ ModelPackageGroupName: group, SortOrder: 'Descending', MaxResults: 4 }),
    );
    expect(versionsOf(first.ModelPackageSummaryList)).toEqual([10, 9, 8, 7]);
    // Three newer versions arrive between two pages (an offset token would now repeat 7, 8 and 9).
    for (let version = 11; version <= 13; version += 1) seedVersion(group, version, epoch + version, 'Approved');
    const seen = versionsOf(first.ModelPackageSummaryList);
    let NextToken = first.NextToken;
    while (NextToken) {
      const page = await test.sagemaker.send(
        new ListModelPackagesCommand({
          ModelPackageGroupName: group,
          SortOrder: 'Descending',
          MaxResults: 4,
          NextToken,
        }),
      );
      seen.push(...versionsOf(page.ModelPackageSummaryList));
      NextToken = page.NextToken;
    }
    expect(seen).toEqual([10, 9, 8, 7, 6, 5, 4, 3, 2, 1]);
  });

  it('gives the same token for the same position, and refuses it for another order or filter', async () => {
    const request = { ModelPackageGroupName: GROUP, MaxResults: 5 };
    const once = await test.sagemaker.send(new ListModelPackagesCommand(request));
    const again = await test.sagemaker.send(new ListModelPackagesCommand(request));
    expect(once.NextToken).toBeDefined();
    expect(again.NextToken).toBe(once.NextToken);
    for (const changed of [
      { SortOrder: 'Descending' as const },
      { ModelApprovalStatus: 'Approved' as const },
      { SortBy: 'Name' as const },
    ]) {
      await expect(
        test.sagemaker.send(new ListModelPackagesCommand({ ...request, ...changed, NextToken: once.NextToken })),
      ).rejects.toMatchObject({
        name: 'ValidationException',
        message: expect.stringContaining('NextToken belongs to a request with other filters, SortBy or SortOrder'),
      });
    }
    await expect(
      test.sagemaker.send(new ListModelPackagesCommand({ ...request, NextToken: 'not-a-token' })),
    ).rejects.toMatchObject({ name: 'ValidationException' });
  });

  it('keeps the filters and orders SageMaker offers', async () => {
    const byName = await test.sagemaker.send(
      new ListModelPackagesCommand({
        ModelPackageType: 'Versioned',
        SortBy: 'Name',
        SortOrder: 'Descending',
        MaxResults: 100,
      }),
    );
    const names = (byName.ModelPackageSummaryList ?? []).map((p) => p.ModelPackageGroupName);
    expect(names).toEqual([...names].sort().reverse());
    const other = await test.sagemaker.send(
      new ListModelPackagesCommand({ ModelPackageType: 'Both', NameContains: 'other', MaxResults: 100 }),
    );
    expect(
      (other.ModelPackageSummaryList ?? []).map((p) => `${p.ModelPackageGroupName}/${p.ModelPackageVersion}`),
    ).toEqual([`${OTHER}/1`, `${OTHER}/2`, `${OTHER}/3`]);
    const window = await test.sagemaker.send(
      new ListModelPackagesCommand({
        ModelPackageGroupName: GROUP,
        CreationTimeAfter: new Date(epoch + 2000),
        CreationTimeBefore: new Date(epoch + 4000),
      }),
    );
    expect(versionsOf(window.ModelPackageSummaryList)).toEqual([10, 11, 12]);
    const unversioned = await test.sagemaker.send(new ListModelPackagesCommand({}));
    expect(unversioned.ModelPackageSummaryList).toEqual([]);
    const lifeCycle = await test.sagemaker.send(
      new ListModelPackagesCommand({ ModelPackageGroupName: GROUP, MaxResults: 5 }),
    );
    expect(lifeCycle.ModelPackageSummaryList?.[4]).toMatchObject({
      ModelPackageVersion: 5,
      ModelApprovalStatus: 'PendingManualApproval',
      ModelLifeCycle: { Stage: 'Production', StageStatus: 'Approved' },
    });
    expect(lifeCycle.ModelPackageSummaryList?.[0]?.ModelLifeCycle).toBeUndefined();
  });

  it('reads every page through an index, never sorting or scanning the table', () => {
    const plans = [
      { groupName: GROUP, sortBy: 'CreationTime' as const, descending: true, limit: 1 },
      {
        groupName: GROUP,
        approvalStatus: 'Approved' as const,
        sortBy: 'CreationTime' as const,
        descending: true,
        limit: 1,
      },
      { groupName: GROUP, sortBy: 'Name' as const, descending: false, after: [epoch, 3], limit: 100 },
      { sortBy: 'CreationTime' as const, descending: false, limit: 100 },
      { sortBy: 'Name' as const, descending: true, after: [GROUP, epoch, 3], limit: 100 },
    ].map((query) => test.server.store.modelPackages.summariesPlan(query).join('; '));
    for (const plan of plans) {
      expect(plan).toMatch(/USING (COVERING )?INDEX model_packages_by/);
      expect(plan).not.toMatch(/TEMP B-TREE/);
    }
  });
});

describe('ListPipelineExecutions and ListPipelineExecutionSteps', () => {
  let arns: string[] = [];

  beforeAll(async () => {
    const steps = Array.from({ length: 7 }, (_, index) => ({
      Name: `Check${index + 1}`,
      Type: 'Condition',
      Arguments: { Conditions: [{ Type: 'Equals', LeftValue: 1, RightValue: 1 }], IfSteps: [], ElseSteps: [] },
    }));
    const definition = { Version: '2020-12-01', Parameters: [], Steps: steps };
    arns = [await runPipeline(test.sagemaker, 'keyset-pipeline', definition)];
    for (let run = 1; run < 5; run += 1) {
      const started = await test.sagemaker.send(new StartPipelineExecutionCommand({ PipelineName: 'keyset-pipeline' }));
      arns.push(started.PipelineExecutionArn!);
    }
    for (const arn of arns) await test.server.engine.waitFor(arn);
  });

  it('pages through executions newest first by default, and by ARN', async () => {
    const seen: string[] = [];
    let NextToken: string | undefined;
    do {
      const page = await test.sagemaker.send(
        new ListPipelineExecutionsCommand({ PipelineName: 'keyset-pipeline', MaxResults: 2, NextToken }),
      );
      seen.push(...(page.PipelineExecutionSummaries ?? []).map((e) => e.PipelineExecutionArn!));
      NextToken = page.NextToken;
    } while (NextToken);
    expect(seen).toEqual([...arns].reverse());
    const byArn = await test.sagemaker.send(
      new ListPipelineExecutionsCommand({
        PipelineName: 'keyset-pipeline',
        SortBy: 'PipelineExecutionArn',
        SortOrder: 'Ascending',
        MaxResults: 100,
      }),
    );
    expect(byArn.PipelineExecutionSummaries?.map((e) => e.PipelineExecutionArn)).toEqual([...arns].sort());
  });

  it('pages through steps latest first, each once', async () => {
    const seen: string[] = [];
    let NextToken: string | undefined;
    do {
      const page = await test.sagemaker.send(
        new ListPipelineExecutionStepsCommand({ PipelineExecutionArn: arns[0], MaxResults: 3, NextToken }),
      );
      seen.push(...(page.PipelineExecutionSteps ?? []).map((s) => s.StepName!));
      NextToken = page.NextToken;
    } while (NextToken);
    expect([...seen].sort()).toEqual(Array.from({ length: 7 }, (_, index) => `Check${index + 1}`).sort());
    const ascending = await test.sagemaker.send(
      new ListPipelineExecutionStepsCommand({ PipelineExecutionArn: arns[0], SortOrder: 'Ascending', MaxResults: 100 }),
    );
    expect(ascending.PipelineExecutionSteps?.map((s) => s.StepName)).toEqual([...seen].reverse());
  });

  it('reads both through an index', () => {
    const plans = test.server.store.executions.plans(
      { pipelineName: 'keyset-pipeline', sortBy: 'CreationTime', descending: true, after: [epoch, 'x'], limit: 100 },
      { executionArn: arns[0]!, descending: true, after: [3], limit: 100 },
    );
    expect(plans.executions.join('; ')).toMatch(/USING (COVERING )?INDEX executions_by_pipeline_time/);
    expect(plans.steps.join('; ')).toMatch(/USING (COVERING )?INDEX execution_steps_by_seq/);
    for (const plan of [...plans.executions, ...plans.steps]) expect(plan).not.toMatch(/TEMP B-TREE/);
  });
});
