import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from '@slipway/local';
import type { ConsoleContext } from '../api/console-context.js';
import { deploymentsView } from '../api/deployments.js';
import { endpointView, listEndpoints } from '../api/endpoints.js';
import { compareExecutions, executionView, stepDetail } from '../api/executions.js';
import { monitoringView } from '../api/monitoring.js';
import { previewObject } from '../api/objects.js';
import { listPipelines, pipelineView, retryExecution, startExecution, stopExecution } from '../api/pipelines.js';
import { decideApproval, listModelGroups, modelGroupView, modelVersionView } from '../api/registry.js';
import type { ConsoleInfo, ConsolePermissions } from '../views.js';
import { ConsoleError, describeApiError } from './api-errors.js';
import { streamJobLog } from './job-log-stream.js';
import type { LiveHub } from './live-hub.js';

/** Largest JSON body the console's API reads. */
const MAX_JSON_BYTES = 256 * 1024;

export interface ApiRouterOptions {
  readonly context: ConsoleContext;
  readonly hub: LiveHub;
  readonly log: Logger;
  readonly refreshSeconds: number;
  /** Registers a stream to end when the server closes. */
  readonly track: (response: ServerResponse, stop: () => void) => void;
}

type Query = URLSearchParams;
type Reader = (query: Query) => Promise<unknown>;
type Action = (body: Record<string, unknown>, query: Query) => Promise<unknown>;

/**
 * `/studio/api/…`: GET reads (JSON), POST actions (JSON in, JSON out; the caller has passed the forgery
 * checks), and two event streams (`events`, `log`). Each action first checks that the console may do it
 * (`--aws` is read-only unless `--allow-approve`).
 */
