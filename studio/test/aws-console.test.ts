import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { CreateBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import {
  CreateEndpointCommand,
  CreateEndpointConfigCommand,
  CreateModelCommand,
  CreateModelPackageCommand,
  CreateModelPackageGroupCommand,
  CreatePipelineCommand,
  DescribeModelPackageCommand,
  SageMakerClient,
  StartPipelineExecutionCommand,
} from '@aws-sdk/client-sagemaker';
import { loadProjectConfig } from '@slipway/core';
import { MONITORING_PREFIX, RetrainGate, S3RetrainLedger } from '@slipway/deploy-pipeline';
import { motoClientConfig, startMoto, toolsMissing, type MotoServer } from '../../test/support/moto-server.js';
import { startAwsConsole, type AwsConsole } from '../src/index.js';
import type {
  MonitoringView,
  ConsoleInfo,
  DeploymentsView,
  EndpointView,
  ExecutionView,
  ModelGroupView,
  ModelVersionView,
  PipelineView,
} from '../src/views.js';
import { describeInBrowser, launchBrowser, pageProblems, screenshot } from './support/browser.js';
import { signIn, type ConsoleClient } from './support/console-client.js';
import { REPO_ROOT, ensurePageBundle } from './support/studio-page.js';

/**
 * `slipway studio --aws` against something that speaks AWS: moto's server stands in for SageMaker and S3.
 * What moto cannot serve (ListPipelineVersions, ListPipelineExecutionSteps, running a pipeline at all) the
 * console shows as unknown rather than failing the page.
 */

const ROLE = 'arn:aws:iam::123456789012:role/sagemaker';
const missing = toolsMissing('moto_server');
const suite = missing ? describe.skip : describe;
if (missing) process.stderr.write(`NOT RUN: the --aws console tests against moto: ${missing}\n`);

const REPORT = {
  multiclass_classification_metrics: {
    accuracy: { value: 0.87 },
    confusion_matrix: { negative: { negative: 4, positive: 1 }, positive: { negative: 0, positive: 5 } },
  },
};

let moto: MotoServer;
let sagemaker: SageMakerClient;
let packageArn = '';
let executionArn = '';

beforeAll(async () => {
  if (missing) return;
  await ensurePageBundle();
  moto = await startMoto();
  const config = motoClientConfig(moto);
  sagemaker = new SageMakerClient(config);
  const s3 = new S3Client({ ...config, forcePathStyle: true });
  await s3.send(new CreateBucketCommand({ Bucket: 'aws-bkt' }));
  await s3.send(new PutObjectCommand({ Bucket: 'aws-bkt', Key: 'evaluation.json', Body: JSON.stringify(REPORT) }));
  s3.destroy();
  const definition = {
    Version: '2020-12-01',
    Metadata: {},
    Parameters: [{ Name: 'MinAccuracy', Type: 'Float', DefaultValue: 0.7 }],
    Steps: [{ Name: 'Check', Type: 'Fail', Arguments: { ErrorMessage: 'no' } }],
  };
  await sagemaker.send(
    new CreatePipelineCommand({
      PipelineName: 'sentiment-pipeline',
      RoleArn: ROLE,
      PipelineDefinition: JSON.stringify(definition),
      ClientRequestToken: 'a'.repeat(32),
    }),
  );
  executionArn = (await sagemaker.send(new StartPipelineExecutionCommand({ PipelineName: 'sentiment-pipeline' })))
    .PipelineExecutionArn!;
  await sagemaker.send(new CreateModelPackageGroupCommand({ ModelPackageGroupName: 'sentiment-models' }));
  packageArn = (
    await sagemaker.send(
      new CreateModelPackageCommand({
        ModelPackageGroupName: 'sentiment-models',
        ModelApprovalStatus: 'PendingManualApproval',
        InferenceSpecification: {
          Containers: [{ Image: 'sklearn:1.2-1', ModelDataUrl: 's3://aws-bkt/model.tar.gz' }],
          SupportedContentTypes: ['application/json'],
          SupportedResponseMIMETypes: ['application/json'],
        },
        ModelMetrics: {
          ModelQuality: { Statistics: { ContentType: 'application/json', S3Uri: 's3://aws-bkt/evaluation.json' } },
        },
        CustomerMetadataProperties: { source_revision: 'abcdef1234567', source_repository: 'acme/reviews' },
      }),
    )
  ).ModelPackageArn!;
  await sagemaker.send(
    new CreateModelCommand({
      ModelName: 'sentiment-staging-v1',
      ExecutionRoleArn: ROLE,
      PrimaryContainer: { ModelPackageName: packageArn },
    }),
  );
  await sagemaker.send(
    new CreateEndpointConfigCommand({
      EndpointConfigName: 'sentiment-staging-v1',
      ProductionVariants: [
        {
          VariantName: 'AllTraffic',
          ModelName: 'sentiment-staging-v1',
          InitialInstanceCount: 1,
          InstanceType: 'ml.m5.large',
        },
      ],
    }),
  );
  await sagemaker.send(
    new CreateEndpointCommand({ EndpointName: 'sentiment-staging', EndpointConfigName: 'sentiment-staging-v1' }),
  );
}, 60_000);

afterAll(async () => {
  sagemaker?.destroy();
  await moto?.stop();
});

async function openConsole(allowApprove: boolean): Promise<{ console: AwsConsole; client: ConsoleClient }> {
  const console = await startAwsConsole({
    region: moto.region,
    allowApprove,
    project: loadProjectConfig({ cwd: REPO_ROOT }),
    clientConfig: motoClientConfig(moto),
    log: { info: () => {}, warn: () => {}, error: () => {} },
  });
  const token = decodeURIComponent(console.link.split('token=')[1]!);
  return { console, client: await signIn(console.url, token) };
}

suite('the console over AWS (moto)', () => {
  let readOnly: { console: AwsConsole; client: ConsoleClient };

  beforeAll(async () => {
    readOnly = await openConsole(false);
  });
  afterAll(async () => {
    await readOnly?.console.close();
  });

  it('is read-only and says that live updates come by refreshing', async () => {
    const { body } = await readOnly.client.get<ConsoleInfo>('info');
    expect(body).toMatchObject({
      mode: 'aws',
      permissions: { execute: false, approve: false, promote: false, invoke: false },
      live: 'refresh',
      refreshSeconds: 10,
      features: { approvalHistory: false, jobLogs: false, deployRuns: false, invocationLatency: false },
    });
  });

  it('reads pipelines and executions through the same calls', async () => {
    const { body } = await readOnly.client.get<PipelineView>('pipeline', { name: 'sentiment-pipeline' });
    expect(body.parameters).toEqual([{ name: 'MinAccuracy', type: 'Float', defaultValue: '0.7' }]);
    expect(body.executions.map((execution) => execution.arn)).toEqual([executionArn]);
    // moto has no ListPipelineVersions: the page shows no versions rather than failing.
    expect(body.versions).toEqual([]);
    const execution = await readOnly.client.get<ExecutionView | { error: { message: string } }>('execution', {
      arn: executionArn,
    });
    // moto has no ListPipelineExecutionSteps either: the DAG's steps are drawn as not run.
    expect(execution.status).toBe(200);
    expect((execution.body as ExecutionView).steps).toEqual([{ name: 'Check', type: 'Fail', status: 'NotRun' }]);
    expect((execution.body as ExecutionView).note).toMatch(/does not list the execution's steps/);
  });

  it('reads the registry: metrics from S3, the current approval only (SageMaker keeps no history)', async () => {
    const group = await readOnly.client.get<ModelGroupView>('model-group', { name: 'sentiment-models' });
    expect(group.body.versions).toEqual([
      expect.objectContaining({
        arn: packageArn,
        metrics: { accuracy: 0.87 },
        approvalStatus: 'PendingManualApproval',
      }),
    ]);
    const version = await readOnly.client.get<ModelVersionView>('model-version', { arn: packageArn });
    expect(version.body).toMatchObject({
      historyComplete: false,
      history: [{ newStatus: 'PendingManualApproval' }],
      evaluation: {
        confusion: {
          labels: ['negative', 'positive'],
          rows: [
            [4, 1],
            [0, 5],
          ],
        },
      },
      lineage: { source: { commitUrl: 'https://github.com/acme/reviews/commit/abcdef1234567' } },
      servedBy: ['staging'],
    });
  });

  it("shows each stage's live version, and says GitHub keeps the deploy runs", async () => {
    const { body } = await readOnly.client.get<DeploymentsView>('deployments');
    expect(body.stages.map((stage) => [stage.stage, stage.endpointStatus, stage.modelPackageArn])).toEqual([
      ['staging', 'InService', packageArn],
      ['prod', undefined, undefined],
    ]);
    expect(body.runs).toEqual([]);
    expect(body.note).toMatch(/GitHub Actions/);
    const endpoint = await readOnly.client.get<EndpointView>('endpoint', { name: 'sentiment-staging' });
    expect(endpoint.body.variants).toEqual([
      expect.objectContaining({ name: 'AllTraffic', modelPackageArn: packageArn }),
    ]);
    expect(endpoint.body.latency).toBeUndefined();
    expect(endpoint.body.latencyNote).toMatch(/CloudWatch/);
  });

  it("shows the drift checks from the bucket and the retrains from build.yml's ledger in it", async () => {
    const project = loadProjectConfig({ cwd: REPO_ROOT });
    const s3 = new S3Client({ ...motoClientConfig(moto), forcePathStyle: true });
    try {
      await s3.send(new CreateBucketCommand({ Bucket: project.artifactBucket }));
      const checkId = '2026-12-04T120000Z-aaaa';
      await s3.send(
        new PutObjectCommand({
          Bucket: project.artifactBucket,
          Key: `${MONITORING_PREFIX}/sentiment-staging/${checkId}/drift_report.json`,
          Body: JSON.stringify({
            start_time: '2026-12-04T11:00:00Z',
            end_time: '2026-12-04T12:00:00Z',
            item_count: 2000,
            drifted: ['oov_rate'],
            features: [],
          }),
        }),
      );
      await new RetrainGate(new S3RetrainLedger(s3, project.artifactBucket)).admit({
        endpoint_name: 'sentiment-staging',
        model_package_arn: packageArn,
        check_id: checkId,
        window_end: '2026-12-04T12:00:00Z',
        report_s3_uri: `s3://${project.artifactBucket}/${MONITORING_PREFIX}/sentiment-staging/${checkId}/`,
        event_id: 'evt-1',
      });
    } finally {
      s3.destroy();
    }
    const { status, body } = await readOnly.client.get<MonitoringView>('monitoring');
    expect(status).toBe(200);
    expect(body.endpoints).toEqual(['sentiment-staging', 'sentiment-prod']);
    expect(body.checks.map((check) => [check.endpointName, check.drifted])).toEqual([
      ['sentiment-staging', ['oov_rate']],
    ]);
    expect(body.retrains.map((retrain) => [retrain.endpointName, retrain.modelPackageArn])).toEqual([
      ['sentiment-staging', packageArn],
    ]);
    expect(body.retrainLedger).toBe(`s3://${project.artifactBucket}/monitoring/retrains.json`);
  });

  it('refuses every change', async () => {
    const approval = await readOnly.client.post<{ error: { code: string; message: string } }>(
      'model-version/approval',
      {
        arn: packageArn,
        status: 'Approved',
        reason: 'looks good',
      },
    );
    expect(approval.status).toBe(403);
    expect(approval.body.error.message).toMatch(/read-only unless started with --allow-approve/);
    const start = await readOnly.client.post<{ error: { code: string } }>('pipeline/start', {
      name: 'sentiment-pipeline',
      parameters: {},
    });
    expect(start.status).toBe(403);
    const described = await sagemaker.send(new DescribeModelPackageCommand({ ModelPackageName: packageArn }));
    expect(described.ModelApprovalStatus).toBe('PendingManualApproval');
  });

  it('approves with --allow-approve, through UpdateModelPackage', async () => {
    const approving = await openConsole(true);
    try {
      const approved = await approving.client.post<ModelVersionView>('model-version/approval', {
        arn: packageArn,
        status: 'Approved',
        reason: 'reviewed on AWS',
      });
      expect(approved.status).toBe(200);
      const described = await sagemaker.send(new DescribeModelPackageCommand({ ModelPackageName: packageArn }));
      expect(described).toMatchObject({ ModelApprovalStatus: 'Approved', ApprovalDescription: 'reviewed on AWS' });
      const start = await approving.client.post<{ error: { code: string } }>('pipeline/start', {
        name: 'sentiment-pipeline',
        parameters: {},
      });
      expect(start.status).toBe(403);
    } finally {
      await approving.console.close();
    }
  });

  describeInBrowser('in the browser', () => {
    it('shows the registry read-only', async () => {
      const browser = await launchBrowser();
      try {
        const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
        const problems = pageProblems(page);
        await page.goto(readOnly.console.link);
        await page.getByText('read-only', { exact: true }).waitFor();
        await page.goto(`${readOnly.console.url}/studio/#/model?arn=${encodeURIComponent(packageArn)}`);
        await page.locator('[data-testid=confusion-matrix]').waitFor();
        expect(await page.getByTestId('approve').count()).toBe(0);
        await screenshot(page, 'aws-01-model-version');
        await page.goto(`${readOnly.console.url}/studio/#/deployments`);
        await page.locator('[data-stage=staging][data-status=InService]').waitFor();
        await screenshot(page, 'aws-02-deployments');
        expect(problems).toEqual([]);
      } finally {
        await browser.close();
      }
    }, 60_000);
  });
});
