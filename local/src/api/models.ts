import type { CreateModelOutput, ListModelsOutput } from '@aws-sdk/client-sagemaker';
import { describeValue } from '@slipway/core';
import { isObject } from '../engine/definition/index.js';
import { describeModel } from '../engine/describe-shapes.js';
import { resourceArn } from '../engine/naming.js';
import { resolveModelPackages } from '../endpoints/model-container.js';
import { summarizeModel } from '../endpoints/endpoint-shapes.js';
import type { JsonObject, OperationModule } from '../server/operation-registry.js';
import { validationException } from '../server/service-error.js';
import { Input } from './input.js';
import { listPage } from './list-query.js';
import type { ServiceContext } from './service-context.js';

export const MODEL_NAME = { min: 1, max: 63, pattern: /^[a-zA-Z0-9]([-a-zA-Z0-9]*[a-zA-Z0-9])?$/ } as const;
const ROLE_ARN = { min: 20, max: 2048, pattern: /^arn:aws[a-z-]*:iam::\d{12}:role\/?[a-zA-Z_0-9+=,.@\-_/]+$/ } as const;
/** CreateModel members the local server keeps (and DescribeModel returns). */
const MODEL_MEMBERS = [
  'PrimaryContainer',
  'Containers',
  'InferenceExecutionConfig',
  'ExecutionRoleArn',
  'VpcConfig',
  'EnableNetworkIsolation',
];

/**
 * CreateModel / DescribeModel / DeleteModel / ListModels. Models made by pipeline `Type: Model` steps live in
 * the same table. A container's ModelPackageName is resolved from the registry when the model is created.
 */
export function modelOperations(context: ServiceContext): OperationModule {
  const { store, scope, registry } = context;
  const arn = (name: string) => resourceArn(scope, 'model', name);
  const find = (operation: string, body: JsonObject) => {
    const name = new Input(body, operation).string('ModelName', MODEL_NAME);
    const model = store.models.get(name);
    if (!model) throw validationException(`Could not find model "${arn(name)}".`);
    return model;
  };
  return {
    service: 'SageMaker',
    operations: {
      CreateModel(body): CreateModelOutput {
        const input = new Input(body, 'CreateModel');
        const name = input.string('ModelName', MODEL_NAME);
        input.optionalString('ExecutionRoleArn', ROLE_ARN);
        input.optionalBoolean('EnableNetworkIsolation');
        const tags = input.optionalTags() ?? [];
        const primary = input.optionalObject('PrimaryContainer');
        const containers = input.optionalList('Containers', 15);
        if (!primary && !containers) {
          input.fail('PrimaryContainer', 'is required when Containers is not given', 'describe the model’s container');
        }
        if (primary && containers)
          input.fail('Containers', 'cannot be given with PrimaryContainer', 'give one of the two');
        (primary ? [primary] : containers!).forEach((container, index) =>
          checkContainer(primary ? 'PrimaryContainer' : `Containers[${index}]`, container),
        );
        const existing = store.models.get(name);
        if (existing) throw validationException(`Cannot create already existing model "${existing.arn}".`);
        const request = Object.fromEntries(MODEL_MEMBERS.filter((m) => body[m] !== undefined).map((m) => [m, body[m]]));
        const model = {
          name,
          arn: arn(name),
          request: resolveModelPackages(
            request,
            registry,
            (reference) => context.crossAccount.registry(context, reference, 'sagemaker:CreateModel').registry,
          ),
          tags,
          createdAt: new Date(),
        };
        store.models.insert(model);
        return { ModelArn: model.arn };
      },

      DescribeModel: (body) => describeModel(find('DescribeModel', body)),

      DeleteModel(body) {
        store.models.delete(find('DeleteModel', body).name);
        return {};
      },

      ListModels(body): ListModelsOutput {
        const input = new Input(body, 'ListModels');
        const nameContains = input.optionalString('NameContains', { max: 63 });
        const models = store.models
          .list()
          .filter((model) => !nameContains || model.name.toLowerCase().includes(nameContains.toLowerCase()));
        const { items, nextToken } = listPage(input, models, {
          window: ['CreationTimeAfter', 'CreationTimeBefore'],
          created: (model) => model.createdAt,
          sortKeys: { CreationTime: (model) => model.createdAt.getTime(), Name: (model) => model.name },
          defaultOrder: 'Descending',
        });
        return { Models: items.map(summarizeModel), NextToken: nextToken };
      },
    },
  };
}

function checkContainer(member: string, container: unknown): void {
  const fail = (problem: string): never => {
    throw validationException(`CreateModel: ${member}${problem}`);
  };
  if (!isObject(container)) return fail(` must be an object, got ${describeValue(container)}`);
  for (const key of ['Image', 'ModelDataUrl', 'ModelPackageName', 'ContainerHostname', 'InferenceSpecificationName']) {
    if (container[key] !== undefined && typeof container[key] !== 'string') {
      fail(`.${key} must be a string, got ${describeValue(container[key])}`);
    }
  }
  if (container['Image'] === undefined && container['ModelPackageName'] === undefined) {
    fail(' needs Image (with ModelDataUrl), or ModelPackageName to take both from a registered model package');
  }
  const url = container['ModelDataUrl'];
  if (typeof url === 'string' && !/^(https|s3):\/\/([^/]+)\/?(.*)$/.test(url)) {
    fail(`.ModelDataUrl must be an s3:// or https:// URL, got ${describeValue(url)}`);
  }
  const environment = container['Environment'];
  if (environment !== undefined) {
    if (!isObject(environment)) fail(`.Environment must be a map of strings, got ${describeValue(environment)}`);
    for (const [key, value] of Object.entries(environment as object)) {
      if (typeof value !== 'string') fail(`.Environment.${key} must be a string, got ${describeValue(value)}`);
      if (key.length > 1024 || value.length > 1024) fail(`.Environment.${key} is longer than 1024 characters`);
    }
  }
}
