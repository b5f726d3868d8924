import { BuildProblem } from '../build-problem.js';
import type { Value } from '../dsl/pipeline-variable.js';
import type { Arguments, StepBuildContext } from '../steps/step.js';
import {
  environmentArgument,
  instanceResources,
  tagsArgument,
  vpcConfigArgument,
  type JobProps,
  type NetworkConfig,
} from './common.js';

export interface ProcessorProps extends JobProps {
  readonly env?: Readonly<Record<string, Value<string>>>;
  readonly networkConfig?: NetworkConfig;
}

/** The parts of a CreateProcessingJob request a processor decides. */
export interface ProcessorRequest {
  readonly imageUri: Value<string>;
  readonly containerEntrypoint?: readonly Value<string>[];
  readonly resources: Arguments;
  readonly roleArn: Value<string>;
  readonly environment?: Arguments;
  readonly networkConfig?: Arguments;
  readonly stoppingCondition?: Arguments;
  readonly outputKmsKey?: Value<string>;
  readonly tags?: readonly Arguments[];
}

/** A processing job on an image of your choice (the Python SDK's `Processor`). */
export class Processor {
  readonly props: ProcessorProps;
  private readonly imageUri: Value<string> | undefined;
  private readonly entrypoint: readonly Value<string>[] | undefined;

  constructor(
    props: ProcessorProps & { readonly imageUri?: Value<string>; readonly entrypoint?: readonly Value<string>[] },
  ) {
    this.props = props;
    this.imageUri = props.imageUri;
    this.entrypoint = props.entrypoint;
  }

  /** The image for this job; framework processors derive it from the region. */
  resolveImageUri(_context: StepBuildContext): Value<string> {
    if (this.imageUri === undefined)
      throw new BuildProblem('has no image', 'pass imageUri, or use SKLearnProcessor', 'processor.imageUri');
    return this.imageUri;
  }

  /** The container entrypoint; script processors run `command + [script]`. */
  containerEntrypoint(_scriptPath: string | undefined): readonly Value<string>[] | undefined {
    return this.entrypoint;
  }

  request(context: StepBuildContext, scriptPath: string | undefined): ProcessorRequest {
    const props = this.props;
    const network = props.networkConfig;
    const entrypoint = this.containerEntrypoint(scriptPath);
    return {
      imageUri: this.resolveImageUri(context),
      ...(entrypoint ? { containerEntrypoint: entrypoint } : {}),
      resources: { ClusterConfig: instanceResources(props) },
      roleArn: props.role,
      ...(props.env ? { environment: environmentArgument(props.env) as Arguments } : {}),
      ...(network
        ? {
            networkConfig: {
              EnableNetworkIsolation: network.enableNetworkIsolation,
              EnableInterContainerTrafficEncryption: network.encryptInterContainerTraffic,
              VpcConfig: vpcConfigArgument(network.securityGroupIds, network.subnets),
            },
          }
        : {}),
      ...(props.maxRuntimeInSeconds !== undefined
        ? { stoppingCondition: { MaxRuntimeInSeconds: props.maxRuntimeInSeconds } }
        : {}),
      ...(props.outputKmsKey !== undefined ? { outputKmsKey: props.outputKmsKey } : {}),
      ...(props.tags ? { tags: tagsArgument(props.tags) as readonly Arguments[] } : {}),
    };
  }
}

/** Where processing code lands in the container; the `code` input. */
export const PROCESSING_CODE_DIR = '/opt/ml/processing/input/code';

/** Runs a script with `command` (e.g. `python3`) on an image of your choice (the Python SDK's ScriptProcessor). */
export class ScriptProcessor extends Processor {
  readonly command: readonly string[];

  constructor(props: ProcessorProps & { readonly imageUri?: Value<string>; readonly command: readonly string[] }) {
    super(props);
    this.command = [...props.command];
  }

  override containerEntrypoint(scriptPath: string | undefined): readonly Value<string>[] | undefined {
    return scriptPath === undefined ? undefined : [...this.command, scriptPath];
  }
}

/** A ScriptProcessor on the SageMaker scikit-learn image for the compile region. */
export class SKLearnProcessor extends ScriptProcessor {
  readonly frameworkVersion: string;

  constructor(props: ProcessorProps & { readonly frameworkVersion: string; readonly command?: readonly string[] }) {
    super({ ...props, command: props.command ?? ['python3'] });
    this.frameworkVersion = props.frameworkVersion;
  }

  override resolveImageUri(context: StepBuildContext): Value<string> {
    return context.image(
      {
        framework: 'sklearn',
        version: this.frameworkVersion,
        scope: 'training',
        instanceType: this.props.instanceType,
      },
      'processor',
    );
  }
}
