import type { CreateEndpointConfigOutput, ListEndpointConfigsOutput } from '@aws-sdk/client-sagemaker';
import { describeValue } from '@slipway/core';
import { isObject } from '../engine/definition/index.js';
import { resourceArn } from '../engine/naming.js';
import { describeEndpointConfig, summarizeEndpointConfig } from '../endpoints/endpoint-shapes.js';
import type { JsonObject, OperationModule } from '../server/operation-registry.js';
import { validationException } from '../server/service-error.js';
import { Input } from './input.js';
import { listPage } from './list-query.js';
import { MODEL_NAME } from './models.js';
import type { ServiceContext } from './service-context.js';

export const RESOURCE_NAME = { min: 1, max: 63, pattern: /^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$/ } as const;
const CAPTURE_MODES = ['Input', 'Output', 'InputAndOutput'];
/** CreateEndpointConfig members kept as given (DescribeEndpointConfig returns them). */
const CONFIG_MEMBERS = [
  'ProductionVariants',
  'DataCaptureConfig',
  'KmsKeyId',
  'AsyncInferenceConfig',
  'ExplainerConfig',
  'ShadowProductionVariants',
  'ExecutionRoleArn',
  'VpcConfig',
  'EnableNetworkIsolation',
  'MetricsConfig',
];

/**
 * Create/Describe/Delete/ListEndpointConfig(s). A config is immutable; endpoints take a snapshot of it when
 * they deploy it, so deleting one in use changes nothing that runs (SageMaker allows it too).
 */
export function endpointConfigOperations(context: ServiceContext): OperationModule {
  const { store, scope } = context;
  const arn = (name: string) => resourceArn(scope, 'endpoint-config', name);
  const find = (operation: string, body: JsonObject) => {
    const name = new Input(body, operation).string('EndpointConfigName', RESOURCE_NAME);
    const config = store.endpoints.config(name);
    if (!config) throw validationException(`Could not find endpoint configuration "${arn(name)}".`);
    return config;
  };
  return {
    service: 'SageMaker',
    operations: {
      CreateEndpointConfig(body): CreateEndpointConfigOutput {
        const input = new Input(body, 'CreateEndpointConfig');
        const name = input.string('EndpointConfigName', RESOURCE_NAME);
        const tags = input.optionalTags() ?? [];
        input.optionalString('KmsKeyId', { max: 2048 });
        const variants = checkVariants(input, 'ProductionVariants', true)!;
        checkVariants(input, 'ShadowProductionVariants', false);
        const capture = input.optionalObject('DataCaptureConfig');
        if (capture) checkDataCapture(new Input(capture, 'CreateEndpointConfig: DataCaptureConfig'));
        for (const variant of [
          ...variants,
          ...((body['ShadowProductionVariants'] as JsonObject[] | undefined) ?? []),
        ]) {
          const model = String(variant['ModelName']);
          if (!store.models.get(model)) {
            throw validationException(`Could not find model "${resourceArn(scope, 'model', model)}".`);
          }
        }
        const existing = store.endpoints.config(name);
        if (existing)
          throw validationException(`Cannot create already existing endpoint configuration "${existing.arn}".`);
        const request: Record<string, unknown> = Object.fromEntries(
          CONFIG_MEMBERS.filter((member) => body[member] !== undefined).map((member) => [member, body[member]]),
        );
        // DescribeEndpointConfig reports the default weight, as SageMaker does.
        request['ProductionVariants'] = variants.map((v) => ({
          ...v,
          InitialVariantWeight: v['InitialVariantWeight'] ?? 1,
        }));
        const config = { name, arn: arn(name), request, tags, createdAt: new Date() };
        store.endpoints.insertConfig(config);
        return { EndpointConfigArn: config.arn };
      },

      DescribeEndpointConfig: (body) => describeEndpointConfig(find('DescribeEndpointConfig', body)),

      DeleteEndpointConfig(body) {
        store.endpoints.deleteConfig(find('DeleteEndpointConfig', body).name);
        return {};
      },

      ListEndpointConfigs(body): ListEndpointConfigsOutput {
        const input = new Input(body, 'ListEndpointConfigs');
        const nameContains = input.optionalString('NameContains', { max: 63 });
        const configs = store.endpoints
          .configs()
          .filter((config) => !nameContains || config.name.toLowerCase().includes(nameContains.toLowerCase()));
        const { items, nextToken } = listPage(input, configs, {
          window: ['CreationTimeAfter', 'CreationTimeBefore'],
          created: (config) => config.createdAt,
          sortKeys: { CreationTime: (config) => config.createdAt.getTime(), Name: (config) => config.name },
          defaultOrder: 'Descending',
        });
        return { EndpointConfigs: items.map(summarizeEndpointConfig), NextToken: nextToken };
      },
    },
  };
}

