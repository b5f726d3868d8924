import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { Ajv, type ValidateFunction } from 'ajv';
import { REPO_ROOT } from './moto-server.js';

/**
 * A fake of GitHub's REST API on 127.0.0.1 for the calls Slipway makes (repository variables, environments,
 * deployment branch policies, the OIDC subject template, users and teams, disabling a workflow, pull requests). Every
 * request is first checked against GitHub's published OpenAPI description (`@octokit/openapi`,
 * api.github.com): an unknown path or method, a missing required field or a field of the wrong type is a
 * violation, answered 422 and kept in `violations`, so a test that ends with violations fails.
 */

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

interface Operation {
  readonly operationId: string;
  readonly method: string;
  readonly template: string;
  readonly pattern: RegExp;
  readonly parameterNames: readonly string[];
  readonly bodySchema?: JsonObject;
  readonly bodyRequired: boolean;
}

export interface RecordedRequest {
  readonly method: string;
  readonly path: string;
  readonly operationId: string;
  readonly body: Json | undefined;
  readonly authorization: string | undefined;
}

export interface FakeEnvironment {
  reviewers: { type: 'User' | 'Team'; id: number }[];
  preventSelfReview: boolean;
  branchPolicy: { protected_branches: boolean; custom_branch_policies: boolean } | null;
  policies: { id: number; name: string; type: 'branch' | 'tag' }[];
}

/** A deployment as GitHub keeps it, with its statuses, oldest first. */
export interface FakeDeployment {
  id: number;
  ref: string;
  sha: string;
  task: string;
  environment: string;
  payload: Json;
  description: string | null;
  production_environment: boolean;
  transient_environment: boolean;
  created_at: string;
  statuses: {
    id: number;
    state: string;
    description: string;
    environment_url: string;
    log_url: string;
    created_at: string;
  }[];
}

export interface FakeRepository {
  defaultBranch: string;
  /** Deployments, oldest first. */
  deployments: FakeDeployment[];
  variables: Map<string, { value: string; updatedAt: string }>;
  environments: Map<string, FakeEnvironment>;
  oidcSub: { use_default: boolean; include_claim_keys?: string[] };
  disabledWorkflows: Set<string>;
  pullRequests: { number: number; title: string; head: string; base: string; body: string; state: 'open' }[];
  /** Runs of each workflow file, newest last. */
  workflowRuns: Map<
    string,
    {
      id: number;
      run_number: number;
      event: string;
      display_title: string;
      status: string;
      conclusion: string | null;
      created_at: string;
    }[]
  >;
}

const SPEC_PATH = join(REPO_ROOT, 'node_modules', '@octokit', 'openapi', 'generated', 'api.github.com.json');
const METHODS = ['get', 'put', 'post', 'patch', 'delete'] as const;

let cachedOperations: { operations: Operation[]; ajv: Ajv } | undefined;

/** `#/components/...` → `github#/components/...`, so a body schema compiled on its own resolves its refs. */
function qualifyRefs(value: Json): Json {
  if (Array.isArray(value)) return value.map(qualifyRefs);
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([key, inner]) => [
        key,
        key === '$ref' && typeof inner === 'string' && inner.startsWith('#/') ? `github${inner}` : qualifyRefs(inner),
      ]),
    );
  }
  return value;
}

function loadOperations(): { operations: Operation[]; ajv: Ajv } {
  if (cachedOperations) return cachedOperations;
  const spec = JSON.parse(readFileSync(SPEC_PATH, 'utf8')) as {
    paths: Record<string, Record<string, JsonObject>>;
  };
  // GitHub's description is OpenAPI 3.0 (`nullable`, `example`, vendor keys): Ajv's OpenAPI keywords, no
  // strict mode for the rest; formats (uri, date-time) are not what these tests are about.
  const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false, validateSchema: false });
  ajv.addSchema(spec as unknown as object, 'github');
  const operations: Operation[] = [];
  for (const [template, item] of Object.entries(spec.paths)) {
    const parameterNames = [...template.matchAll(/\{([^}]+)\}/g)].map((match) => match[1] as string);
    const pattern = new RegExp(
      `^${template.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\\?\{[^}]+\\?\}/g, '([^/]+)')}$`,
    );
    for (const method of METHODS) {
      const operation = item[method];
      if (!operation) continue;
      const requestBody = operation.requestBody as JsonObject | undefined;
      const content = (requestBody?.content as JsonObject | undefined)?.['application/json'] as JsonObject | undefined;
      operations.push({
        operationId: String(operation.operationId),
        method: method.toUpperCase(),
        template,
        pattern,
        parameterNames,
        ...(content?.schema ? { bodySchema: qualifyRefs(content.schema) as JsonObject } : {}),
        bodyRequired: requestBody?.required === true,
      });
    }
  }
  cachedOperations = { operations, ajv };
  return cachedOperations;
}

