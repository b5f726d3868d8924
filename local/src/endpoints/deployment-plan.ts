import { randomBytes } from 'node:crypto';
import { isObject } from '../engine/definition/index.js';
import { resourceArn, type ArnScope } from '../engine/naming.js';
import { validationException } from '../server/service-error.js';
import { parseS3Uri } from '../storage/object-key.js';
import type {
  DeploymentSpec,
  EndpointConfigRecord,
  ServerlessConfig,
  VariantSpec,
} from '../store/endpoint-repository.js';
import type { Store } from '../store/store.js';
import { servingContainer } from './model-container.js';

/** Instances of one variant the local server starts at most (each is a model server process). */
export const MAX_LOCAL_INSTANCES = 4;

/** Config members SageMaker accepts that the local server cannot serve; deploying such a config is refused. */
const UNSERVABLE_MEMBERS: Readonly<Record<string, string>> = {
  AsyncInferenceConfig: 'asynchronous inference (InvokeEndpointAsync)',
  ShadowProductionVariants: 'shadow variants',
  ExplainerConfig: 'SageMaker Clarify explanations',
};

export interface PlanOptions {
  /** UpdateEndpoint's RetainAllVariantProperties: keep the current weights and instance counts. */
  readonly retainFrom?: DeploymentSpec;
  /** UpdateEndpoint's ExcludeRetainedVariantProperties: which of them the new config overrides anyway. */
  readonly exclude?: ReadonlySet<string>;
}

/**
 * Turns an endpoint config into the deployment an endpoint will run: each variant with its model's container
 * resolved now, so the endpoint keeps serving the same thing whatever happens to the config or model later.
 * Every problem is a ValidationException, raised before the endpoint changes state.
 */
export function planDeployment(
  store: Store,
  scope: ArnScope,
  config: EndpointConfigRecord,
  options: PlanOptions = {},
): DeploymentSpec {
  for (const [member, what] of Object.entries(UNSERVABLE_MEMBERS)) {
    if (config.request[member] !== undefined) {
      throw validationException(
        `EndpointConfig ${config.name} has ${member}: the local server cannot serve ${what}. ` +
          'Deploy a config without it locally, or deploy this one on SageMaker.',
      );
    }
  }
  const variants = (config.request['ProductionVariants'] as unknown[]).filter(isObject).map((variant) => {
    const name = String(variant['VariantName']);
    const modelName = String(variant['ModelName']);
    const model = store.models.get(modelName);
    if (!model) throw validationException(`Could not find model "${resourceArn(scope, 'model', modelName)}".`);
    const serverless = serverlessConfig(variant['ServerlessConfig']);
    const retained = options.retainFrom?.variants.find((existing) => existing.variantName === name);
    const keep = (property: string) => retained !== undefined && !options.exclude?.has(property);
    const instanceCount = keep('DesiredInstanceCount')
      ? retained!.instanceCount
      : serverless
        ? 1
        : Number(variant['InitialInstanceCount'] ?? 1);
    if (instanceCount > MAX_LOCAL_INSTANCES) {
      throw validationException(
        `EndpointConfig ${config.name}: variant ${name} asks for ${instanceCount} instances; the local server runs at ` +
          `most ${MAX_LOCAL_INSTANCES} model server processes per variant. Use a smaller InitialInstanceCount locally.`,
      );
    }
    const timeout = variant['ContainerStartupHealthCheckTimeoutInSeconds'];
    const spec: VariantSpec = {
      variantName: name,
      modelName: model.name,
      weight: keep('DesiredWeight') ? retained!.weight : Number(variant['InitialVariantWeight'] ?? 1),
      instanceCount,
      ...(typeof variant['InstanceType'] === 'string' ? { instanceType: variant['InstanceType'] } : {}),
      ...(serverless ? { serverlessConfig: serverless } : {}),
      ...(typeof timeout === 'number' ? { startupTimeoutSeconds: timeout } : {}),
      container: servingContainer(model),
    };
    return spec;
  });
  const dataCapture =
    options.retainFrom && !options.exclude?.has('DataCaptureConfig')
      ? options.retainFrom.dataCapture
      : config.request['DataCaptureConfig'];
  if (isObject(dataCapture) && dataCapture['EnableCapture'] !== false) {
    parseS3Uri(dataCapture['DestinationS3Uri'], `EndpointConfig ${config.name} DataCaptureConfig.DestinationS3Uri`);
  }
  return {
    id: randomBytes(4).toString('hex'),
    configName: config.name,
    variants,
    ...(isObject(dataCapture) ? { dataCapture } : {}),
    startedAt: new Date(),
  };
}

/** ServerlessConfig's numbers (CreateEndpointConfig checked them). */
function serverlessConfig(value: unknown): ServerlessConfig | undefined {
  if (!isObject(value)) return undefined;
  const provisioned = value['ProvisionedConcurrency'];
  return {
    MemorySizeInMB: Number(value['MemorySizeInMB']),
    MaxConcurrency: Number(value['MaxConcurrency']),
    ...(typeof provisioned === 'number' ? { ProvisionedConcurrency: provisioned } : {}),
  };
}
