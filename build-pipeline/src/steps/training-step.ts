import type { DescribeTrainingJobResponse } from '@aws-sdk/client-sagemaker';
import type { EstimatorBase } from '../jobs/estimator.js';
import { channelNames, inputDataConfig, type TrainingInputs } from '../jobs/training-input.js';
import { STEP_PROPERTY_ROOTS } from '../properties/property-roots.js';
import { createProperties, type PropertyStruct } from '../properties/property-tree.js';
import { Step, type Arguments, type CacheableStepOptions, type StepBuildContext } from './step.js';

export interface TrainingStepProps extends CacheableStepOptions {
  readonly estimator: EstimatorBase;
  /** One input (channel `training`) or one per channel, e.g. `{ train: ..., validation: ... }`. */
  readonly inputs?: TrainingInputs;
}

/** A training job (`Type: "Training"`): the CreateTrainingJob request without a job name. */
export class TrainingStep extends Step {
  readonly stepType = 'Training' as const;
  readonly estimator: EstimatorBase;
  readonly inputs: TrainingInputs | undefined;

  constructor(name: string, props: TrainingStepProps) {
    super(name, props);
    this.estimator = props.estimator;
    this.inputs = props.inputs;
  }

  /** DescribeTrainingJob's response, e.g. `properties.ModelArtifacts.S3ModelArtifacts`. */
  get properties(): PropertyStruct<DescribeTrainingJobResponse> {
    return createProperties(this, STEP_PROPERTY_ROOTS.Training);
  }

  channelNames(): string[] {
    return channelNames(this.inputs);
  }

  buildArguments(context: StepBuildContext): Arguments {
    return this.estimator.trainingRequest(context, inputDataConfig(this.inputs));
  }
}
