import { statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { CreateBucketCommand } from '@aws-sdk/client-s3';
import { CreatePipelineCommand, StartPipelineExecutionCommand } from '@aws-sdk/client-sagemaker';
import { loadProjectConfig, type EventBridgeEvent } from '@slipway/core';
import { DeployRunStore } from '@slipway/deploy-pipeline';
import {
  ROLE,
  definition,
  nodeProcessingStep,
  startTestServer,
  tempDir,
  waitForExecution,
  type TestServer,
} from '../../local/test/support/harness.js';
import { SleepRunner, SubprocessRunner } from '../../local/test/support/subprocess-runner.js';
import { CONSOLE_TOKEN_FILE, localConsole, readConsoleTokenFile } from '../src/index.js';
import type {
  CompareView,
  ConsoleInfo,
  DeploymentsView,
  ExecutionView,
  ModelGroupView,
  ModelVersionView,
  ObjectPreview,
  PipelineListItem,
  PipelineView,
  StepDetailView,
} from '../src/views.js';
import { readEvents, signIn, type ConsoleClient } from './support/console-client.js';
import { REPO_ROOT, ensurePageBundle } from './support/studio-page.js';

/**
 * The console's API over real HTTP on a local server, as the page uses it: signing in, reads built from the
 * SageMaker API's own handlers, actions that go through the same operations (an approval is the same
 * UpdateModelPackage, with the same event), live events, the job log stream, and the refusals.
 */

const BUCKET = 'console-bkt';
const output = (step: string, name: string) => ({
  'Std:Join': { On: '/', Values: [`s3://${BUCKET}/runs`, { Get: 'Execution.PipelineExecutionId' }, step, name] },
});

/** Score writes a CSV and an evaluation report; the condition registers a version, or fails the run. */
function consolePipeline(): object {
  const score = nodeProcessingStep(
    'Score',
    "const fs=require('fs');console.log('scoring 3 reviews');" +
      "fs.writeFileSync('/opt/ml/processing/data/scores.csv','label,text\\npositive,\"great, really\"\\nnegative,bad\\n');" +
      "fs.writeFileSync('/opt/ml/processing/evaluation/evaluation.json',JSON.stringify({multiclass_classification_metrics:{" +
      'accuracy:{value:Number(process.env.ACCURACY)},weighted_f1:{value:0.8},' +
      'recall_by_class:{negative:{value:0.5},positive:{value:1}},' +
      'confusion_matrix:{negative:{negative:1,positive:1},positive:{negative:0,positive:2}}}}));' +
      "console.log('scored');",
    {
      environment: { ACCURACY: { 'Std:Join': { On: '', Values: [{ Get: 'Parameters.Accuracy' }] } } },
      outputs: [
        { name: 'data', uri: output('Score', 'data'), path: '/opt/ml/processing/data' },
        { name: 'evaluation', uri: output('Score', 'evaluation'), path: '/opt/ml/processing/evaluation' },
      ],
      extra: {
        PropertyFiles: [{ PropertyFileName: 'Report', OutputName: 'evaluation', FilePath: 'evaluation.json' }],
      },
    },
  );
  const accuracy = {
    'Std:JsonGet': {
      PropertyFile: { Get: 'Steps.Score.PropertyFiles.Report' },
      Path: 'multiclass_classification_metrics.accuracy.value',
    },
  };
  const evaluation = { Get: "Steps.Score.ProcessingOutputConfig.Outputs['evaluation'].S3Output.S3Uri" };
  const register = {
    Name: 'Register',
    Type: 'RegisterModel',
    Arguments: {
      ModelPackageGroupName: 'console-models',
      ModelApprovalStatus: 'PendingManualApproval',
      InferenceSpecification: {
        Containers: [{ Image: 'test/serve', ModelDataUrl: { 'Std:Join': { On: '/', Values: [evaluation, 'x'] } } }],
        SupportedContentTypes: ['application/json'],
        SupportedResponseMIMETypes: ['application/json'],
      },
      ModelMetrics: {
        ModelQuality: {
          Statistics: {
            ContentType: 'application/json',
            S3Uri: { 'Std:Join': { On: '/', Values: [evaluation, 'evaluation.json'] } },
          },
        },
      },
      CustomerMetadataProperties: {
        source_revision: { Get: 'Parameters.SourceRevision' },
        source_repository: 'acme/reviews',
      },
    },
  };
  const check = {
    Name: 'Check',
    Type: 'Condition',
    Arguments: {
      Conditions: [
        { Type: 'GreaterThanOrEqualTo', LeftValue: accuracy, RightValue: { Get: 'Parameters.MinAccuracy' } },
      ],
      IfSteps: [register],
      ElseSteps: [{ Name: 'TooLow', Type: 'Fail', Arguments: { ErrorMessage: 'accuracy too low' } }],
    },
  };
  return definition(
    [score, check],
    [
      { Name: 'Accuracy', Type: 'Float', DefaultValue: 0.9 },
      { Name: 'MinAccuracy', Type: 'Float', DefaultValue: 0.5 },
      { Name: 'Mode', Type: 'String', DefaultValue: 'fast', EnumValues: ['fast', 'slow'] },
      { Name: 'SourceRevision', Type: 'String', DefaultValue: '0123456789abcdef' },
    ],
  );
}

let t: TestServer;
let client: ConsoleClient;
let token = '';
let first = '';
let second = '';
let deployRuns: DeployRunStore;
const promotions: number[] = [];
const events: EventBridgeEvent[] = [];

beforeAll(async () => {
  await ensurePageBundle();
  const project = loadProjectConfig({ cwd: REPO_ROOT });
  deployRuns = new DeployRunStore(join(tempDir('slipway-console-runs-'), 'deploy'));
  const studio = localConsole({
    actor: 'alice',
    project,
    samples: ['Great blender.'],
    deploy: {
      runsDir: join(deployRuns.dir, 'runs'),
      listRuns: () => deployRuns.list(),
      async promote() {
        const waiting = (await deployRuns.list()).find((run) => run.status === 'waiting')!;
        promotions.push(waiting.number);
      },
    },
  });
  t = await startTestServer({
    runners: { Processing: new SubprocessRunner('Processing'), Training: new SleepRunner('Training') },
    routes: [studio.mount],
  });
  t.server.events.onEvent((event) => events.push(event));
  token = studio.link(t.server.url).split('token=')[1]!;
  client = await signIn(t.server.url, decodeURIComponent(token));
  await t.s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
  await t.sagemaker.send(
    new CreatePipelineCommand({
      PipelineName: 'console-pipeline',
      RoleArn: ROLE,
      PipelineDefinition: JSON.stringify(consolePipeline()),
    }),
  );
  first = (await t.sagemaker.send(new StartPipelineExecutionCommand({ PipelineName: 'console-pipeline' })))
    .PipelineExecutionArn!;
  await waitForExecution(t.sagemaker, first);
  second = (
    await t.sagemaker.send(
      new StartPipelineExecutionCommand({
        PipelineName: 'console-pipeline',
        PipelineParameters: [{ Name: 'Accuracy', Value: '0.3' }],
      }),
    )
  ).PipelineExecutionArn!;
  await waitForExecution(t.sagemaker, second);
}, 120_000);

afterAll(async () => {
  await t?.close();
});

describe('signing in', () => {
  it('keeps the token in the data dir for its owner only, and signs in with it', async () => {
    const file = join(t.dataDir, CONSOLE_TOKEN_FILE);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect((await readConsoleTokenFile(t.dataDir))?.token).toBe(decodeURIComponent(token));
    const signedIn = await fetch(`${t.server.url}/studio/?token=${token}`, { redirect: 'manual' });
    expect(signedIn.status).toBe(303);
    expect(signedIn.headers.get('location')).toBe('/studio/');
    expect(signedIn.headers.get('set-cookie')).toMatch(/HttpOnly; SameSite=Strict; Path=\/studio\/$/);
    const page = await fetch(`${t.server.url}/studio/`, { headers: { cookie: client.cookie } });
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toMatch(/script-src 'self'/);
    expect(page.headers.get('x-frame-options')).toBe('DENY');
    expect(await page.text()).toMatch(/<script type="module" src="studio\.js">/);
    const script = await fetch(`${t.server.url}/studio/studio.js`, {
      headers: { cookie: client.cookie, 'accept-encoding': 'gzip' },
    });
    expect(script.headers.get('content-type')).toMatch(/^text\/javascript/);
  });

  it('refuses a wrong token, and the page and API without the session', async () => {
    expect((await fetch(`${t.server.url}/studio/?token=wrong`, { redirect: 'manual' })).status).toBe(401);
    const page = await fetch(`${t.server.url}/studio/`);
    expect(page.status).toBe(401);
    expect(await page.text()).toMatch(/Open the link `npx slipway local up` printed/);
    const api = await fetch(`${t.server.url}/studio/api/pipelines`);
    expect(api.status).toBe(401);
    expect(await api.json()).toEqual({ error: { code: 'SignInRequired', message: expect.any(String) } });
    expect((await fetch(`${t.server.url}/studio/studio.js`)).status).toBe(401);
  });

  it("refuses a Host that is not the server's own, even with the session (DNS rebinding)", async () => {
    const { request } = await import('node:http');
    const status = await new Promise<number>((resolve, reject) => {
      const sent = request(
        `${t.server.url}/studio/api/pipelines`,
        { headers: { host: 'attacker.example:80', cookie: client.cookie } },
        (answer) => {
          answer.resume();
          resolve(answer.statusCode ?? 0);
        },
      );
      sent.on('error', reject);
      sent.end();
    });
    expect(status).toBe(403);
  });

  it('refuses requests from another site, reads included', async () => {
    const port = new URL(t.server.url).port;
    const read = await fetch(`${t.server.url}/studio/api/pipelines`, {
      headers: { cookie: client.cookie, origin: `http://127.0.0.1:${Number(port) + 1}` },
    });
    expect(read.status).toBe(403);
    const navigated = await fetch(`${t.server.url}/studio/api/pipelines`, {
      headers: { cookie: client.cookie, 'sec-fetch-site': 'cross-site' },
    });
    expect(navigated.status).toBe(403);
  });
});

describe('reads', () => {
  it('says what it serves and may do', async () => {
    const { body } = await client.get<ConsoleInfo>('info');
    expect(body).toMatchObject({
      mode: 'local',
      permissions: { execute: true, approve: true, promote: true, invoke: true },
      live: 'events',
      project: { projectName: 'sentiment', stages: ['staging', 'prod'] },
      features: { approvalHistory: true, jobLogs: true, deployRuns: true, invocationLatency: true },
    });
  });

  it('lists pipelines with their last execution, and a pipeline with versions, executions and parameters', async () => {
    const list = await client.get<PipelineListItem[]>('pipelines');
    expect(list.body).toEqual([
      expect.objectContaining({ name: 'console-pipeline', lastExecution: expect.objectContaining({ arn: second }) }),
    ]);
    const { body } = await client.get<PipelineView>('pipeline', { name: 'console-pipeline' });
    expect(body.versions.map((version) => version.version)).toEqual([1]);
    expect(body.executions.map((execution) => [execution.arn, execution.status])).toEqual([
      [second, 'Failed'],
      [first, 'Succeeded'],
    ]);
    expect(body.executions[1]).toMatchObject({
      version: 1,
      createdBy: 'slipway-local',
      parameters: { Accuracy: '0.9', MinAccuracy: '0.5', Mode: 'fast' },
      source: { revision: '0123456789abcdef' },
    });
    expect(body.executions[1]!.durationMs).toBeGreaterThan(0);
    expect(body.parameters).toContainEqual({
      name: 'Mode',
      type: 'String',
      defaultValue: 'fast',
      enumValues: ['fast', 'slow'],
    });
  });

  it("draws an execution's DAG with each step's state, the condition's outcome and the steps not run", async () => {
    const { body } = await client.get<ExecutionView>('execution', { arn: first });
    expect(body.graph.edges).toEqual(
      expect.arrayContaining([
        { from: 'Score', to: 'Check' },
        { from: 'Check', to: 'Register', label: 'if' },
        { from: 'Check', to: 'TooLow', label: 'else' },
      ]),
    );
    const steps = Object.fromEntries(body.steps.map((step) => [step.name, step]));
    expect(steps['Score']).toMatchObject({ status: 'Succeeded', attempts: 1, job: { kind: 'Processing' } });
    expect(steps['Check']).toMatchObject({ status: 'Succeeded', outcome: 'True' });
    expect(steps['Register']?.modelPackageArn).toMatch(/model-package\/console-models\/1$/);
    expect(steps['TooLow']).toEqual({ name: 'TooLow', type: 'Fail', status: 'NotRun' });
    const failed = await client.get<ExecutionView>('execution', { arn: second });
    expect(failed.body.execution.failureReason).toMatch(/accuracy too low/);
    expect(failed.body.steps.find((step) => step.name === 'Register')?.status).toBe('NotRun');
  });

  it("opens a step: the job's resolved arguments, its S3 inputs and outputs, its properties", async () => {
    const { body } = await client.get<StepDetailView>('step', { arn: first, name: 'Score' });
    expect(body.argumentsResolved).toBe(true);
    expect(body.arguments).toMatchObject({ Environment: { ACCURACY: '0.9' } });
    expect(body.outputs.map((link) => link.name)).toEqual(['data', 'evaluation']);
    expect(body.outputs[0]!.uri).toMatch(new RegExp(`^s3://${BUCKET}/runs/[a-z0-9]+/Score/data$`));
    expect(body.properties).toMatchObject({ ProcessingJobStatus: 'Completed' });
    expect(body.log).toEqual({ stream: true });
    const condition = await client.get<StepDetailView>('step', { arn: first, name: 'Check' });
    expect(condition.body).toMatchObject({ argumentsResolved: false, arguments: { Conditions: expect.any(Array) } });
    const missing = await client.get<{ error: { message: string } }>('step', { arn: first, name: 'Nope' });
    expect(missing.status).toBe(400);
    expect(missing.body.error.message).toMatch(/has no step "Nope": pick one of Score, Check, Register, TooLow/);
  });

  it('previews S3 outputs: a CSV, a JSON report, and a prefix as its objects', async () => {
    const { body: detail } = await client.get<StepDetailView>('step', { arn: first, name: 'Score' });
    const folder = await client.get<ObjectPreview>('object', { uri: detail.outputs[0]!.uri });
    expect(folder.body).toMatchObject({ kind: 'listing', objects: [{ uri: `${detail.outputs[0]!.uri}/scores.csv` }] });
    const csv = await client.get<ObjectPreview>('object', { uri: `${detail.outputs[0]!.uri}/scores.csv` });
    expect(csv.body).toMatchObject({
      kind: 'csv',
      truncated: false,
      text: 'label,text\npositive,"great, really"\nnegative,bad\n',
    });
    const json = await client.get<ObjectPreview>('object', { uri: `${detail.outputs[1]!.uri}/evaluation.json` });
    expect(json.body.kind).toBe('json');
    const none = await client.get<{ error: { message: string } }>('object', { uri: `s3://${BUCKET}/nothing/here` });
    expect(none.status).toBe(400);
    expect(none.body.error.message).toMatch(/has no object and no objects under it/);
  });

  it('compares two executions: parameters, steps and metrics', async () => {
    const { body } = await client.get<CompareView>('compare', { a: first, b: second });
    expect(body.parameters).toContainEqual({ name: 'Accuracy', values: ['0.9', '0.3'] });
    expect(body.metrics).toContainEqual({ name: 'accuracy', values: [0.9, 0.3] });
    expect(body.steps.find((step) => step.name === 'Register')?.status).toEqual(['Succeeded', 'NotRun']);
  });

  it('streams a job log to its end', async () => {
    const { body } = await client.get<ExecutionView>('execution', { arn: first });
    const job = body.steps.find((step) => step.name === 'Score')!.job!.name;
    const streamed = await readEvents(`${t.server.url}/studio/api/log?job=${job}`, client.cookie, (seen) =>
      seen.some((event) => event.event === 'end'),
    );
    const text = streamed
      .filter((event) => event.event === 'chunk')
      .map((event) => JSON.parse(event.data) as string)
      .join('');
    expect(text).toMatch(/scoring 3 reviews\n[\s\S]*scored/);
    expect(streamed.at(-1)?.event).toBe('end');
  });

  it('lists the registry with metrics as columns, and a version with its report, lineage and history', async () => {
    const group = await client.get<ModelGroupView>('model-group', { name: 'console-models' });
    expect(group.body.metricNames).toEqual(['accuracy', 'weighted_f1']);
    expect(group.body.versions).toEqual([
      expect.objectContaining({
        version: 1,
        approvalStatus: 'PendingManualApproval',
        metrics: { accuracy: 0.9, weighted_f1: 0.8 },
        executionArn: first,
      }),
    ]);
    const version = await client.get<ModelVersionView>('model-version', { arn: group.body.versions[0]!.arn });
    expect(version.body.evaluation).toMatchObject({
      metrics: { accuracy: 0.9 },
      perClass: [
        { label: 'negative', recall: 0.5 },
        { label: 'positive', recall: 1 },
      ],
      confusion: {
        labels: ['negative', 'positive'],
        rows: [
          [1, 1],
          [0, 2],
        ],
      },
    });
    expect(version.body.lineage).toMatchObject({
      executionArn: first,
      pipelineName: 'console-pipeline',
      source: { revision: '0123456789abcdef', commitUrl: 'https://github.com/acme/reviews/commit/0123456789abcdef' },
    });
    expect(version.body.history).toEqual([
      expect.objectContaining({ newStatus: 'PendingManualApproval', actor: 'slipway-local' }),
    ]);
    expect(version.body.servedBy).toEqual([]);
  });
});

describe('actions', () => {
  it('starts an execution with typed parameters, naming every bad one', async () => {
    const bad = await client.post<{ error: { message: string } }>('pipeline/start', {
      name: 'console-pipeline',
      parameters: { MinAccuracy: 'high', Mode: 'medium', Nope: '1' },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toMatch(
      /MinAccuracy must be a number, e.g. 0.75 \(the parameter is Float\), got "high"/,
    );
    expect(bad.body.error.message).toMatch(/Mode must be one of fast, slow, got "medium"/);
    expect(bad.body.error.message).toMatch(/Nope is not a parameter of the pipeline/);
    const started = await client.post<{ arn: string }>('pipeline/start', {
      name: 'console-pipeline',
      parameters: { Mode: 'slow', Accuracy: '0.95' },
    });
    expect(started.status).toBe(200);
    const done = await waitForExecution(t.sagemaker, started.body.arn);
    expect(done.PipelineExecutionStatus).toBe('Succeeded');
    expect(done.CreatedBy?.UserProfileName).toBe('alice');
  });

  it('pushes each step change to the page as it happens', async () => {
    let started = '';
    const streamed = await readEvents(
      `${t.server.url}/studio/api/events`,
      client.cookie,
      (seen) =>
        started !== '' &&
        seen.some(
          (event) => event.event === 'change' && event.data.includes(started) && event.data.includes('"execution"'),
        ),
      15_000,
      async () => {
        started = (await client.post<{ arn: string }>('pipeline/start', { name: 'console-pipeline', parameters: {} }))
          .body.arn;
      },
    );
    expect(streamed[0]?.event).toBe('hello');
    const topics = streamed
      .filter((event) => event.event === 'change')
      .flatMap((event) => JSON.parse(event.data) as object[]);
    expect(topics).toContainEqual({ topic: 'execution', arn: started });
    expect(topics).toContainEqual({ topic: 'pipeline', name: 'console-pipeline' });
    await waitForExecution(t.sagemaker, started);
  });

  it('retries a failed execution (a new one with the same parameters, on the local server)', async () => {
    const retried = await client.post<{ arn: string; how: string }>('execution/retry', { arn: second });
    expect(retried.body.how).toBe('restarted');
    expect(retried.body.arn).not.toBe(second);
    const view = await client.get<ExecutionView>('execution', { arn: retried.body.arn });
    expect(view.body.execution.parameters['Accuracy']).toBe('0.3');
    await waitForExecution(t.sagemaker, retried.body.arn);
    const again = await client.post<{ error: { message: string } }>('execution/retry', { arn: first });
    expect(again.status).toBe(400);
    expect(again.body.error.message).toMatch(/is Succeeded; only a Failed execution can be retried/);
  });

  it('stops a running execution', async () => {
    const slow = definition([{ ...nodeProcessingStep('Wait', 'setTimeout(() => {}, 60000)'), Name: 'Wait' }]);
    await t.sagemaker.send(
      new CreatePipelineCommand({ PipelineName: 'slow', RoleArn: ROLE, PipelineDefinition: JSON.stringify(slow) }),
    );
    const started = await client.post<{ arn: string }>('pipeline/start', { name: 'slow', parameters: {} });
    // Stopped once its job runs (the test runner kills a process it has started).
    for (let tries = 0; tries < 200; tries += 1) {
      const view = await client.get<ExecutionView>('execution', { arn: started.body.arn });
      if (view.body.steps[0]?.job) break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    await new Promise((resolve) => setTimeout(resolve, 300));
    const stopped = await client.post<{ arn: string }>('execution/stop', { arn: started.body.arn });
    expect(stopped.status).toBe(200);
    expect((await waitForExecution(t.sagemaker, started.body.arn)).PipelineExecutionStatus).toBe('Stopped');
  });

  it('approves with a reason through UpdateModelPackage: the history and the same event', async () => {
    const { body } = await client.get<ModelGroupView>('model-group', { name: 'console-models' });
    const arn = body.versions.find((version) => version.version === 1)!.arn;
    const noReason = await client.post<{ error: { message: string } }>('model-version/approval', {
      arn,
      status: 'Approved',
      reason: ' ',
    });
    expect(noReason.status).toBe(400);
    expect(noReason.body.error.message).toMatch(/reason is required: say why/);
    const wrong = await client.post<{ error: { message: string } }>('model-version/approval', {
      arn,
      status: 'Maybe',
      reason: 'x',
    });
    expect(wrong.body.error.message).toMatch(/status must be Approved or Rejected, got "Maybe"/);
    const approved = await client.post<ModelVersionView>('model-version/approval', {
      arn,
      status: 'Approved',
      reason: 'metrics reviewed',
    });
    expect(approved.status).toBe(200);
    expect(approved.body.version).toMatchObject({
      approvalStatus: 'Approved',
      approvalDescription: 'metrics reviewed',
    });
    expect(approved.body.history.at(-1)).toMatchObject({
      previousStatus: 'PendingManualApproval',
      newStatus: 'Approved',
      actor: 'alice',
      description: 'metrics reviewed',
    });
    await t.server.events.drain();
    expect(events).toContainEqual(
      expect.objectContaining({
        'detail-type': 'SageMaker Model Package State Change',
        detail: expect.objectContaining({ ModelPackageArn: arn, ModelApprovalStatus: 'Approved' }),
      }),
    );
  });

  it('refuses a state-changing request that does not come from the console', async () => {
    const { body } = await client.get<ModelGroupView>('model-group', { name: 'console-models' });
    const arn = body.versions.find((version) => version.version === 1)!.arn;
    const attempt = (headers: Record<string, string>) =>
      fetch(`${t.server.url}/studio/api/model-version/approval`, {
        method: 'POST',
        headers: { cookie: client.cookie, 'content-type': 'application/json', ...headers },
        body: JSON.stringify({ arn, status: 'Rejected', reason: 'forged' }),
      });
    const own = `http://${new URL(t.server.url).host}`;
    const refused = [
      await attempt({}),
      await attempt({ origin: own }),
      await attempt({ 'x-slipway-studio': '1' }),
      await attempt({ origin: 'http://evil.example', 'x-slipway-studio': '1' }),
    ];
    expect(refused.map((answer) => answer.status)).toEqual([403, 403, 403, 403]);
    const textPlain = await fetch(`${t.server.url}/studio/api/model-version/approval`, {
      method: 'POST',
      headers: { cookie: client.cookie, origin: own, 'x-slipway-studio': '1', 'content-type': 'text/plain' },
      body: JSON.stringify({ arn, status: 'Rejected', reason: 'forged' }),
    });
    expect(textPlain.status).toBe(415);
    const version = await client.get<ModelVersionView>('model-version', { arn });
    expect(version.body.version.approvalStatus).toBe('Approved');
  });

  it('shows the stages and deploy runs, and opens the production gate of the waiting run', async () => {
    const nothing = await client.post<{ error: { code: string } }>('deployments/promote', {});
    expect(nothing.status).toBe(409);
    const run = await deployRuns.create(
      { event_type: 'model-package-approved', client_payload: { model_package_arn: 'arn:x' } },
      'manual',
      ['staging', 'prod'],
    );
    await deployRuns.save({ ...run, status: 'waiting', modelPackageArn: 'arn:x' });
    const view = await client.get<DeploymentsView>('deployments');
    expect(view.body.stages.map((stage) => [stage.stage, stage.endpointName, stage.endpointStatus])).toEqual([
      ['staging', 'sentiment-staging', undefined],
      ['prod', 'sentiment-prod', undefined],
    ]);
    expect(view.body.waiting).toBe(run.number);
    expect(view.body.runs[0]).toMatchObject({
      number: run.number,
      trigger: 'model-package-approved',
      status: 'waiting',
    });
    const promoted = await client.post<{ promoted: number }>('deployments/promote', {});
    expect(promoted.body.promoted).toBe(run.number);
    // The gate opens in the background; the page follows the run live.
    for (let tries = 0; promotions.length === 0 && tries < 100; tries += 1) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(promotions).toEqual([run.number]);
  });

  it('passes InvokeEndpoint to the endpoints and records its timing', async () => {
    const answer = await fetch(`${t.server.url}/studio/api/endpoint/invoke?name=nowhere`, {
      method: 'POST',
      headers: {
        cookie: client.cookie,
        origin: `http://${new URL(t.server.url).host}`,
        'x-slipway-studio': '1',
        'content-type': 'application/json',
      },
      body: '{"instances": ["x"]}',
    });
    expect(answer.status).toBe(400);
    expect(await answer.text()).toMatch(/Endpoint nowhere of account 000000000000 not found/);
    expect(t.server.endpoints.invocations.recent('nowhere')).toHaveLength(1);
  });

  it('removes the token file when the server closes', async () => {
    const dataDir = t.dataDir;
    await t.close();
    expect(await readConsoleTokenFile(dataDir)).toBeUndefined();
  });
});
