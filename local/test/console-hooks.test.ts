import { afterEach, describe, expect, it } from '@jest/globals';
import {
  CreatePipelineCommand,
  ListPipelineVersionsCommand,
  StartPipelineExecutionCommand,
  UpdatePipelineCommand,
} from '@aws-sdk/client-sagemaker';
import type { ServerResponse } from 'node:http';
import { signRequest } from '@slipway/core';
import type { StoreChange } from '@slipway/local';
import { InvocationLog } from '../src/endpoints/invocation-log.js';
import { ROLE, definition, startTestServer, waitForExecution, type TestServer } from './support/harness.js';

/** What the console builds on: pipeline versions, the store's change feed, mounted routes, invocation timings. */

/** A pipeline that needs no job runner: a condition on a parameter, and a Fail step on its else branch. */
function conditionPipeline(threshold: number): object {
  return definition(
    [
      {
        Name: 'Check',
        Type: 'Condition',
        Arguments: {
          Conditions: [{ Type: 'GreaterThanOrEqualTo', LeftValue: { Get: 'Parameters.Score' }, RightValue: threshold }],
          IfSteps: [],
          ElseSteps: [{ Name: 'TooLow', Type: 'Fail', Arguments: { ErrorMessage: 'too low' } }],
        },
      },
    ],
    [{ Name: 'Score', Type: 'Float', DefaultValue: 0.9 }],
  );
}

let running: TestServer | undefined;
afterEach(async () => {
  await running?.close();
  running = undefined;
});

describe('ListPipelineVersions', () => {
  it('lists every version, newest first, with the last execution of each', async () => {
    running = await startTestServer();
    const { sagemaker } = running;
    await sagemaker.send(
      new CreatePipelineCommand({
        PipelineName: 'versions',
        RoleArn: ROLE,
        PipelineDefinition: JSON.stringify(conditionPipeline(0.5)),
      }),
    );
    const first = await sagemaker.send(new StartPipelineExecutionCommand({ PipelineName: 'versions' }));
    await waitForExecution(sagemaker, first.PipelineExecutionArn!);
    await sagemaker.send(
      new UpdatePipelineCommand({
        PipelineName: 'versions',
        PipelineDefinition: JSON.stringify(conditionPipeline(0.7)),
      }),
    );
    const listed = await sagemaker.send(new ListPipelineVersionsCommand({ PipelineName: 'versions' }));
    expect(listed.PipelineVersionSummaries?.map((version) => version.PipelineVersionId)).toEqual([2, 1]);
    expect(listed.PipelineVersionSummaries?.[1]?.LastExecutionPipelineExecutionArn).toBe(first.PipelineExecutionArn);
    expect(listed.PipelineVersionSummaries?.[0]?.LastExecutionPipelineExecutionArn).toBeUndefined();
    const ascending = await sagemaker.send(
      new ListPipelineVersionsCommand({ PipelineName: 'versions', SortOrder: 'Ascending', MaxResults: 1 }),
    );
    expect(ascending.PipelineVersionSummaries?.map((version) => version.PipelineVersionId)).toEqual([1]);
    expect(ascending.NextToken).toBeDefined();
  });

  it('fails for a pipeline that does not exist', async () => {
    running = await startTestServer();
    await expect(
      running.sagemaker.send(new ListPipelineVersionsCommand({ PipelineName: 'missing' })),
    ).rejects.toMatchObject({ name: 'ResourceNotFound' });
  });
});

describe('the store change feed', () => {
  it('reports the execution and each step change after the write, batched', async () => {
    running = await startTestServer();
    const { sagemaker, server } = running;
    const batches: StoreChange[][] = [];
    const seenExecuting: string[] = [];
    const stop = server.store.changes.subscribe((changes) => {
      batches.push([...changes]);
      for (const change of changes) {
        // By the time a listener hears of a change, it is in the database.
        if (change.kind === 'execution') seenExecuting.push(server.store.executions.get(change.arn)?.status ?? '?');
      }
    });
    await sagemaker.send(
      new CreatePipelineCommand({
        PipelineName: 'feed',
        RoleArn: ROLE,
        PipelineDefinition: JSON.stringify(conditionPipeline(0.95)),
      }),
    );
    const started = await sagemaker.send(new StartPipelineExecutionCommand({ PipelineName: 'feed' }));
    await waitForExecution(sagemaker, started.PipelineExecutionArn!);
    stop();
    const changes = batches.flat();
    expect(changes).toContainEqual({ kind: 'pipeline', name: 'feed' });
    expect(changes).toContainEqual({ kind: 'execution', arn: started.PipelineExecutionArn, pipelineName: 'feed' });
    expect(changes).toContainEqual({ kind: 'step', executionArn: started.PipelineExecutionArn, stepName: 'Check' });
    expect(changes).toContainEqual({ kind: 'step', executionArn: started.PipelineExecutionArn, stepName: 'TooLow' });
    expect(seenExecuting.at(-1)).toBe('Failed');
    const count = changes.length;
    await sagemaker.send(new StartPipelineExecutionCommand({ PipelineName: 'feed' }));
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(batches.flat()).toHaveLength(count);
  });
});

