import { describeValue } from '@slipway/core';
import { isObject } from '../engine/definition/index.js';
import type { ModelRegistry } from '../registry/model-registry.js';
import { validationException } from '../server/service-error.js';
import type { ModelRecord } from '../store/model-repository.js';
import type { ServingContainer } from '../store/endpoint-repository.js';

type Container = Record<string, unknown>;

/**
 * CreateModel's containers with `ModelPackageName` resolved from the registry, as SageMaker does when the
 * model is created: the package's Image, ModelDataUrl (or ModelDataSource) and Environment, with the
 * container's own Environment entries winning. ModelPackageName stays, so deploy logic can see which
 * package a model serves. Other containers are returned as given.
 */
export function resolveModelPackages(
  request: Record<string, unknown>,
  registry: ModelRegistry,
  /** Another account's registry for a package ARN it holds (checked against its group's policy). */
  registryOf: (reference: string) => ModelRegistry = () => registry,
): Record<string, unknown> {
  const resolved = { ...request };
  if (isObject(request['PrimaryContainer'])) {
    resolved['PrimaryContainer'] = resolveContainer(request['PrimaryContainer'], 'PrimaryContainer', registryOf);
  }
  if (Array.isArray(request['Containers'])) {
    resolved['Containers'] = request['Containers'].map((container, index) =>
      isObject(container) ? resolveContainer(container, `Containers[${index}]`, registryOf) : container,
    );
  }
  return resolved;
}

function resolveContainer(
  container: Container,
  member: string,
  registryOf: (reference: string) => ModelRegistry,
): Container {
  const packageName = container['ModelPackageName'];
  if (packageName === undefined) return container;
  if (typeof packageName !== 'string' || packageName.length === 0) {
    throw validationException(
      `CreateModel: ${member}.ModelPackageName must be a model package ARN, got ${describeValue(packageName)}`,
    );
  }
  const record = registryOf(packageName).package(packageName);
  const specification = chooseSpecification(
    record.details,
    container['InferenceSpecificationName'],
    packageName,
    member,
  );
  const containers = Array.isArray(specification['Containers']) ? specification['Containers'].filter(isObject) : [];
  if (containers.length !== 1) {
    throw validationException(
      `CreateModel: ${member}.ModelPackageName ${packageName} has ${containers.length} inference containers; ` +
        'the local server creates models from packages with exactly one',
    );
  }
  const fromPackage = containers[0]!;
  const environment = {
    ...(isObject(fromPackage['Environment']) ? fromPackage['Environment'] : {}),
    ...(isObject(container['Environment']) ? container['Environment'] : {}),
  };
  const copied = Object.fromEntries(
    ['Image', 'ModelDataUrl', 'ModelDataSource', 'AdditionalModelDataSources']
      .filter((key) => fromPackage[key] !== undefined)
      .map((key) => [key, fromPackage[key]]),
  );
  return {
    ...container,
    ...copied,
    ModelPackageName: record.arn,
    ...(Object.keys(environment).length > 0 ? { Environment: environment } : {}),
  };
}

function chooseSpecification(
  details: Readonly<Record<string, unknown>>,
  name: unknown,
  packageName: string,
  member: string,
): Record<string, unknown> {
  if (name === undefined) {
    const main = details['InferenceSpecification'];
    if (!isObject(main)) {
      throw validationException(
        `CreateModel: ${member}.ModelPackageName ${packageName} has no InferenceSpecification to create a model from`,
      );
    }
    return main;
  }
  const additional = Array.isArray(details['AdditionalInferenceSpecifications'])
    ? details['AdditionalInferenceSpecifications'].filter(isObject)
    : [];
  const found = additional.find((specification) => specification['Name'] === name);
  if (!found) {
    throw validationException(
      `CreateModel: ${member}.InferenceSpecificationName ${describeValue(name)} is not an additional inference ` +
        `specification of ${packageName} (it has: ${additional.map((s) => String(s['Name'])).join(', ') || 'none'})`,
    );
  }
  return found;
}

/**
 * What an endpoint variant runs for a model: one container, its image, its model.tar.gz and environment.
 * Anything the local server cannot serve is a ValidationException naming the model and the member, raised
 * when the endpoint is created or updated (the model itself stays valid: SageMaker could serve it).
 */
export function servingContainer(model: ModelRecord): ServingContainer {
  const request = model.request;
  const containers: unknown[] = isObject(request['PrimaryContainer'])
    ? [request['PrimaryContainer']]
    : Array.isArray(request['Containers'])
      ? request['Containers']
      : [];
  const refuse = (problem: string): never => {
    throw validationException(`Model ${model.name} ${problem}`);
  };
  if (containers.length !== 1) {
    refuse(
      `has ${containers.length} containers; the local server serves models with one container ` +
        '(PrimaryContainer), not inference pipelines',
    );
  }
  const container = containers[0];
  if (!isObject(container)) return refuse('has a container that is not an object');
  if (container['Mode'] === 'MultiModel')
    refuse('is a multi-model container (Mode MultiModel), which the local server does not serve');
  const image = container['Image'];
  if (typeof image !== 'string' || image.length === 0) refuse('has no container Image to serve');
  const modelDataUrl = modelData(container, refuse);
  const environment = isObject(container['Environment']) ? container['Environment'] : {};
  for (const [key, value] of Object.entries(environment)) {
    if (typeof value !== 'string') refuse(`has Environment.${key} = ${describeValue(value)}; values must be strings`);
  }
  return {
    image: image as string,
    ...(modelDataUrl !== undefined ? { modelDataUrl } : {}),
    environment: environment as Record<string, string>,
  };
}

function modelData(container: Container, refuse: (problem: string) => never): string | undefined {
  const url = container['ModelDataUrl'];
  const source = isObject(container['ModelDataSource']) ? container['ModelDataSource']['S3DataSource'] : undefined;
  if (url === undefined && !isObject(source)) return undefined;
  if (url !== undefined) {
    if (typeof url !== 'string' || !url.startsWith('s3://')) {
      refuse(
        `has ModelDataUrl ${describeValue(url)}; the local server reads model data from s3:// URIs (its object store)`,
      );
    }
    return url as string;
  }
  const s3 = source as Container;
  if (s3['S3DataType'] !== 'S3Object' || s3['CompressionType'] !== 'Gzip') {
    refuse(
      'has ModelDataSource.S3DataSource with ' +
        `S3DataType ${describeValue(s3['S3DataType'])} and CompressionType ${describeValue(s3['CompressionType'])}; ` +
        'the local server serves a model.tar.gz (S3Object, Gzip) — give ModelDataUrl instead',
    );
  }
  if (typeof s3['S3Uri'] !== 'string') refuse('has ModelDataSource.S3DataSource without S3Uri');
  return s3['S3Uri'] as string;
}

/** The variable SageMaker's framework containers read for how many worker processes serve the model. */
export const WORKERS_VARIABLE = 'SAGEMAKER_MODEL_SERVER_WORKERS';

/**
 * A container's environment with SAGEMAKER_MODEL_SERVER_WORKERS set to `defaultWorkers` unless it names its own
 * (the model's Environment wins, as on SageMaker).
 */
export function withWorkers(
  environment: Readonly<Record<string, string>>,
  defaultWorkers: number,
): Readonly<Record<string, string>> {
  if (environment[WORKERS_VARIABLE] !== undefined) return environment;
  return { ...environment, [WORKERS_VARIABLE]: String(Math.max(1, Math.floor(defaultWorkers))) };
}
