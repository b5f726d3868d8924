import type { CreateEndpointOutput, ListEndpointsOutput, UpdateEndpointOutput } from '@aws-sdk/client-sagemaker';
import { describeValue } from '@slipway/core';
import { isObject } from '../engine/definition/index.js';
import { describeEndpoint, summarizeEndpoint } from '../endpoints/endpoint-shapes.js';
import type { JsonObject, OperationModule } from '../server/operation-registry.js';
import { RESOURCE_NAME } from './endpoint-configs.js';
import { Input } from './input.js';
import { listPage } from './list-query.js';
import type { ServiceContext } from './service-context.js';

const ENDPOINT_STATUSES = [
  'OutOfService',
  'Creating',
  'Updating',
  'SystemUpdating',
  'RollingBack',
  'InService',
  'Deleting',
  'Failed',
  'UpdateRollbackFailed',
];
const VARIANT_PROPERTIES = ['DesiredInstanceCount', 'DesiredWeight', 'DataCaptureConfig'];
const ROUTING_TYPES = ['ALL_AT_ONCE', 'CANARY', 'LINEAR'];
const SIZE_TYPES = ['INSTANCE_COUNT', 'CAPACITY_PERCENT'];

/**
 * Create/Update/Describe/Delete/ListEndpoint(s). The requests are checked here; the lifecycle (model servers,
 * blue/green, statuses) is the EndpointManager's.
 */
export function endpointOperations(context: ServiceContext): OperationModule {
  const { endpoints, store } = context;
  const name = (operation: string, body: JsonObject) =>
    new Input(body, operation).string('EndpointName', RESOURCE_NAME);
  return {
    service: 'SageMaker',
    operations: {
      CreateEndpoint(body): CreateEndpointOutput {
        const input = new Input(body, 'CreateEndpoint');
        const deploymentConfig = checkDeploymentConfig(input);
        const record = endpoints.createEndpoint({
          name: input.string('EndpointName', RESOURCE_NAME),
          configName: input.string('EndpointConfigName', RESOURCE_NAME),
          ...(deploymentConfig ? { deploymentConfig } : {}),
          tags: input.optionalTags() ?? [],
        });
        return { EndpointArn: record.arn };
      },

      UpdateEndpoint(body): UpdateEndpointOutput {
        const input = new Input(body, 'UpdateEndpoint');
        const deploymentConfig = checkDeploymentConfig(input);
        const excluded = (input.optionalList('ExcludeRetainedVariantProperties', 3) ?? []).map((entry, index) => {
          const type = isObject(entry) ? entry['VariantPropertyType'] : undefined;
          if (typeof type !== 'string' || !VARIANT_PROPERTIES.includes(type)) {
            input.fail(
              `ExcludeRetainedVariantProperties[${index}].VariantPropertyType`,
              `must be one of ${VARIANT_PROPERTIES.join(', ')}, got ${describeValue(type)}`,
            );
          }
          return type as string;
        });
        const retainAll = input.optionalBoolean('RetainAllVariantProperties');
        const retainDeploymentConfig = input.optionalBoolean('RetainDeploymentConfig');
        const record = endpoints.updateEndpoint({
          name: input.string('EndpointName', RESOURCE_NAME),
          configName: input.string('EndpointConfigName', RESOURCE_NAME),
          ...(retainAll !== undefined ? { retainAllVariantProperties: retainAll } : {}),
          ...(excluded.length > 0 ? { excludeRetainedVariantProperties: new Set(excluded) } : {}),
          ...(deploymentConfig ? { deploymentConfig } : {}),
          ...(retainDeploymentConfig !== undefined ? { retainDeploymentConfig } : {}),
        });
        return { EndpointArn: record.arn };
      },

      DescribeEndpoint: (body) => describeEndpoint(endpoints.get(name('DescribeEndpoint', body))),

      DeleteEndpoint(body) {
        endpoints.deleteEndpoint(name('DeleteEndpoint', body));
        return {};
      },

      ListEndpoints(body): ListEndpointsOutput {
        const input = new Input(body, 'ListEndpoints');
        const nameContains = input.optionalString('NameContains', { max: 63 })?.toLowerCase();
        const status = input.optionalString('StatusEquals', { oneOf: ENDPOINT_STATUSES });
        const modifiedAfter = input.optionalTimestamp('LastModifiedTimeAfter');
        const modifiedBefore = input.optionalTimestamp('LastModifiedTimeBefore');
        const matching = store.endpoints
          .list()
          .filter((e) => !nameContains || e.name.toLowerCase().includes(nameContains))
          .filter((e) => !status || e.status === status)
          .filter((e) => !modifiedAfter || e.modifiedAt.getTime() > modifiedAfter.getTime())
          .filter((e) => !modifiedBefore || e.modifiedAt.getTime() < modifiedBefore.getTime());
        const { items, nextToken } = listPage(input, matching, {
          window: ['CreationTimeAfter', 'CreationTimeBefore'],
          created: (e) => e.createdAt,
          sortKeys: { CreationTime: (e) => e.createdAt.getTime(), Name: (e) => e.name, Status: (e) => e.status },
          defaultOrder: 'Descending',
        });
        return { Endpoints: items.map(summarizeEndpoint), NextToken: nextToken };
      },
    },
  };
}

