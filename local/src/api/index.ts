import { callbackOperations, queueOperations } from './callbacks.js';
import { endpointConfigOperations } from './endpoint-configs.js';
import { endpointOperations } from './endpoints.js';
import { eventOperations } from './events.js';
import { jobOperations } from './jobs.js';
import { logOperations } from './logs.js';
import { approvalHistoryOperations, modelPackageOperations } from './model-packages.js';
import { modelOperations } from './models.js';
import { pipelineExecutionOperations } from './pipeline-executions.js';
import { pipelineOperations } from './pipelines.js';
import type { OperationModuleFactory } from './service-context.js';

/** The resource families the server speaks. A new family is a new module added to this list. */
export const BUILT_IN_OPERATION_MODULES: readonly OperationModuleFactory[] = [
  pipelineOperations,
  pipelineExecutionOperations,
  jobOperations,
  logOperations,
  callbackOperations,
  queueOperations,
  modelPackageOperations,
  approvalHistoryOperations,
  eventOperations,
  modelOperations,
  endpointConfigOperations,
  endpointOperations,
];
