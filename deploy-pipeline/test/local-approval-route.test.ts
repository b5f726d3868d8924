import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SageMakerClient, UpdateModelPackageCommand } from '@aws-sdk/client-sagemaker';
import {
  MODEL_PACKAGE_STATE_CHANGE,
  applyInputTransformer,
  awsClientConfig,
  type EventBridgeEvent,
} from '@slipway/core';
import { silentLogger, startLocalServer, type LocalServer } from '@slipway/local';
import { approvalRoutes, validateRepositoryDispatchBody, type ApprovalRoute } from '../src/index.js';
import { testProject } from './support/project.js';
import { registerVersion } from './support/registry.js';

/** What the GitHub API destination would receive: one POST per delivery. */
interface DispatchReceiver {
  readonly url: string;
  readonly requests: { method: string; contentType: string; body: string }[];
  close(): Promise<void>;
}

async function dispatchReceiver(): Promise<DispatchReceiver> {
  const requests: DispatchReceiver['requests'] = [];
  const server: Server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
    request.on('end', () => {
      requests.push({ method: request.method ?? '', contentType: request.headers['content-type'] ?? '', body });
      response.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}/repos/octo-org/sentiment-reviews/dispatches`,
    requests,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/**
 * One source of truth: the local event bus, given the rules the CDK app builds (`approvalRoutes`: the same
 * pattern and dispatch transformer), turns a real approval on the local server into exactly the body the
 * EventBridge rule would send to GitHub.
 */
describe('the approval route on the local server', () => {
  const group = testProject().modelPackageGroupName;
  const routes = approvalRoutes(group);
  const route = (status: ApprovalRoute['approvalStatus']): ApprovalRoute =>
    routes.find((candidate) => candidate.approvalStatus === status)!;
  let dataDir: string;
  let server: LocalServer;
  let sagemaker: SageMakerClient;
  let receiver: DispatchReceiver;
  const routed: EventBridgeEvent[] = [];

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'slipway-approval-route-'));
    receiver = await dispatchReceiver();
    server = await startLocalServer({
      dataDir,
      runners: {},
      logger: silentLogger,
      events: { retryBaseMs: 20, retryMaxMs: 100, maxAttempts: 3 },
    });
    sagemaker = new SageMakerClient({
      ...awsClientConfig({
        kind: 'local',
        region: server.region,
        endpoint: server.url,
        credentials: server.credentials,
      }),
      maxAttempts: 1,
    });
    server.events.onEvent((event) => routed.push(event));
    for (const { eventType, pattern, transformer } of routes) {
      server.events.putRule({
        name: eventType,
        eventPattern: pattern,
        targets: [{ id: 'github-dispatch', type: 'http', url: receiver.url, inputTransformer: transformer }],
      });
    }
  });

  afterAll(async () => {
    sagemaker?.destroy();
    await server?.close();
    await receiver?.close();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  /** The state change the local server emitted for `arn` reaching `status`. */
  function stateChange(arn: string, status: string): EventBridgeEvent {
    const matching = routed.filter(
      (event) =>
        event['detail-type'] === MODEL_PACKAGE_STATE_CHANGE &&
        event.detail['ModelPackageArn'] === arn &&
        event.detail['ModelApprovalStatus'] === status,
    );
    expect(matching).toHaveLength(1);
    return matching[0]!;
  }

  async function setStatus(arn: string, status: 'Approved' | 'Rejected'): Promise<void> {
    await sagemaker.send(
      new UpdateModelPackageCommand({
        ModelPackageArn: arn,
        ModelApprovalStatus: status,
        ApprovalDescription: `${status} by the approval route test`,
      }),
    );
    await server.events.drain();
  }

  it('sends exactly the model-package-approved body the CDK rule renders, once, for an approval', async () => {
    const arn = await registerVersion(sagemaker, group, 'PendingManualApproval');
    await server.events.drain();
    expect(receiver.requests).toEqual([]); // registering a pending version matches neither rule

    await setStatus(arn, 'Approved');
    const event = stateChange(arn, 'Approved');
    const expected = applyInputTransformer(route('Approved').transformer, event);
    expect(receiver.requests).toEqual([{ method: 'POST', contentType: 'application/json', body: expected }]);
    expect(validateRepositoryDispatchBody(JSON.parse(expected))).toEqual({
      event_type: 'model-package-approved',
      client_payload: {
        model_package_arn: arn,
        model_package_group: group,
        model_package_version: '1',
        approval_status: 'Approved',
        event_id: event.id,
      },
    });
  });

  it('sends the model-package-rejected body for a rejection, naming that version', async () => {
    receiver.requests.length = 0;
    const arn = await registerVersion(sagemaker, group, 'PendingManualApproval');
    await setStatus(arn, 'Rejected');
    const event = stateChange(arn, 'Rejected');
    const expected = applyInputTransformer(route('Rejected').transformer, event);
    expect(receiver.requests.map((request) => request.body)).toEqual([expected]);
    expect(validateRepositoryDispatchBody(JSON.parse(expected)).client_payload).toEqual({
      model_package_arn: arn,
      model_package_group: group,
      model_package_version: '2',
      approval_status: 'Rejected',
      event_id: event.id,
    });
  });
});
