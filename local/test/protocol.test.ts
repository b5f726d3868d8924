import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  CreatePipelineCommand,
  DescribePipelineCommand,
  ListPipelinesCommand,
  SageMakerClient,
  UpdatePipelineCommand,
} from '@aws-sdk/client-sagemaker';
import { openLocalService, startLocalServer, type LocalService } from '@slipway/local';
import { handleJsonRequest } from '../src/server/json-protocol.js';
import {
  ROLE,
  definition,
  localClientConfig,
  memoryLogger,
  signedFetch,
  startTestServer,
  tempDir,
  type TestServer,
} from './support/harness.js';

const context = { actor: 'tester', requestId: 'req-1' };
const GOOD = JSON.stringify(definition([{ Name: 'Stop', Type: 'Fail', Arguments: { ErrorMessage: 'x' } }]));

describe('the JSON protocol in-process (no port)', () => {
  let service: LocalService;
  const log = memoryLogger();
  beforeAll(async () => {
    service = await openLocalService({
      dataDir: tempDir(),
      runners: {},
      logger: log,
      operationModules: [
        () => ({
          service: 'Test',
          operations: {
            Boom: () => {
              throw new Error('database on fire');
            },
            Echo: (input, { actor }) => ({ input, actor, at: new Date(1_700_000_000_123) }),
          },
        }),
      ],
    });
  });
  afterAll(async () => {
    await service.close();
  });

  const call = (target: string, body: string) =>
    handleJsonRequest(service.operations, target, Buffer.from(body), context, log);

  it('encodes results as AWS JSON with epoch-second timestamps', async () => {
    const response = await call('Test.Echo', '{"a":1}');
    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toBe('application/x-amz-json-1.1');
    expect(JSON.parse(response.body)).toEqual({ input: { a: 1 }, actor: 'tester', at: 1_700_000_000.123 });
  });

  it('maps known errors to their wire form and unknown ones to a logged 500', async () => {
    const notJson = await call('SageMaker.ListPipelines', '{oops');
    expect(notJson.status).toBe(400);
    expect(JSON.parse(notJson.body)).toMatchObject({ __type: 'SerializationException' });
    const unknown = await call('SageMaker.CreateTeleporter', '{}');
    expect(JSON.parse(unknown.body)).toMatchObject({
      __type: 'UnknownOperationException',
      message: expect.stringContaining('SageMaker.CreatePipeline'),
    });
    expect(unknown.headers['x-amzn-errortype']).toBe('UnknownOperationException');
    const boom = await call('Test.Boom', '{}');
    expect(boom.status).toBe(500);
    expect(JSON.parse(boom.body)).toEqual({
      __type: 'InternalFailure',
      message: expect.not.stringContaining('database on fire'),
    });
    expect(log.lines.some((line) => line.includes('Test.Boom failed') && line.includes('database on fire'))).toBe(true);
  });

  it('refuses a malformed definition with a ValidationException and stores nothing', async () => {
    const cases: [string, RegExp][] = [
      ['{"Version": "2020-12-01", "Steps": [', /is not valid JSON/],
      [
        JSON.stringify(definition([{ Name: 'A', Type: 'Training', Arguments: { x: { Get: 'Steps.Nope.X' } } }])),
        /refers to a step that does not exist/,
      ],
      [
        JSON.stringify(definition([{ Name: 'A', Type: 'Training', Arguments: { x: { Get: 'Parameters.Missing' } } }])),
        /parameter that is not declared/,
      ],
    ];
    for (const [text, pattern] of cases) {
      const response = await call(
        'SageMaker.CreatePipeline',
        JSON.stringify({
          PipelineName: 'bad',
          RoleArn: ROLE,
          ClientRequestToken: 'x'.repeat(32),
          PipelineDefinition: text,
        }),
      );
      expect(response.status).toBe(400);
      const body = JSON.parse(response.body) as { __type: string; message: string };
      expect(body.__type).toBe('ValidationException');
      expect(body.message).toMatch(pattern);
    }
    expect(service.store.pipelines.list()).toEqual([]);
  });

  it('checks request members against the service model', async () => {
    const bad = await service.operations
      .invoke(
        'SageMaker.CreatePipeline',
        { PipelineName: 'has space', RoleArn: ROLE, ClientRequestToken: 'x'.repeat(32), PipelineDefinition: GOOD },
        context,
      )
      .catch((error: unknown) => error);
    expect(bad).toMatchObject({
      code: 'ValidationException',
      message: expect.stringMatching(/^CreatePipeline: PipelineName must use letters, digits and hyphens/),
    });
    const role = await service.operations
      .invoke(
        'SageMaker.CreatePipeline',
        { PipelineName: 'ok', RoleArn: 'admin', ClientRequestToken: 'x'.repeat(32), PipelineDefinition: GOOD },
        context,
      )
      .catch((error: unknown) => error);
    expect(role).toMatchObject({ message: expect.stringContaining('RoleArn must match') });
    const token = await service.operations
      .invoke(
        'SageMaker.CreatePipeline',
        { PipelineName: 'ok', RoleArn: ROLE, ClientRequestToken: 'short', PipelineDefinition: GOOD },
        context,
      )
      .catch((error: unknown) => error);
    expect(token).toMatchObject({
      message: expect.stringContaining('ClientRequestToken must be at least 32 characters, got 5'),
    });
    const page = await service.operations
      .invoke('SageMaker.ListPipelines', { NextToken: 'forged' }, context)
      .catch((error: unknown) => error);
    expect(page).toMatchObject({
      message: expect.stringContaining('NextToken is not a token this operation returned'),
    });
  });
});

