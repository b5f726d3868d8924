import type { ChangeFeed } from './change-feed.js';
import type { Database } from './database.js';
import { fromJsonColumn, optional, toJsonColumn } from './database.js';
import type { Tag } from './pipeline-repository.js';

/** DescribeEndpoint's EndpointStatus values the local server uses. */
export type EndpointStatus = 'Creating' | 'Updating' | 'InService' | 'Deleting' | 'Failed';

/** What a variant's model server runs: resolved from the model (and its model package) when deployed. */
export interface ServingContainer {
  readonly image: string;
  /** `s3://…/model.tar.gz`; absent for a container that needs no model data. */
  readonly modelDataUrl?: string;
  readonly environment: Readonly<Record<string, string>>;
}

/** ProductionVariant.ServerlessConfig (a serverless variant runs one model server locally). */
export interface ServerlessConfig {
  readonly MemorySizeInMB: number;
  readonly MaxConcurrency: number;
  readonly ProvisionedConcurrency?: number;
}

/** One production variant as deployed: a snapshot, so later changes to its config or model change nothing. */
export interface VariantSpec {
  readonly variantName: string;
  readonly modelName: string;
  readonly weight: number;
  readonly instanceCount: number;
  readonly instanceType?: string;
  readonly serverlessConfig?: ServerlessConfig;
  /** ContainerStartupHealthCheckTimeoutInSeconds, when the config gave one. */
  readonly startupTimeoutSeconds?: number;
  readonly container: ServingContainer;
}

/** One deployment of an endpoint config to an endpoint: the fleet blue/green updates replace. */
export interface DeploymentSpec {
  /** Unique per deployment; names its folders. */
  readonly id: string;
  readonly configName: string;
  readonly variants: readonly VariantSpec[];
  /** The config's DataCaptureConfig, as given. */
  readonly dataCapture?: Readonly<Record<string, unknown>>;
  readonly startedAt: Date;
}

export interface EndpointRecord {
  readonly name: string;
  readonly arn: string;
  /** The config of the serving deployment, or of the one being created. */
  readonly configName: string;
  readonly status: EndpointStatus;
  readonly failureReason?: string;
  /** What takes traffic; absent until the first deployment is in service. */
  readonly serving?: DeploymentSpec;
  /** A deployment in progress (Creating or Updating). */
  readonly pending?: DeploymentSpec;
  /** The DeploymentConfig of the last CreateEndpoint/UpdateEndpoint that gave one. */
  readonly deploymentConfig?: Readonly<Record<string, unknown>>;
  readonly tags: readonly Tag[];
  readonly createdAt: Date;
  readonly modifiedAt: Date;
}

export interface EndpointConfigRecord {
  readonly name: string;
  readonly arn: string;
  /** The CreateEndpointConfig request without EndpointConfigName and Tags. Immutable. */
  readonly request: Readonly<Record<string, unknown>>;
  readonly tags: readonly Tag[];
  readonly createdAt: Date;
}

interface EndpointRow {
  name: string;
  arn: string;
  config_name: string;
  status: EndpointStatus;
  failure_reason: string | null;
  serving: string | null;
  pending: string | null;
  deployment_config: string | null;
  tags: string;
  created_at: number;
  modified_at: number;
}

interface ConfigRow {
  name: string;
  arn: string;
  request: string;
  tags: string;
  created_at: number;
}

type StoredDeployment = Omit<DeploymentSpec, 'startedAt'> & { startedAt: number };

/** Endpoint configs and endpoints. Names compare without case, as SageMaker's do. */
export class EndpointRepository {
  constructor(
    private readonly db: Database,
    private readonly changes: ChangeFeed,
  ) {}

  insertConfig(config: EndpointConfigRecord): void {
    this.db
      .prepare('INSERT INTO endpoint_configs (name, arn, request, tags, created_at) VALUES (?, ?, ?, ?, ?)')
      .run(
        config.name,
        config.arn,
        JSON.stringify(config.request),
        JSON.stringify(config.tags),
        config.createdAt.getTime(),
      );
  }

