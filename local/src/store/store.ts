import { CacheRepository } from './cache-repository.js';
import { ChangeFeed } from './change-feed.js';
import { openDatabase, type Database } from './database.js';
import { EndpointRepository } from './endpoint-repository.js';
import { EventRepository } from './event-repository.js';
import { ExecutionRepository } from './execution-repository.js';
import { JobRepository } from './job-repository.js';
import { ModelPackageRepository } from './model-package-repository.js';
import { ModelRepository } from './model-repository.js';
import { PipelineRepository } from './pipeline-repository.js';
import { ResourcePolicyRepository } from './resource-policy-repository.js';

/** Every repository over one SQLite database, and one way to group their writes into a transaction. */
export class Store {
  readonly pipelines: PipelineRepository;
  readonly executions: ExecutionRepository;
  readonly jobs: JobRepository;
  readonly models: ModelRepository;
  readonly modelPackages: ModelPackageRepository;
  readonly cache: CacheRepository;
  readonly events: EventRepository;
  readonly endpoints: EndpointRepository;
  /** Model package groups' and buckets' resource policies. */
  readonly policies: ResourcePolicyRepository;
  /** Every write to pipelines, executions, steps, jobs, model packages and endpoints, for live views. */
  readonly changes = new ChangeFeed();

  constructor(readonly db: Database) {
    this.pipelines = new PipelineRepository(db, this.changes);
    this.executions = new ExecutionRepository(db, this.changes);
    this.jobs = new JobRepository(db, this.changes);
    this.models = new ModelRepository(db);
    this.modelPackages = new ModelPackageRepository(db, this.changes);
    this.cache = new CacheRepository(db);
    this.events = new EventRepository(db);
    this.endpoints = new EndpointRepository(db, this.changes);
    this.policies = new ResourcePolicyRepository(db);
  }

  static open(dataDir: string): Store {
    return new Store(openDatabase(dataDir));
  }

  /** Runs `work` in one transaction: all its writes land, or none do. */
  transaction<T>(work: () => T): T {
    return this.db.transaction(work)();
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}
