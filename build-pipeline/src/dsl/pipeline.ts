import type { Step } from '../steps/step.js';
import type { AnyParameter } from './parameters.js';
import type { Value } from './pipeline-variable.js';

export interface PipelineExperimentConfig {
  readonly experimentName: Value<string>;
  readonly trialName: Value<string>;
}

export interface PipelineProps {
  readonly parameters?: readonly AnyParameter[];
  /** Top-level steps; steps they refer to are added automatically, branch steps stay inside their condition. */
  readonly steps: readonly Step[];
  /**
   * Experiment and trial for the execution's jobs. `null` turns it off.
   * @default - experiment = pipeline name, trial = execution id (in regions with SageMaker Experiments)
   */
  readonly pipelineExperimentConfig?: PipelineExperimentConfig | null;
}

/** The authoring root: a name, parameters and steps. `compile()` turns it into the definition JSON. */
export class Pipeline {
  readonly name: string;
  readonly parameters: readonly AnyParameter[];
  readonly steps: readonly Step[];
  readonly pipelineExperimentConfig: PipelineExperimentConfig | null | undefined;

  constructor(name: string, props: PipelineProps) {
    this.name = name;
    this.parameters = [...(props.parameters ?? [])];
    this.steps = [...props.steps];
    this.pipelineExperimentConfig = props.pipelineExperimentConfig;
  }
}
