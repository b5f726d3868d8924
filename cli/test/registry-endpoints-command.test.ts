import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  CreateModelCommand,
  CreateModelPackageCommand,
  CreateModelPackageGroupCommand,
  SageMakerClient,
} from '@aws-sdk/client-sagemaker';
import { awsClientConfig, type EventBridgeEvent } from '@slipway/core';
import { silentLogger, startLocalServer, type LocalServer } from '@slipway/local';
import {
  SERVING_ENVIRONMENT,
  SKLEARN_IMAGE,
  buildModelArchives,
  createConfig,
  deployEndpoint,
  uploadModel,
  variant,
  type ModelArchives,
} from '../../local/test/endpoints/endpoint-fixtures.js';
import { runCli } from './support/run-cli.js';
import { EXIT_CODES } from '../src/failure.js';
import { sentimentProjectDir } from './support/project-dir.js';

/** The CLI in-process in `cwd`, as a person named jane, without colour. */
const slipway = (args: string[], cwd: string) =>
  runCli(args, { cwd, env: { ...process.env, SLIPWAY_ACTOR: 'jane', NO_COLOR: '1' } });

describe('slipway registry and slipway endpoints against a running local server', () => {
  let archives: ModelArchives;
  let server: LocalServer;
  let sagemaker: SageMakerClient;
  let project: string;
  let dataDir: string;
  const events: EventBridgeEvent[] = [];
  const json = async (args: string[]) => {
    const run = await slipway([...args, '--data-dir', dataDir, '--json'], project);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    return JSON.parse(run.stdout) as Record<string, unknown>;
  };

  beforeAll(async () => {
    archives = await buildModelArchives();
    // A project whose config names the model package group, as `slipway init` writes it.
    project = sentimentProjectDir('slipway-cli-project-');
    dataDir = join(project, '.slipway');
    server = await startLocalServer({ dataDir, runners: {}, logger: silentLogger, endpoints: { stopGraceMs: 1000 } });
    server.events.putRule({
      name: 'approvals',
      eventPattern: { source: ['aws.sagemaker'], 'detail-type': ['SageMaker Model Package State Change'] },
      targets: [{ id: 'record', type: 'handler', handler: (event) => void events.push(event) }],
    });
    sagemaker = new SageMakerClient(
      awsClientConfig({ kind: 'local', region: 'us-east-1', endpoint: server.url, credentials: server.credentials }),
    );
    const modelData = await uploadModel(server, archives.seed, 'models/seed.tar.gz');
    await sagemaker.send(new CreateModelPackageGroupCommand({ ModelPackageGroupName: 'sentiment-models' }));
    for (let i = 0; i < 2; i += 1) {
      await sagemaker.send(
        new CreateModelPackageCommand({
          ModelPackageGroupName: 'sentiment-models',
          ModelApprovalStatus: 'PendingManualApproval',
          InferenceSpecification: {
            Containers: [{ Image: SKLEARN_IMAGE, ModelDataUrl: modelData, Environment: SERVING_ENVIRONMENT }],
            SupportedContentTypes: ['application/json'],
            SupportedResponseMIMETypes: ['application/json'],
          },
        }),
      );
    }
  }, 120_000);

  afterAll(async () => {
    sagemaker?.destroy();
    await server?.close();
    await archives?.dispose();
    if (project) rmSync(project, { recursive: true, force: true });
  });

  it('registry list shows the project group’s versions, newest first', async () => {
    const listed = await json(['registry', 'list']);
    expect(listed['group']).toBe('sentiment-models');
    expect(
      (listed['versions'] as { version: number; approvalStatus: string }[]).map((v) => [v.version, v.approvalStatus]),
    ).toEqual([
      [2, 'PendingManualApproval'],
      [1, 'PendingManualApproval'],
    ]);
    const human = await slipway(['registry', 'list', '--data-dir', dataDir], project);
    expect(human.stdout).toMatch(/^VERSION\s+APPROVAL\s+CREATED \(UTC\)\s+ARN\n/);
    expect(human.stdout).toContain('sentiment-models/2  PendingManualApproval');
    expect(human.stdout).not.toContain(String.fromCharCode(27));
  });

  it('registry approve changes the status through the local server, which publishes the event; again is a stated no-op', async () => {
    const approved = await json(['registry', 'approve', '2', '--reason', 'accuracy 0.86 beats the baseline']);
    expect(approved).toMatchObject({ previousStatus: 'PendingManualApproval', status: 'Approved', changed: true });
    expect(approved['arn']).toBe('arn:aws:sagemaker:us-east-1:000000000000:model-package/sentiment-models/2');
    const deadline = Date.now() + 5000;
    while (!events.some((e) => (e.detail as { ModelApprovalStatus?: string }).ModelApprovalStatus === 'Approved')) {
      if (Date.now() > deadline) throw new Error('no Approved state-change event arrived');
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const event = events.find(
      (e) => (e.detail as { ModelApprovalStatus?: string }).ModelApprovalStatus === 'Approved',
    )!;
    expect(event.resources).toEqual([approved['arn']]);

    const again = await slipway(['registry', 'approve', 'sentiment-models/2', '--data-dir', dataDir], project);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('sentiment-models/2 is already Approved: nothing changed, no event was published.');
    const againJson = await json(['registry', 'approve', String(approved['arn'])]);
    expect(againJson).toMatchObject({ changed: false, status: 'Approved' });
  });

  it('registry reject, history and describe tell who changed what and why', async () => {
    await json(['registry', 'reject', 'sentiment-models/1', '--reason', 'superseded']);
    const history = await json(['registry', 'history', 'sentiment-models/2']);
    expect(history['complete']).toBe(true);
    expect(history['history']).toEqual([
      expect.objectContaining({ newStatus: 'PendingManualApproval' }),
      expect.objectContaining({
        previousStatus: 'PendingManualApproval',
        newStatus: 'Approved',
        actor: 'jane',
        description: 'accuracy 0.86 beats the baseline',
      }),
    ]);
    const described = await slipway(['registry', 'describe', '1', '--data-dir', dataDir], project);
    expect(described.stdout).toMatch(/approval\s+Rejected/);
    expect(described.stdout).toMatch(/approval note\s+superseded/);
    expect(described.stdout).toContain(SKLEARN_IMAGE);
  });

  it('registry card says how cards come about for a version registered without one', async () => {
    const card = await slipway(['registry', 'card', '1', '--data-dir', dataDir, '--json'], project);
    expect(card.code).toBe(EXIT_CODES.failure);
    expect(JSON.parse(card.stdout).error.message).toMatch(
      /sentiment-models\/1 has no model card.*written when a pipeline run registers a version/,
    );
  });

  it('a missing version is a clear error naming the versions that exist', async () => {
    const missing = await slipway(['registry', 'approve', 'sentiment-models/7', '--data-dir', dataDir], project);
    expect(missing.code).toBe(EXIT_CODES.failure);
    expect(missing.stderr).toContain('sentiment-models/7');
    expect(missing.stderr).toContain('does not exist: sentiment-models has versions 1, 2');
    const garbage = await slipway(['registry', 'describe', 'not a version', '--data-dir', dataDir], project);
    expect(garbage.code).toBe(EXIT_CODES.failure);
    expect(garbage.stderr).toMatch(/is not a model package reference/);
  });

  it('endpoints list, describe and invoke a deployed model package', async () => {
    await sagemaker.send(
      new CreateModelCommand({
        ModelName: 'sentiment-v2',
        PrimaryContainer: {
          ModelPackageName: 'arn:aws:sagemaker:us-east-1:000000000000:model-package/sentiment-models/2',
        },
      }),
    );
    await createConfig(sagemaker, 'sentiment-v2', [variant('AllTraffic', 'sentiment-v2')]);
    await deployEndpoint(sagemaker, 'sentiment-staging', 'sentiment-v2');

    const listed = await json(['endpoints', 'list']);
    expect(listed['endpoints']).toEqual([expect.objectContaining({ name: 'sentiment-staging', status: 'InService' })]);

    const described = await slipway(['endpoints', 'describe', 'sentiment-staging', '--data-dir', dataDir], project);
    expect(described.code).toBe(0);
    expect(described.stdout).toMatch(/status\s+InService/);
    expect(described.stdout).toMatch(
      /AllTraffic\s+1\s+1\s+sentiment-v2\s+arn:aws:sagemaker:us-east-1:000000000000:model-package\/sentiment-models\/2/,
    );

    const invoked = await json([
      'endpoints',
      'invoke',
      'sentiment-staging',
      '--text',
      'Stopped working after a week, terrible',
    ]);
    expect(invoked).toMatchObject({
      endpoint: 'sentiment-staging',
      variant: 'AllTraffic',
      contentType: 'application/json',
    });
    expect((invoked['body'] as { predictions: { label: string }[] }).predictions[0]!.label).toBe('negative');

    const human = await slipway(
      [
        'endpoints',
        'invoke',
        'sentiment-staging',
        '--text',
        'Absolutely love it, works perfectly',
        '--data-dir',
        dataDir,
      ],
      project,
    );
    expect(human.stdout).toMatch(/^positive \(0\.\d\d\)\n {2}answered by variant AllTraffic\n$/);

    const csv = await slipway(
      [
        'endpoints',
        'invoke',
        'sentiment-staging',
        '--text',
        'It is "okay", nothing special',
        '--content-type',
        'text/csv',
        '--accept',
        'text/csv',
        '--data-dir',
        dataDir,
      ],
      project,
    );
    expect(csv.stdout).toMatch(/^(neutral|negative|positive)\n/);
  }, 60_000);

  it('endpoints invoke reports bad input and missing endpoints clearly', async () => {
    const bad = await slipway(
      ['endpoints', 'invoke', 'sentiment-staging', '--body', '{"instances": [', '--data-dir', dataDir],
      project,
    );
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(
      /^error: ModelError: Received client error \(400\).*the model answered 400: .*not valid JSON/s,
    );
    const neither = await slipway(['endpoints', 'invoke', 'sentiment-staging', '--data-dir', dataDir], project);
    expect(neither.code).toBe(EXIT_CODES.failure);
    expect(neither.stderr).toMatch(/--text \/ --body one of the two is required/);
    const missing = await slipway(['endpoints', 'invoke', 'nope', '--text', 'hi', '--data-dir', dataDir], project);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('ValidationError: Endpoint nope of account 000000000000 not found.');
    const gone = await slipway(['endpoints', 'describe', 'nope', '--data-dir', dataDir], project);
    expect(gone.code).toBe(1);
    expect(gone.stderr).toContain('ValidationException: Could not find endpoint');
  });
});