/** A URL on 127.0.0.1 where nothing listens (a port just released): GitHub unreachable. */
export async function closedPortUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}`;
}

export class FakeGitHub {
  readonly requests: RecordedRequest[] = [];
  readonly violations: string[] = [];
  readonly repositories = new Map<string, FakeRepository>();
  readonly users = new Map<string, number>();
  /** `org/team-slug` → team id. */
  readonly teams = new Map<string, number>();
  /** Tokens the fake accepts; any other Authorization is answered 401. */
  readonly tokens = new Set<string>();
  private readonly validators = new Map<string, ValidateFunction>();
  private nextId = 1000;
  private server: Server | undefined;

  get url(): string {
    if (!this.server) throw new Error('the fake GitHub is not started');
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** Requests that change something (everything but GET). */
  get writes(): RecordedRequest[] {
    return this.requests.filter((request) => request.method !== 'GET');
  }

  addRepository(fullName: string, defaultBranch = 'main'): FakeRepository {
    const repository: FakeRepository = {
      defaultBranch,
      deployments: [],
      variables: new Map(),
      environments: new Map(),
      oidcSub: { use_default: true },
      disabledWorkflows: new Set(),
      pullRequests: [],
      workflowRuns: new Map(),
    };
    this.repositories.set(fullName.toLowerCase(), repository);
    return repository;
  }

  async start(): Promise<this> {
    loadOperations();
    this.server = createServer((request, response) => {
      void this.handle(request, response).catch((error: unknown) => {
        this.violations.push(`the fake failed on ${request.method} ${request.url}: ${String(error)}`);
        if (!response.headersSent) response.writeHead(500).end();
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    return this;
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    this.server = undefined;
  }

  private validator(operation: Operation): ValidateFunction {
    const key = `${operation.method} ${operation.template}`;
    let validate = this.validators.get(key);
    if (!validate) {
      validate = loadOperations().ajv.compile(operation.bodySchema as object);
      this.validators.set(key, validate);
    }
    return validate;
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    const method = request.method ?? 'GET';
    const reply = (status: number, body?: Json): void => {
      if (body === undefined) response.writeHead(status).end();
      else response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    };
    const violation = (message: string): void => {
      this.violations.push(`${method} ${url.pathname}: ${message}`);
      reply(422, { message, documentation_url: 'https://docs.github.com/rest' });
    };

    const operation = loadOperations().operations.find(
      (candidate) => candidate.method === method && candidate.pattern.test(url.pathname),
    );
    if (!operation) return violation("no such operation in GitHub's OpenAPI description");
    let body: Json | undefined;
    if (raw.length > 0) {
      try {
        body = JSON.parse(raw) as Json;
      } catch {
        return violation('the body is not JSON');
      }
    }
    if (operation.bodyRequired && body === undefined) return violation('the request body is required');
    if (body !== undefined && operation.bodySchema) {
      const validate = this.validator(operation);
      if (!validate(body))
        return violation(
          `the body does not match ${operation.operationId}: ${(validate.errors ?? [])
            .map((error) => `${error.instancePath || '/'} ${error.message ?? ''}`)
            .join('; ')}`,
        );
    }
    const query = Object.fromEntries(url.searchParams);
    const params = Object.fromEntries(
      operation.parameterNames.map((name, index) => [
        name,
        decodeURIComponent(operation.pattern.exec(url.pathname)?.[index + 1] ?? ''),
      ]),
    );
    const authorization = request.headers.authorization;
    this.requests.push({ method, path: url.pathname, operationId: operation.operationId, body, authorization });
    const token = /^(?:Bearer|token) (.+)$/.exec(authorization ?? '')?.[1];
    if (!token || !this.tokens.has(token)) return reply(401, { message: 'Bad credentials' });
    const result = this.operate(operation.operationId, { ...query, ...params }, (body ?? {}) as JsonObject);
    reply(result.status, result.body);
  }

  private operate(
    operationId: string,
    params: Record<string, string>,
    body: JsonObject,
  ): { status: number; body?: Json } {
    const notFound = { status: 404, body: { message: 'Not Found' } };
    if (operationId === 'users/get-by-username') {
      const id = this.users.get(params.username!.toLowerCase());
      return id === undefined ? notFound : { status: 200, body: { login: params.username!, id, type: 'User' } };
    }
    if (operationId === 'teams/get-by-name') {
      const id = this.teams.get(`${params.org}/${params.team_slug}`.toLowerCase());
      return id === undefined ? notFound : { status: 200, body: { slug: params.team_slug!, id } };
    }
    const repository = this.repositories.get(`${params.owner}/${params.repo}`.toLowerCase());
    if (!repository) return notFound;
    const now = new Date().toISOString();
    switch (operationId) {
      case 'repos/get':
        return {
          status: 200,
          body: { full_name: `${params.owner}/${params.repo}`, default_branch: repository.defaultBranch },
        };
      case 'actions/list-workflow-runs': {
        const runs = (repository.workflowRuns.get(params.workflow_id!) ?? [])
          .filter((run) => !params.event || run.event === params.event)
          .reverse()
          .slice(0, Number(params.per_page ?? 30));
        return { status: 200, body: { total_count: runs.length, workflow_runs: runs } };
      }
      case 'repos/create-deployment': {
        const environment = typeof body.environment === 'string' ? body.environment : 'production';
        const deployment: FakeDeployment = {
          id: (this.nextId += 1),
          ref: String(body.ref),
          sha: String(body.ref),
          task: typeof body.task === 'string' ? body.task : 'deploy',
          environment,
          payload: body.payload ?? {},
          description: typeof body.description === 'string' ? body.description : null,
          production_environment:
            typeof body.production_environment === 'boolean'
              ? body.production_environment
              : environment === 'production',
          transient_environment: body.transient_environment === true,
          created_at: now,
          statuses: [],
        };
        repository.deployments.push(deployment);
        return { status: 201, body: this.deploymentBody(deployment) };
      }
      case 'repos/list-deployments': {
        const found = [...repository.deployments]
          .reverse()
          .filter((deployment) => !params.environment || deployment.environment === params.environment)
          .filter((deployment) => !params.task || deployment.task === params.task)
          .slice(0, Number(params.per_page ?? 30));
        return { status: 200, body: found.map((deployment) => this.deploymentBody(deployment)) };
      }
      case 'repos/create-deployment-status': {
        const deployment = repository.deployments.find((candidate) => candidate.id === Number(params.deployment_id));
        if (!deployment) return notFound;
        const status = {
          id: (this.nextId += 1),
          state: String(body.state),
          description: typeof body.description === 'string' ? body.description : '',
          environment_url: typeof body.environment_url === 'string' ? body.environment_url : '',
          log_url: typeof body.log_url === 'string' ? body.log_url : '',
          created_at: now,
        };
        deployment.statuses.push(status);
        // GitHub's auto_inactive (default true): a success marks the environment's earlier non-transient,
        // non-production deployments inactive.
        if (status.state === 'success' && body.auto_inactive !== false && !deployment.production_environment) {
          for (const other of repository.deployments) {
            if (other === deployment || other.environment !== deployment.environment || other.transient_environment)
              continue;
            if (other.statuses.at(-1)?.state === 'success')
              other.statuses.push({ ...status, id: (this.nextId += 1), state: 'inactive' });
          }
        }
        return { status: 201, body: { ...status, deployment_url: '', repository_url: '' } };
      }
      case 'repos/list-deployment-statuses': {
        const deployment = repository.deployments.find((candidate) => candidate.id === Number(params.deployment_id));
        if (!deployment) return notFound;
        const statuses = [...deployment.statuses].reverse().slice(0, Number(params.per_page ?? 30));
        return { status: 200, body: statuses };
      }
      case 'pulls/list': {
        // `head` is OWNER:BRANCH; this fake's pull requests all come from the repository itself.
        const head = params.head?.split(':').pop();
        const pulls = repository.pullRequests.filter(
          (pull) =>
            (!params.state || params.state === 'all' || pull.state === params.state) && (!head || pull.head === head),
        );
        return { status: 200, body: pulls.map((pull) => ({ ...pull, html_url: this.pullUrl(params, pull.number) })) };
      }
      case 'pulls/create': {
        const head = String(body.head);
        if (repository.pullRequests.some((pull) => pull.head === head && pull.state === 'open'))
          return { status: 422, body: { message: `A pull request already exists for ${params.owner}:${head}.` } };
        const pull = {
          number: (this.nextId += 1),
          title: String(body.title ?? ''),
          head,
          base: String(body.base),
          body: String(body.body ?? ''),
          state: 'open' as const,
        };
        repository.pullRequests.push(pull);
        return { status: 201, body: { ...pull, html_url: this.pullUrl(params, pull.number) } };
      }
      case 'actions/disable-workflow':
        repository.disabledWorkflows.add(params.workflow_id!);
        return { status: 204 };
      case 'actions/get-repo-variable': {
        const variable = repository.variables.get(params.name!.toUpperCase());
        return variable
          ? {
              status: 200,
              body: { name: params.name!.toUpperCase(), value: variable.value, created_at: now, updated_at: now },
            }
          : notFound;
      }
      case 'actions/create-repo-variable': {
        const name = String(body.name).toUpperCase();
        if (repository.variables.has(name)) return { status: 409, body: { message: 'Already exists' } };
        repository.variables.set(name, { value: String(body.value), updatedAt: now });
        return { status: 201, body: {} };
      }
      case 'actions/update-repo-variable': {
        const name = params.name!.toUpperCase();
        if (!repository.variables.has(name)) return notFound;
        repository.variables.set(name, { value: String(body.value), updatedAt: now });
        return { status: 204 };
      }
      case 'actions/get-custom-oidc-sub-claim-for-repo':
        return { status: 200, body: repository.oidcSub as JsonObject };
      case 'actions/set-custom-oidc-sub-claim-for-repo':
        repository.oidcSub = {
          use_default: body.use_default === true,
          ...(Array.isArray(body.include_claim_keys)
            ? { include_claim_keys: body.include_claim_keys as string[] }
            : {}),
        };
        return { status: 201, body: {} };
      case 'repos/get-environment': {
        const environment = repository.environments.get(params.environment_name!);
        if (!environment) return notFound;
        return { status: 200, body: this.environmentBody(params.environment_name!, environment) };
      }
      case 'repos/create-or-update-environment': {
        const name = params.environment_name!;
        const existing = repository.environments.get(name);
        const reviewers = Array.isArray(body.reviewers)
          ? (body.reviewers as JsonObject[]).map((reviewer) => ({
              type: reviewer.type as 'User' | 'Team',
              id: Number(reviewer.id),
            }))
          : (existing?.reviewers ?? []);
        const environment: FakeEnvironment = {
          reviewers,
          preventSelfReview:
            typeof body.prevent_self_review === 'boolean'
              ? body.prevent_self_review
              : (existing?.preventSelfReview ?? false),
          branchPolicy:
            body.deployment_branch_policy === undefined
              ? (existing?.branchPolicy ?? null)
              : (body.deployment_branch_policy as FakeEnvironment['branchPolicy']),
          policies: existing?.policies ?? [],
        };
        repository.environments.set(name, environment);
        return { status: 200, body: this.environmentBody(name, environment) };
      }
      case 'repos/list-deployment-branch-policies': {
        const environment = repository.environments.get(params.environment_name!);
        if (!environment) return notFound;
        return {
          status: 200,
          body: { total_count: environment.policies.length, branch_policies: environment.policies },
        };
      }
      case 'repos/create-deployment-branch-policy': {
        const environment = repository.environments.get(params.environment_name!);
        if (!environment) return notFound;
        if (!environment.branchPolicy?.custom_branch_policies)
          return { status: 404, body: { message: 'Custom branch policies are not enabled for this environment' } };
        const type = body.type === 'tag' ? 'tag' : 'branch';
        if (environment.policies.some((policy) => policy.name === body.name && policy.type === type))
          return { status: 303, body: { message: 'Already exists' } };
        const policy = { id: (this.nextId += 1), name: String(body.name), type } as const;
        environment.policies.push(policy);
        return { status: 200, body: policy };
      }
      default:
        return { status: 501, body: { message: `the fake does not implement ${operationId}` } };
    }
  }

  private deploymentBody(deployment: FakeDeployment): JsonObject {
    const { statuses: _statuses, ...fields } = deployment;
    return { ...fields, url: '', statuses_url: '', repository_url: '', creator: null, updated_at: fields.created_at };
  }

  private pullUrl(params: Record<string, string>, number: number): string {
    return `https://github.com/${params.owner}/${params.repo}/pull/${number}`;
  }

  private environmentBody(name: string, environment: FakeEnvironment): JsonObject {
    const rules: JsonObject[] = [];
    if (environment.reviewers.length > 0)
      rules.push({
        id: 1,
        type: 'required_reviewers',
        prevent_self_review: environment.preventSelfReview,
        reviewers: environment.reviewers.map((reviewer) => ({ type: reviewer.type, reviewer: { id: reviewer.id } })),
      });
    if (environment.branchPolicy) rules.push({ id: 2, type: 'branch_policy' });
    return {
      id: 1,
      name,
      protection_rules: rules,
      deployment_branch_policy: environment.branchPolicy,
    };
  }
}