export function createApiRouter(options: ApiRouterOptions) {
  const { context, hub } = options;
  const { backend } = context;
  const required = (query: Query, name: string): string => {
    const value = query.get(name);
    if (!value) throw new ConsoleError(400, 'ValidationError', `the query parameter ${name} is required`);
    return value;
  };
  const allowed = (permission: keyof ConsolePermissions, what: string) => {
    if (!backend.permissions[permission]) {
      throw new ConsoleError(
        403,
        'ReadOnly',
        backend.mode === 'aws'
          ? `${what} is off: \`slipway studio --aws\` is read-only${permission === 'approve' ? ' unless started with --allow-approve' : ''}`
          : `${what} is not available on this server`,
      );
    }
  };
  const text = (body: Record<string, unknown>, name: string): string => {
    const value = body[name];
    if (typeof value !== 'string' || value === '') {
      throw new ConsoleError(400, 'ValidationError', `the body's ${name} must be a non-empty string`);
    }
    return value;
  };

  const readers: Record<string, Reader> = {
    info: async (): Promise<ConsoleInfo> => ({
      mode: backend.mode,
      region: backend.region,
      permissions: backend.permissions,
      ...(backend.project ? { project: backend.project } : {}),
      live: backend.subscribe ? 'events' : 'refresh',
      ...(backend.subscribe ? {} : { refreshSeconds: options.refreshSeconds }),
      features: {
        approvalHistory: backend.approvalHistory !== undefined,
        jobLogs: backend.jobLogFile !== undefined,
        deployRuns: backend.deploy !== undefined,
        invocationLatency: backend.recentInvocations !== undefined,
      },
    }),
    pipelines: () => listPipelines(context),
    pipeline: (query) => pipelineView(context, required(query, 'name')),
    execution: (query) => executionView(context, required(query, 'arn')),
    step: (query) => stepDetail(context, required(query, 'arn'), required(query, 'name')),
    compare: (query) => compareExecutions(context, required(query, 'a'), required(query, 'b')),
    registry: () => listModelGroups(context),
    'model-group': (query) => modelGroupView(context, required(query, 'name')),
    'model-version': (query) => modelVersionView(context, required(query, 'arn')),
    deployments: () => deploymentsView(context),
    endpoints: () => listEndpoints(context),
    endpoint: (query) => endpointView(context, required(query, 'name')),
    monitoring: () => monitoringView(context),
    object: (query) => previewObject(context, required(query, 'uri')),
  };

  const actions: Record<string, Action> = {
    'pipeline/start': async (body) => {
      allowed('execute', 'Starting executions');
      const parameters = body['parameters'] ?? {};
      if (typeof parameters !== 'object' || parameters === null || Array.isArray(parameters)) {
        throw new ConsoleError(400, 'ValidationError', 'the body\'s parameters must be an object of NAME: "value"');
      }
      const version = body['version'];
      if (version !== undefined && (typeof version !== 'number' || !Number.isInteger(version) || version < 1)) {
        throw new ConsoleError(
          400,
          'ValidationError',
          `the body's version must be a whole number ≥ 1, got ${JSON.stringify(version)}`,
        );
      }
      return startExecution(context, text(body, 'name'), {
        parameters: parameters as Record<string, string>,
        ...(version !== undefined ? { version: version as number } : {}),
      });
    },
    'execution/stop': async (body) => {
      allowed('execute', 'Stopping executions');
      return stopExecution(context, text(body, 'arn'));
    },
    'execution/retry': async (body) => {
      allowed('execute', 'Retrying executions');
      return retryExecution(context, text(body, 'arn'));
    },
    'model-version/approval': async (body) => {
      allowed('approve', 'Approving and rejecting');
      return decideApproval(context, text(body, 'arn'), { status: body['status'], reason: body['reason'] });
    },
    'deployments/promote': async () => {
      allowed('promote', 'Promoting');
      const deploy = backend.deploy!;
      const waiting = (await deploy.listRuns()).find((run) => run.status === 'waiting');
      if (!waiting) throw new ConsoleError(409, 'NothingWaiting', 'No deploy run waits for promotion.');
      // The gate opens now; the run goes on in the background and the page follows it live.
      deploy
        .promote()
        .catch((error: unknown) => options.log.error(`promoting deploy run #${waiting.number} failed`, error));
      return { promoted: waiting.number, modelPackageArn: waiting.modelPackageArn ?? null };
    },
  };

  return async function handleApi(
    name: string,
    request: IncomingMessage,
    response: ServerResponse,
    query: Query,
  ): Promise<void> {
    try {
      if (request.method === 'GET' && name === 'events') return hub.attach(response);
      if (request.method === 'GET' && name === 'log') return streamLog(query, response);
      if (request.method === 'POST' && name === 'endpoint/invoke') {
        allowed('invoke', 'Invoking endpoints');
        return await backend.invoke(required(query, 'name'), request, response);
      }
      const reader = request.method === 'GET' ? readers[name] : undefined;
      const action = request.method === 'POST' ? actions[name] : undefined;
      if (!reader && !action) {
        const exists = readers[name] !== undefined || actions[name] !== undefined || ['events', 'log'].includes(name);
        throw new ConsoleError(
          exists ? 405 : 404,
          exists ? 'MethodNotAllowed' : 'NotFound',
          `${request.method} /studio/api/${name} is not served`,
        );
      }
      const result = reader ? await reader(query) : await action!(await readJson(request), query);
      sendJson(response, 200, result);
    } catch (error) {
      const described = describeApiError(error);
      if (described.internal) options.log.error(`studio: ${request.method} /studio/api/${name} failed`, error);
      if (response.headersSent) {
        response.destroy();
        return;
      }
      sendJson(response, described.status, { error: { code: described.code, message: described.message } });
    }
  };

  function streamLog(query: Query, response: ServerResponse): void {
    const job = required(query, 'job');
    const file = backend.jobLogFile?.(job);
    if (!file) throw new ConsoleError(404, 'NotFound', `no log is kept here for job ${job}`);
    streamJobLog(
      response,
      file,
      () => backend.jobRunning?.(job) ?? false,
      (stop) => options.track(response, stop),
    );
  }
}

export function sendJson(response: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  response.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': String(Buffer.byteLength(text)),
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
  });
  response.end(text);
}

async function readJson(request: IncomingMessage): Promise<Record<string, unknown>> {
  const type = String(request.headers['content-type'] ?? '');
  if (!/^application\/json\b/.test(type)) {
    throw new ConsoleError(
      415,
      'UnsupportedMediaType',
      `send JSON (content-type: application/json), got ${JSON.stringify(type)}`,
    );
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_JSON_BYTES) throw new ConsoleError(413, 'TooLarge', `the body is over ${MAX_JSON_BYTES} bytes`);
    chunks.push(chunk);
  }
  const raw = Buffer.concat(chunks).toString('utf8');
  if (raw.trim() === '') return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch (error) {
    throw new ConsoleError(400, 'ValidationError', `the body is not JSON: ${(error as Error).message}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new ConsoleError(400, 'ValidationError', 'the body must be a JSON object');
  }
  return parsed as Record<string, unknown>;
}
