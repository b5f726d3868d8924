export * from './storage/object-key.js';
export * from './storage/object-store.js';
export * from './runners/job-runner.js';
export * from './archive/index.js';
export * from './runtimes/index.js';
export * from './runners/index.js';
export * from './serving/index.js';
export * from './local-server.js';
export { isProcessAlive } from '@slipway/core';
export type { EventTarget, CommandTarget, HttpTarget, HandlerTarget } from './events/event-targets.js';
export type { EventBus, EventBusOptions, RuleDefinition, RuleInfo } from './events/event-bus.js';
export { parseDefinition, type PipelineDefinition, type StepDefinition } from './engine/definition/index.js';
export type { OperationModule, OperationHandler, OperationContext } from './server/operation-registry.js';
export type { OperationModuleFactory, ServiceContext } from './api/service-context.js';
export { ServiceError } from './server/service-error.js';
export type { InvocationHandler, InvocationRequest, RouteHandler } from './server/http-server.js';
export { LOCAL_HOST } from './server/http-server.js';
export { handleJsonRequest, type WireResponse } from './server/json-protocol.js';
export type { S3Request, S3Response } from './s3/s3-api.js';
export type { ChangeFeed, StoreChange, StoreChangeListener } from './store/change-feed.js';
export type { InvocationLog, InvocationRecord } from './endpoints/invocation-log.js';
export type { ApprovalChange, ModelApprovalStatus } from './store/model-package-repository.js';
export type { JobRecord } from './store/job-repository.js';
export { silentLogger, consoleLogger, type Logger } from './server/logger.js';
export { EndpointManager, type EndpointManagerOptions, type ModelServerInfo } from './endpoints/endpoint-manager.js';
export { INTERRUPTED_CREATE } from './endpoints/endpoint-restart.js';
export type { EndpointRecord, EndpointStatus, DeploymentSpec, VariantSpec } from './store/endpoint-repository.js';
export type { LambdaFunctionsConfig } from './engine/steps/lambda-functions.js';
export { PeriodicTask, type PeriodicTaskOptions } from './monitoring/periodic-task.js';
export { AccountDirectory, type AccountResources } from './accounts/account-directory.js';
export { CrossAccountAccess, bucketArn, groupArnOf } from './accounts/cross-account.js';
export {
  MalformedPolicyError,
  evaluateResourcePolicy,
  parseResourcePolicy,
  type PolicyDecision,
  type PolicyRequest,
  type ResourcePolicy,
} from './accounts/resource-policy.js';
