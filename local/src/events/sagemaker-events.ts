import {
  MODEL_PACKAGE_STATE_CHANGE,
  PIPELINE_EXECUTION_STATUS_CHANGE,
  SAGEMAKER_SOURCE,
  eventTime,
  type EventBridgeEvent,
} from '@slipway/core';
import type { EventBus } from './event-bus.js';

export interface ModelPackageEventInput {
  readonly ModelPackageGroupName: string;
  readonly ModelPackageVersion: number;
  readonly ModelPackageArn: string;
  readonly ModelPackageDescription?: string;
  readonly CreationTime: Date;
  readonly InferenceSpecification?: unknown;
  readonly ModelPackageStatus: string;
  readonly ModelApprovalStatus: string;
  readonly ApprovalDescription?: string;
  readonly MetadataProperties?: unknown;
  readonly ModelMetrics?: unknown;
  readonly CustomerMetadataProperties?: unknown;
  readonly ModelLifeCycle?: unknown;
  readonly LastModifiedTime: Date;
}

/**
 * "SageMaker Model Package State Change", shaped like AWS's published sample (events/ in the reference):
 * the package's describe fields in `detail`, times as EventBridge timestamps, the package ARN in resources.
 */
export function modelPackageStateChangeEvent(
  bus: EventBus,
  input: ModelPackageEventInput,
  at = new Date(),
): EventBridgeEvent {
  const detail: Record<string, unknown> = {
    ModelPackageGroupName: input.ModelPackageGroupName,
    ModelPackageVersion: input.ModelPackageVersion,
    ModelPackageArn: input.ModelPackageArn,
    ...(input.ModelPackageDescription ? { ModelPackageDescription: input.ModelPackageDescription } : {}),
    CreationTime: eventTime(input.CreationTime),
    ...(input.InferenceSpecification !== undefined ? { InferenceSpecification: input.InferenceSpecification } : {}),
    ModelPackageStatus: input.ModelPackageStatus,
    ModelPackageStatusDetails: { ValidationStatuses: [], ImageScanStatuses: [] },
    CertifyForMarketplace: false,
    ModelApprovalStatus: input.ModelApprovalStatus,
    ...(input.ApprovalDescription !== undefined ? { ApprovalDescription: input.ApprovalDescription } : {}),
    ...(input.MetadataProperties !== undefined ? { MetadataProperties: input.MetadataProperties } : {}),
    ...(input.ModelMetrics !== undefined ? { ModelMetrics: input.ModelMetrics } : {}),
    ...(input.CustomerMetadataProperties !== undefined
      ? { CustomerMetadataProperties: input.CustomerMetadataProperties }
      : {}),
    ...(input.ModelLifeCycle !== undefined ? { ModelLifeCycle: input.ModelLifeCycle } : {}),
    LastModifiedTime: eventTime(input.LastModifiedTime),
  };
  return bus.envelope(SAGEMAKER_SOURCE, MODEL_PACKAGE_STATE_CHANGE, detail, [input.ModelPackageArn], at);
}

/** The execution fields the status-change event reports. */
export interface ExecutionEventSource {
  readonly pipelineArn: string;
  readonly arn: string;
  readonly displayName?: string;
  readonly description?: string;
  readonly createdAt: Date;
}

/** "SageMaker Model Building Pipeline Execution Status Change", shaped like AWS's published sample. */
export function executionStatusChangeEvent(
  bus: EventBus,
  execution: ExecutionEventSource,
  change: { readonly current: string; readonly previous?: string; readonly endTime?: Date },
  at = new Date(),
): EventBridgeEvent {
  const detail: Record<string, unknown> = {
    ...(execution.displayName !== undefined ? { pipelineExecutionDisplayName: execution.displayName } : {}),
    currentPipelineExecutionStatus: change.current,
    ...(change.previous !== undefined ? { previousPipelineExecutionStatus: change.previous } : {}),
    executionStartTime: eventTime(execution.createdAt),
    ...(change.endTime ? { executionEndTime: eventTime(change.endTime) } : {}),
    ...(execution.description !== undefined ? { pipelineExecutionDescription: execution.description } : {}),
    pipelineArn: execution.pipelineArn,
    pipelineExecutionArn: execution.arn,
  };
  return bus.envelope(
    SAGEMAKER_SOURCE,
    PIPELINE_EXECUTION_STATUS_CHANGE,
    detail,
    [execution.pipelineArn, execution.arn],
    at,
  );
}