function checkVariants(input: Input, member: string, required: boolean): JsonObject[] | undefined {
  const list = input.optionalList(member, 10);
  if (!list) {
    if (required) input.fail(member, 'is required', 'give at least one production variant');
    return undefined;
  }
  if (required && list.length === 0) input.fail(member, 'must have at least one production variant');
  const names = new Set<string>();
  return list.map((entry, index) => {
    const where = `${member}[${index}]`;
    if (!isObject(entry)) input.fail(where, `must be an object, got ${describeValue(entry)}`);
    const variant = new Input(entry as JsonObject, `${input.operation}: ${where}`);
    const name = variant.string('VariantName', RESOURCE_NAME);
    if (names.has(name)) input.fail(`${where}.VariantName`, `repeats ${name}; variant names must be unique`);
    names.add(name);
    variant.string('ModelName', MODEL_NAME);
    const instanceType = variant.optionalString('InstanceType', { pattern: /^ml\.[a-z0-9]+\.[a-z0-9]+$/ });
    const serverless = variant.optionalObject('ServerlessConfig');
    if (serverless) {
      const config = new Input(serverless, `${variant.operation}.ServerlessConfig`);
      if (config.optionalInteger('MemorySizeInMB', { min: 1024, max: 6144 }) === undefined)
        config.fail('MemorySizeInMB', 'is required');
      if (config.optionalInteger('MaxConcurrency', { min: 1, max: 200 }) === undefined)
        config.fail('MaxConcurrency', 'is required');
    }
    if (!instanceType && !serverless) {
      variant.fail('InstanceType', 'is required unless ServerlessConfig is given', 'e.g. "ml.m5.large"');
    }
    const count = variant.optionalInteger('InitialInstanceCount', { min: 1 });
    if (instanceType && count === undefined) variant.fail('InitialInstanceCount', 'is required with InstanceType');
    const weight = entry['InitialVariantWeight'];
    if (weight !== undefined && (typeof weight !== 'number' || !Number.isFinite(weight) || weight < 0)) {
      variant.fail('InitialVariantWeight', `must be a number ≥ 0, got ${describeValue(weight)}`);
    }
    variant.optionalInteger('ContainerStartupHealthCheckTimeoutInSeconds', { min: 60, max: 3600 });
    return entry as JsonObject;
  });
}

function checkDataCapture(capture: Input): void {
  capture.optionalBoolean('EnableCapture');
  if (capture.optionalInteger('InitialSamplingPercentage', { min: 0, max: 100 }) === undefined) {
    capture.fail('InitialSamplingPercentage', 'is required', 'give 0 to 100');
  }
  capture.string('DestinationS3Uri', { max: 512, pattern: /^(https|s3):\/\/([^/])\/?(.*)$/ });
  const options = capture.optionalList('CaptureOptions', 2);
  if (!options || options.length === 0)
    capture.fail('CaptureOptions', 'is required', 'e.g. [{"CaptureMode": "Input"}]');
  options!.forEach((option, index) => {
    const mode = isObject(option) ? option['CaptureMode'] : undefined;
    if (typeof mode !== 'string' || !CAPTURE_MODES.includes(mode)) {
      capture.fail(
        `CaptureOptions[${index}].CaptureMode`,
        `must be one of ${CAPTURE_MODES.join(', ')}, got ${describeValue(mode)}`,
      );
    }
  });
}