/**
 * DeploymentConfig as the service model constrains it. Blue/green traffic routing is carried out (ALL_AT_ONCE,
 * CANARY, LINEAR, TerminationWaitInSeconds); a RollingUpdatePolicy runs as an all-at-once blue/green update;
 * AutoRollbackConfiguration alarms are kept but never fire (there is no CloudWatch locally).
 */
function checkDeploymentConfig(input: Input): Record<string, unknown> | undefined {
  const config = input.optionalObject('DeploymentConfig');
  if (!config) return undefined;
  const policy = isObject(config['BlueGreenUpdatePolicy']) ? config['BlueGreenUpdatePolicy'] : undefined;
  if (config['BlueGreenUpdatePolicy'] !== undefined && !policy) {
    input.fail('DeploymentConfig.BlueGreenUpdatePolicy', 'must be an object');
  }
  if (policy) {
    const blueGreen = new Input(policy, `${input.operation}: DeploymentConfig.BlueGreenUpdatePolicy`);
    blueGreen.optionalInteger('TerminationWaitInSeconds', { min: 0, max: 3600 });
    blueGreen.optionalInteger('MaximumExecutionTimeoutInSeconds', { min: 600, max: 28800 });
    const routing = blueGreen.optionalObject('TrafficRoutingConfiguration');
    if (!routing)
      return blueGreen.fail(
        'TrafficRoutingConfiguration',
        'is required',
        'e.g. {"Type": "ALL_AT_ONCE", "WaitIntervalInSeconds": 0}',
      );
    const traffic = new Input(routing, `${blueGreen.operation}.TrafficRoutingConfiguration`);
    const type = traffic.string('Type', { oneOf: ROUTING_TYPES });
    if (traffic.optionalInteger('WaitIntervalInSeconds', { min: 0, max: 3600 }) === undefined) {
      traffic.fail('WaitIntervalInSeconds', 'is required', 'give 0 to 3600');
    }
    const sizeMember = type === 'CANARY' ? 'CanarySize' : type === 'LINEAR' ? 'LinearStepSize' : undefined;
    if (sizeMember) {
      const size = traffic.optionalObject(sizeMember);
      if (!size)
        return traffic.fail(sizeMember, `is required for ${type}`, 'e.g. {"Type": "CAPACITY_PERCENT", "Value": 10}');
      const capacity = new Input(size, `${traffic.operation}.${sizeMember}`);
      capacity.string('Type', { oneOf: SIZE_TYPES });
      if (capacity.optionalInteger('Value', { min: 1 }) === undefined) capacity.fail('Value', 'is required');
    }
  }
  return config;
}
