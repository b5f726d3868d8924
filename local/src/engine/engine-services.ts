import type { CallbackTokens } from '../callbacks/callback-tokens.js';
import type { LocalQueues } from '../callbacks/local-queues.js';
import type { JobService } from '../jobs/job-service.js';
import type { EventBus } from '../events/event-bus.js';
import type { ModelRegistry } from '../registry/model-registry.js';
import type { Logger } from '../server/logger.js';
import type { ObjectStore } from '../storage/object-store.js';
import type { Store } from '../store/store.js';
import type { ArnScope } from './naming.js';
import type { LocalSupportContext } from './steps/local-step-types.js';

/** Everything the engine and its step executors use, wired once at server start. */
export interface EngineServices {
  readonly store: Store;
  readonly objects: ObjectStore;
  /** Runs every job (pipeline steps' and Create*Job's alike). */
  readonly jobs: JobService;
  /** Callback steps' waiting tokens (SendPipelineExecutionStepSuccess/Failure settle them). */
  readonly callbacks: CallbackTokens;
  /** The local queues Callback steps send their tokens to. */
  readonly queues: LocalQueues;
  readonly registry: ModelRegistry;
  readonly bus: EventBus;
  readonly log: Logger;
  readonly scope: ArnScope;
  readonly dataDir: string;
  /** What CreatePipeline checks a definition's steps against (the configured Lambda handlers, ...). */
  readonly localSupport: LocalSupportContext;
}