describe('the HTTP server', () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer({
      maxJsonBodyBytes: 4096,
      invocations: async (name, _request, response) => {
        response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ endpoint: name }));
      },
    });
  });
  afterAll(async () => {
    await t.close();
  });

  it('refuses an oversized request with a clear 4xx and writes nothing', async () => {
    const huge = JSON.stringify({
      ...definition([{ Name: 'Stop', Type: 'Fail', Arguments: {} }]),
      Metadata: { pad: 'x'.repeat(8000) },
    });
    const error = await t.sagemaker
      .send(new CreatePipelineCommand({ PipelineName: 'huge', RoleArn: ROLE, PipelineDefinition: huge }))
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'ValidationException', $metadata: { httpStatusCode: 413 } });
    expect((error as Error).message).toMatch(/above the local server's limit of 4096 bytes/);
    expect((await t.sagemaker.send(new ListPipelinesCommand({}))).PipelineSummaries).toEqual([]);
  });

  it('keeps the previous version when an update brings a bad definition', async () => {
    await t.sagemaker.send(
      new CreatePipelineCommand({ PipelineName: 'keep', RoleArn: ROLE, PipelineDefinition: GOOD }),
    );
    await expect(
      t.sagemaker.send(new UpdatePipelineCommand({ PipelineName: 'keep', PipelineDefinition: '{"Steps": 3}' })),
    ).rejects.toMatchObject({
      name: 'ValidationException',
    });
    const described = await t.sagemaker.send(new DescribePipelineCommand({ PipelineName: 'keep' }));
    expect(described.PipelineDefinition).toBe(GOOD);
  });

  it('records who called: X-Slipway-Actor, else the access key of the signature', async () => {
    const signed = new SageMakerClient({
      ...localClientConfig(t.server),
      credentials: { accessKeyId: 'AKIDALICE', secretAccessKey: t.server.credentials.secretAccessKey },
    });
    await signed.send(new CreatePipelineCommand({ PipelineName: 'by-alice', RoleArn: ROLE, PipelineDefinition: GOOD }));
    expect((await t.sagemaker.send(new DescribePipelineCommand({ PipelineName: 'by-alice' }))).CreatedBy).toEqual({
      UserProfileName: 'AKIDALICE',
    });
    signed.middlewareStack.add(
      (next) => (args) => {
        (args.request as { headers: Record<string, string> }).headers['x-slipway-actor'] = 'bob';
        return next(args);
      },
      { step: 'build' },
    );
    await signed.send(new CreatePipelineCommand({ PipelineName: 'by-bob', RoleArn: ROLE, PipelineDefinition: GOOD }));
    expect((await t.sagemaker.send(new DescribePipelineCommand({ PipelineName: 'by-bob' }))).CreatedBy).toEqual({
      UserProfileName: 'bob',
    });
    signed.destroy();
  });

  it('routes SageMaker Runtime invocations to the plugged-in handler, and serves a health check', async () => {
    const invoked = await signedFetch(t.server, '/endpoints/sentiment-staging/invocations', {
      method: 'POST',
      body: '{}',
    });
    expect(await invoked.json()).toEqual({ endpoint: 'sentiment-staging' });
    const health = await fetch(`${t.server.url}/_slipway/health`);
    expect(await health.json()).toMatchObject({ status: 'ok', url: t.server.url, pid: process.pid });
  });

  it('answers an endpoint name that is not valid percent-encoding with a 400 naming it, not a 500', async () => {
    const response = await signedFetch(t.server, '/endpoints/%zz/invocations', { method: 'POST', body: '{}' });
    expect(response.status).toBe(400);
    expect(response.headers.get('x-amzn-errortype')).toBe('ValidationError');
    expect((await response.json()) as { message: string }).toMatchObject({
      message: expect.stringContaining('The endpoint name in the path, "%zz", is not valid percent-encoding'),
    });
  });

  it('answers invocations of an endpoint that does not exist with the runtime’s ValidationError', async () => {
    const bare = await startTestServer();
    try {
      const response = await signedFetch(bare.server, '/endpoints/none/invocations', { method: 'POST', body: '{}' });
      expect(response.status).toBe(400);
      expect(response.headers.get('x-amzn-errortype')).toBe('ValidationError');
      expect(await response.json()).toMatchObject({
        Message: 'Endpoint none of account 000000000000 not found.',
      });
    } finally {
      await bare.close();
    }
  });
});

describe('startLocalServer', () => {
  it('binds 127.0.0.1 only and refuses any other host', async () => {
    await expect(
      startLocalServer({ dataDir: tempDir(), host: '0.0.0.0', runners: {}, logger: memoryLogger() }),
    ).rejects.toThrow(/host must be 127\.0\.0\.1, got "0\.0\.0\.0"/);
    const t = await startTestServer();
    try {
      expect(t.server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    } finally {
      await t.close();
    }
  });

  it('refuses a second server on a data dir in use', async () => {
    const dataDir = tempDir();
    const first = await startTestServer({ dataDir });
    try {
      await expect(startLocalServer({ dataDir, runners: {}, logger: memoryLogger() })).rejects.toThrow(
        /is in use by another local server/,
      );
    } finally {
      await first.close();
    }
  });
});
