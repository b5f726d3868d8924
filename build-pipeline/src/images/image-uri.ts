import { BuildProblem } from '../build-problem.js';
import { Parameter } from '../dsl/parameters.js';
import { PipelineVariable, type Value } from '../dsl/pipeline-variable.js';
import { PYTORCH_ACCOUNTS, PYTORCH_REPOSITORIES, PYTORCH_VERSIONS, PYTORCH_VERSION_ALIASES } from './pytorch-images.js';
import { SKLEARN_ACCOUNTS, SKLEARN_REPOSITORY, SKLEARN_VERSIONS } from './sklearn-images.js';

export type Framework = 'sklearn' | 'pytorch';
export type ImageScope = 'training' | 'inference';
export type ProcessorKind = 'cpu' | 'gpu';

export interface ImageRequest {
  readonly framework: Framework;
  readonly version: string;
  readonly region: string;
  /** Processing jobs use the training images, as the SageMaker Python SDK does. */
  readonly scope: ImageScope;
  /** Decides cpu or gpu for frameworks that have both. */
  readonly instanceType?: Value<string>;
}

export interface ResolvedImage {
  readonly imageUri: string;
  /** Set when the choice rested on a parameter's default. */
  readonly warning?: string;
}

function registry(accounts: Readonly<Record<string, string>>, region: string, what: string): string {
  const account = accounts[region];
  if (!account) {
    throw new BuildProblem(
      `has no ${what} image in region ${region}`,
      `use one of the commercial regions with this image: ${Object.keys(accounts).join(', ')}`,
    );
  }
  return `${account}.dkr.ecr.${region}.amazonaws.com`;
}

/**
 * The instance type an image choice can rest on. A parameter stands for its default (its run-time value could
 * differ, so the caller warns); anything else only exists at run time.
 */
function literalInstanceType(instanceType: Value<string> | undefined): { type?: string; fromParameter?: string } {
  if (instanceType === undefined) return {};
  if (typeof instanceType === 'string') return { type: instanceType };
  if (instanceType instanceof Parameter && typeof instanceType.defaultValue === 'string') {
    return { type: instanceType.defaultValue, fromParameter: instanceType.name };
  }
  const described = instanceType instanceof PipelineVariable ? instanceType.describe() : String(instanceType);
  throw new BuildProblem(
    `needs a literal instance type to choose the image, got ${described}`,
    'use a literal such as "ml.m5.xlarge", or a parameter with a default',
    'instanceType',
  );
}

/** `ml.g5.xlarge` → gpu; families starting with g or p are GPU instances, as in the Python SDK. */
export function processorFor(instanceType: string): ProcessorKind | 'accelerator' {
  const family = /^ml[._]([a-z\d-]+)\./.exec(instanceType)?.[1] ?? instanceType;
  if (family.startsWith('inf') || family.startsWith('trn')) return 'accelerator';
  return family.startsWith('g') || family.startsWith('p') ? 'gpu' : 'cpu';
}

function sklearnImage(request: ImageRequest): ResolvedImage {
  const versions: readonly string[] = SKLEARN_VERSIONS[request.scope];
  if (!versions.includes(request.version)) {
    throw new BuildProblem(
      `scikit-learn ${request.version} has no ${request.scope} image`,
      `use one of ${versions.join(', ')}`,
      'frameworkVersion',
    );
  }
  const { type } = literalInstanceType(request.instanceType);
  if (type !== undefined && processorFor(type) !== 'cpu') {
    throw new BuildProblem(
      `is ${type}, but the scikit-learn images run on CPU instances only`,
      'choose a CPU instance type such as ml.m5.xlarge',
      'instanceType',
    );
  }
  return {
    imageUri: `${registry(SKLEARN_ACCOUNTS, request.region, 'scikit-learn')}/${SKLEARN_REPOSITORY}:${request.version}-cpu-py3`,
  };
}

function pytorchImage(request: ImageRequest): ResolvedImage {
  const fullVersion = PYTORCH_VERSION_ALIASES[request.version] ?? request.version;
  const entry = PYTORCH_VERSIONS[fullVersion];
  if (!entry || !entry.scopes.includes(request.scope)) {
    const known = Object.keys(PYTORCH_VERSIONS).filter((version) =>
      PYTORCH_VERSIONS[version]!.scopes.includes(request.scope),
    );
    throw new BuildProblem(
      `PyTorch ${request.version} has no ${request.scope} image in this SDK's table`,
      `use one of ${known.join(', ')} (or their short forms such as 2.5)`,
      'frameworkVersion',
    );
  }
  const python = entry.python;
  const { type, fromParameter } = literalInstanceType(request.instanceType);
  const processor = type === undefined ? 'cpu' : processorFor(type);
  if (processor === 'accelerator') {
    throw new BuildProblem(
      `is ${type}; Inferentia and Trainium need the Neuron images, which this SDK does not list`,
      'choose a CPU or GPU instance type',
      'instanceType',
    );
  }
  const host = registry(PYTORCH_ACCOUNTS, request.region, 'PyTorch');
  return {
    // The tag keeps the version as written (2.5 stays 2.5), as the Python SDK does.
    imageUri: `${host}/${PYTORCH_REPOSITORIES[request.scope]}:${request.version}-${processor}-${python}`,
    ...(fromParameter
      ? {
          warning:
            `the ${processor} image was chosen from the default (${type}) of parameter ${fromParameter}; ` +
            'starting the pipeline with an instance type of the other kind (cpu/gpu) would keep this image',
        }
      : {}),
  };
}

/** The framework image for a region, version and scope, from the tables in this package. */
export function frameworkImageUri(request: ImageRequest): ResolvedImage {
  return request.framework === 'sklearn' ? sklearnImage(request) : pytorchImage(request);
}
