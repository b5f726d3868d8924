import { BuildProblem } from '../build-problem.js';
import type { Value } from '../dsl/pipeline-variable.js';
import type { Arguments, StepBuildContext } from '../steps/step.js';
import { vpcConfigArgument } from './common.js';

export interface ModelProps {
  /** The execution role the model runs as; CreateModelStep needs it. */
  readonly role?: Value<string>;
  /** The `model.tar.gz`, typically a training step's `ModelArtifacts.S3ModelArtifacts`. */
  readonly modelData?: Value<string>;
  readonly env?: Readonly<Record<string, Value<string>>>;
  readonly subnets?: readonly Value<string>[];
  readonly securityGroupIds?: readonly Value<string>[];
  readonly enableNetworkIsolation?: boolean;
}

/** A model on an image of your choice (the Python SDK's `Model`). */
export class Model {
  readonly props: ModelProps;
  private readonly imageUri: Value<string> | undefined;

  constructor(props: ModelProps & { readonly imageUri?: Value<string> }) {
    this.props = props;
    this.imageUri = props.imageUri;
  }

  resolveImageUri(_context: StepBuildContext): Value<string> {
    if (this.imageUri === undefined)
      throw new BuildProblem('has no image', 'pass imageUri, or use SKLearnModel or PyTorchModel', 'model.imageUri');
    return this.imageUri;
  }

  /** Variables the serving container needs beyond the user's. */
  protected containerEnvironment(_context: StepBuildContext): Readonly<Record<string, Value<string>>> {
    return {};
  }

  /** A container definition: `Environment` is always present, as the Python SDK writes it. */
  containerDefinition(context: StepBuildContext): Arguments {
    return {
      Image: this.resolveImageUri(context),
      Environment: { ...this.props.env, ...this.containerEnvironment(context) },
      ModelDataUrl: this.props.modelData,
    };
  }

  /** A CreateModel request without the model name. */
  createModelRequest(context: StepBuildContext): Arguments {
    return {
      ExecutionRoleArn: this.props.role,
      PrimaryContainer: this.containerDefinition(context),
      VpcConfig: vpcConfigArgument(this.props.securityGroupIds, this.props.subnets),
      EnableNetworkIsolation: this.props.enableNetworkIsolation || undefined,
    };
  }
}
