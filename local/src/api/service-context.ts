import type { CrossAccountAccess } from '../accounts/cross-account.js';
import type { EndpointManager } from '../endpoints/endpoint-manager.js';
import type { PipelineEngine } from '../engine/pipeline-engine.js';
import type { CallbackTokens } from '../callbacks/callback-tokens.js';
import type { LocalQueues } from '../callbacks/local-queues.js';
import type { JobService } from '../jobs/job-service.js';
import type { ArnScope } from '../engine/naming.js';
import type { EventBus } from '../events/event-bus.js';
import type { ModelRegistry } from '../registry/model-registry.js';
import type { OperationModule } from '../server/operation-registry.js';
import type { Logger } from '../server/logger.js';
import type { ObjectStore } from '../storage/object-store.js';
import type { Store } from '../store/store.js';

/** What operation handlers use; built once by startLocalServer and passed to every operation module. */
export interface ServiceContext {
  readonly store: Store;
  readonly engine: PipelineEngine;
  /** Every job: Create/Describe/Stop/List*Job and pipeline steps run through it. */
  readonly jobs: JobService;
  /** Callback steps' waiting tokens. */
  readonly callbacks: CallbackTokens;
  /** The local SQS queues Callback steps send their tokens to. */
  readonly queues: LocalQueues;
  readonly registry: ModelRegistry;
  readonly bus: EventBus;
  readonly objects: ObjectStore;
  readonly scope: ArnScope;
  readonly log: Logger;
  /** Endpoints' lifecycle and their model servers. */
  readonly endpoints: EndpointManager;
  /** What this account (`scope.accountId`) may reach in the other accounts the server emulates. */
  readonly crossAccount: CrossAccountAccess;
}

/** An operation module's factory: adding a resource family means adding one of these to the server's list. */
export type OperationModuleFactory = (context: ServiceContext) => OperationModule;