describe('mounted routes', () => {
  it('answer before S3, see the opened service, and are closed before the server waits for requests', async () => {
    const open: ServerResponse[] = [];
    let closedWith = -1;
    running = await startTestServer({
      closeGraceMs: 30_000,
      routes: [
        (service) => ({
          handle(request, response, url) {
            if (!url.pathname.startsWith('/console/')) return false;
            if (url.pathname === '/console/stream') {
              response.writeHead(200, { 'content-type': 'text/plain' });
              response.write('open\n');
              open.push(response);
              return true;
            }
            response.writeHead(200, { 'content-type': 'text/plain' }).end(`region ${service.region}`);
            return true;
          },
          close() {
            closedWith = open.length;
            for (const response of open) response.end();
          },
        }),
      ],
    });
    const { server } = running;
    expect(await (await fetch(`${server.url}/console/info`)).text()).toBe('region us-east-1');
    // Everything else still reaches S3.
    const s3Url = `${server.url}/no-such-bucket/key`;
    const s3Headers = signRequest({
      method: 'GET',
      url: s3Url,
      credentials: server.credentials,
      region: server.region,
      service: 's3',
    });
    expect((await fetch(s3Url, { headers: s3Headers })).status).toBe(404);
    const streamed = await fetch(`${server.url}/console/stream`);
    const reader = streamed.body!.getReader();
    expect(new TextDecoder().decode((await reader.read()).value)).toBe('open\n');
    const started = Date.now();
    await running.close();
    running = undefined;
    expect(closedWith).toBe(1);
    // The long response was ended by the route, not cut after closeGraceMs.
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it('a route that fails to mount closes the service and frees the data dir', async () => {
    const { tempDir } = await import('./support/harness.js');
    const dataDir = tempDir();
    await expect(
      startTestServer({
        dataDir,
        routes: [
          () => {
            throw new Error('no console today');
          },
        ],
      }),
    ).rejects.toThrow('no console today');
    running = await startTestServer({ dataDir });
    expect(running.server.dataDir).toBe(dataDir);
  });
});

describe('invocation timings', () => {
  it('records each InvokeEndpoint with its status, also a refused one', async () => {
    running = await startTestServer();
    const { server } = running;
    const heard: string[] = [];
    server.endpoints.invocations.onRecord((name) => heard.push(name));
    const url = `${server.url}/endpoints/nowhere/invocations`;
    const headers = signRequest({
      method: 'POST',
      url,
      headers: { 'content-type': 'application/json' },
      body: '{}',
      credentials: server.credentials,
      region: server.region,
      service: 'sagemaker',
    });
    const answer = await fetch(url, { method: 'POST', headers, body: '{}' });
    expect(answer.status).toBe(400);
    await new Promise((resolve) => setTimeout(resolve, 20));
    const [record] = server.endpoints.invocations.recent('nowhere');
    expect(record).toMatchObject({ status: 400 });
    expect(record!.latencyMs).toBeGreaterThanOrEqual(0);
    expect(heard).toEqual(['nowhere']);
  });

  it('keeps the newest invocations up to its limit, per endpoint, names compared without case', () => {
    const log = new InvocationLog(3);
    for (let i = 0; i < 5; i += 1) log.record('Prod', { at: new Date(i), latencyMs: i, status: 200 });
    expect(log.recent('prod').map((record) => record.latencyMs)).toEqual([2, 3, 4]);
    expect(log.recent('staging')).toEqual([]);
    log.forget('PROD');
    expect(log.recent('prod')).toEqual([]);
  });
});
