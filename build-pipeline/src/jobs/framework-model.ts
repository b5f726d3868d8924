import type { Value } from '../dsl/pipeline-variable.js';
import type { Framework } from '../images/image-uri.js';
import type { StepBuildContext } from '../steps/step.js';
import { Model, type ModelProps } from './model.js';

export interface FrameworkModelProps extends ModelProps {
  readonly frameworkVersion: string;
  /** The inference script (`model_fn`, `input_fn`, `predict_fn`, `output_fn`). @default 'inference.py' */
  readonly entryPoint?: string;
  /**
   * A local folder with the inference code, uploaded as a content-addressed bundle. Without it the code is
   * expected inside `model.tar.gz` under `code/` (where the seed's train.py puts it), so no repack is needed.
   */
  readonly sourceDir?: string;
  /** @default 20 (INFO) */
  readonly containerLogLevel?: number;
  /** Picks the cpu or gpu image where a framework has both (a literal, or a parameter's default). */
  readonly instanceType?: Value<string>;
}

/** Where the serving containers look for code that travels inside the model artifact. */
export const MODEL_CODE_DIR = '/opt/ml/model/code';

/** A model served by a framework container, which finds its code through `SAGEMAKER_*` variables. */
export abstract class FrameworkModel extends Model {
  readonly frameworkProps: FrameworkModelProps;
  protected abstract readonly framework: Framework;

  constructor(props: FrameworkModelProps) {
    super(props);
    this.frameworkProps = props;
  }

  get frameworkVersion(): string {
    return this.frameworkProps.frameworkVersion;
  }

  override resolveImageUri(context: StepBuildContext): Value<string> {
    const { frameworkVersion: version, instanceType } = this.frameworkProps;
    return context.image(
      { framework: this.framework, version, scope: 'inference', ...(instanceType ? { instanceType } : {}) },
      'model',
    );
  }

  protected override containerEnvironment(context: StepBuildContext): Readonly<Record<string, Value<string>>> {
    const props = this.frameworkProps;
    const entryPoint = props.entryPoint ?? 'inference.py';
    const submitDirectory = props.sourceDir
      ? context.sourceBundle({ entryPoint, sourceDir: props.sourceDir }, 'model').s3Uri
      : MODEL_CODE_DIR;
    return {
      SAGEMAKER_PROGRAM: entryPoint,
      SAGEMAKER_SUBMIT_DIRECTORY: submitDirectory,
      SAGEMAKER_CONTAINER_LOG_LEVEL: String(props.containerLogLevel ?? 20),
      SAGEMAKER_REGION: context.region,
    };
  }
}

/** Serving on the SageMaker scikit-learn image (the Python SDK's `SKLearnModel`). */
export class SKLearnModel extends FrameworkModel {
  protected readonly framework = 'sklearn' as const;
}

/** Serving on the AWS PyTorch inference image; `instanceType` picks the cpu or gpu image. */
export class PyTorchModel extends FrameworkModel {
  protected readonly framework = 'pytorch' as const;
}