  config(name: string): EndpointConfigRecord | undefined {
    const row = this.db.prepare<[string], ConfigRow>('SELECT * FROM endpoint_configs WHERE name = ?').get(name);
    return row ? toConfig(row) : undefined;
  }

  configs(): EndpointConfigRecord[] {
    return this.db
      .prepare<[], ConfigRow>('SELECT * FROM endpoint_configs ORDER BY created_at, rowid')
      .all()
      .map(toConfig);
  }

  deleteConfig(name: string): boolean {
    return this.db.prepare('DELETE FROM endpoint_configs WHERE name = ?').run(name).changes > 0;
  }

  insert(endpoint: EndpointRecord): void {
    this.db
      .prepare(
        `INSERT INTO endpoints (name, arn, config_name, status, failure_reason, serving, pending, deployment_config,
           tags, created_at, modified_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        ...this.columns(endpoint),
        JSON.stringify(endpoint.tags),
        endpoint.createdAt.getTime(),
        endpoint.modifiedAt.getTime(),
      );
    this.changes.notify({ kind: 'endpoint', name: endpoint.name });
  }

  /** Writes every mutable column of an existing endpoint. */
  update(endpoint: EndpointRecord): void {
    const [name, ...rest] = this.columns(endpoint);
    this.db
      .prepare(
        `UPDATE endpoints SET arn = ?, config_name = ?, status = ?, failure_reason = ?, serving = ?, pending = ?,
           deployment_config = ?, modified_at = ? WHERE name = ?`,
      )
      .run(...rest, endpoint.modifiedAt.getTime(), name);
    this.changes.notify({ kind: 'endpoint', name: endpoint.name });
  }

  get(name: string): EndpointRecord | undefined {
    const row = this.db.prepare<[string], EndpointRow>('SELECT * FROM endpoints WHERE name = ?').get(name);
    return row ? toEndpoint(row) : undefined;
  }

  list(): EndpointRecord[] {
    return this.db.prepare<[], EndpointRow>('SELECT * FROM endpoints ORDER BY created_at, rowid').all().map(toEndpoint);
  }

  delete(name: string): boolean {
    const deleted = this.db.prepare('DELETE FROM endpoints WHERE name = ?').run(name).changes > 0;
    if (deleted) this.changes.notify({ kind: 'endpoint', name });
    return deleted;
  }

  private columns(endpoint: EndpointRecord) {
    return [
      endpoint.name,
      endpoint.arn,
      endpoint.configName,
      endpoint.status,
      endpoint.failureReason ?? null,
      toJsonColumn(endpoint.serving && storeDeployment(endpoint.serving)),
      toJsonColumn(endpoint.pending && storeDeployment(endpoint.pending)),
      toJsonColumn(endpoint.deploymentConfig),
    ] as const;
  }
}

function storeDeployment(deployment: DeploymentSpec): StoredDeployment {
  return { ...deployment, startedAt: deployment.startedAt.getTime() };
}

function loadDeployment(text: string | null): DeploymentSpec | undefined {
  const stored = fromJsonColumn<StoredDeployment>(text);
  return stored && { ...stored, startedAt: new Date(stored.startedAt) };
}

function toEndpoint(row: EndpointRow): EndpointRecord {
  const serving = loadDeployment(row.serving);
  const pending = loadDeployment(row.pending);
  const deploymentConfig = fromJsonColumn<Record<string, unknown>>(row.deployment_config);
  return {
    name: row.name,
    arn: row.arn,
    configName: row.config_name,
    status: row.status,
    ...optional('failureReason', row.failure_reason),
    ...optional('serving', serving),
    ...optional('pending', pending),
    ...optional('deploymentConfig', deploymentConfig),
    tags: JSON.parse(row.tags) as Tag[],
    createdAt: new Date(row.created_at),
    modifiedAt: new Date(row.modified_at),
  };
}

function toConfig(row: ConfigRow): EndpointConfigRecord {
  return {
    name: row.name,
    arn: row.arn,
    request: JSON.parse(row.request) as Record<string, unknown>,
    tags: JSON.parse(row.tags) as Tag[],
    createdAt: new Date(row.created_at),
  };
}
