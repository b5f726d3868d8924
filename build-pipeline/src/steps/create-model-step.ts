import type { DescribeModelOutput } from '@aws-sdk/client-sagemaker';
import type { Model } from '../jobs/model.js';
import { STEP_PROPERTY_ROOTS } from '../properties/property-roots.js';
import { createProperties, type PropertyStruct } from '../properties/property-tree.js';
import { Step, type Arguments, type RetryableStepOptions, type StepBuildContext } from './step.js';

export interface CreateModelStepProps extends RetryableStepOptions {
  readonly model: Model;
}

/** Creates a SageMaker model (`Type: "Model"`): a CreateModel request without the model name. */
export class CreateModelStep extends Step {
  readonly stepType = 'Model' as const;
  readonly model: Model;

  constructor(name: string, props: CreateModelStepProps) {
    super(name, props);
    this.model = props.model;
  }

  /** DescribeModel's output, e.g. `properties.ModelName`. */
  get properties(): PropertyStruct<DescribeModelOutput> {
    return createProperties(this, STEP_PROPERTY_ROOTS.Model);
  }

  buildArguments(context: StepBuildContext): Arguments {
    return this.model.createModelRequest(context);
  }
}
