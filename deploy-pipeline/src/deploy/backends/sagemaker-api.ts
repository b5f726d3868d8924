import {
  CreateEndpointCommand,
  CreateEndpointConfigCommand,
  CreateModelCommand,
  DeleteEndpointCommand,
  DescribeEndpointConfigCommand,
  DescribeModelCommand,
  UpdateEndpointCommand,
  type DeploymentConfig,
  type SageMakerClient,
  type Tag,
} from '@aws-sdk/client-sagemaker';
import type { ProjectConfig } from '@slipway/core';
import {
  createEndpointConfigRequest,
  createModelRequest,
  deploymentConfig,
  type EndpointSpec,
} from '../../endpoint-spec.js';
import { projectTags } from '../../names.js';
import type { LiveDeployment } from '../live-deployment.js';
import { orUndefinedIfMissing } from '../sagemaker-errors.js';

export interface SageMakerApiOptions {
  readonly project: Pick<ProjectConfig, 'projectName' | 'projectId'>;
  readonly executionRoleArn: string;
  readonly log: (message: string) => void;
  /** Waits until a deleted endpoint is gone (the SageMaker API refuses to reuse the name before). */
  readonly waitUntilGone: () => Promise<void>;
}

/**
 * Deploys through the SageMaker API: CreateModel from the package, CreateEndpointConfig, then Create or
 * UpdateEndpoint. Each step first looks for what an interrupted earlier run may have created under the same
 * (version-derived) name, so re-running after a crash continues instead of failing or duplicating.
 */
export async function deployWithSageMakerApi(
  sagemaker: SageMakerClient,
  spec: EndpointSpec,
  live: LiveDeployment | undefined,
  options: SageMakerApiOptions,
): Promise<void> {
  const tags: Tag[] = Object.entries({
    ...projectTags(options.project),
    'slipway:model-package-version': String(spec.version),
  }).map(([Key, Value]) => ({ Key, Value }));
  const model = await orUndefinedIfMissing(() =>
    sagemaker.send(new DescribeModelCommand({ ModelName: spec.modelName })),
  );
  if (!model) {
    options.log(`Creating model ${spec.modelName} from ${spec.modelPackageArn}`);
    await sagemaker.send(new CreateModelCommand({ ...createModelRequest(spec, options.executionRoleArn), Tags: tags }));
  } else if (model.PrimaryContainer?.ModelPackageName !== spec.modelPackageArn) {
    throw new Error(
      `Model ${spec.modelName} exists but serves ${model.PrimaryContainer?.ModelPackageName ?? 'no model package'}; delete it and retry`,
    );
  }
  const config = await orUndefinedIfMissing(() =>
    sagemaker.send(new DescribeEndpointConfigCommand({ EndpointConfigName: spec.endpointConfigName })),
  );
  if (!config) {
    options.log(`Creating endpoint config ${spec.endpointConfigName}`);
    // The local server has no KMS or CloudWatch: no key, and no alarm-driven rollback.
    await sagemaker.send(new CreateEndpointConfigCommand({ ...createEndpointConfigRequest(spec), Tags: tags }));
  }
  const deployment = localDeploymentConfig(spec);
  if (live?.status === 'Failed') {
    // SageMaker cannot update a Failed endpoint; it must be deleted and created again.
    options.log(`Endpoint ${spec.endpointName} is Failed (${live.failureReason ?? 'no reason given'}); re-creating it`);
    await sagemaker.send(new DeleteEndpointCommand({ EndpointName: spec.endpointName }));
    await options.waitUntilGone();
    live = undefined;
  }
  if (!live) {
    options.log(`Creating endpoint ${spec.endpointName}`);
    await sagemaker.send(
      new CreateEndpointCommand({
        EndpointName: spec.endpointName,
        EndpointConfigName: spec.endpointConfigName,
        Tags: tags,
      }),
    );
  } else {
    options.log(`Updating endpoint ${spec.endpointName}: ${live.endpointConfigName} → ${spec.endpointConfigName}`);
    await sagemaker.send(
      new UpdateEndpointCommand({
        EndpointName: spec.endpointName,
        EndpointConfigName: spec.endpointConfigName,
        DeploymentConfig: deployment,
      }),
    );
  }
}

/**
 * The stage's blue/green canary without its alarms and bake times. On AWS the canary bakes for
 * WaitIntervalInSeconds so that CloudWatch alarms can roll it back, and the old fleet is kept for
 * TerminationWaitInSeconds to roll back to. The local server has no CloudWatch, so nothing could watch the
 * bake or trigger that rollback: the traffic still shifts in the canary's steps, without the waiting (a 10
 * minute prod bake would only stall the local loop).
 */
function localDeploymentConfig(spec: EndpointSpec): DeploymentConfig | undefined {
  const config = deploymentConfig(spec);
  const policy = config?.BlueGreenUpdatePolicy;
  if (!policy) return undefined;
  const routing = policy.TrafficRoutingConfiguration;
  return {
    BlueGreenUpdatePolicy: {
      ...policy,
      ...(routing ? { TrafficRoutingConfiguration: { ...routing, WaitIntervalInSeconds: 0 } } : {}),
      TerminationWaitInSeconds: 0,
    },
  };
}
