import type { Value } from '../dsl/pipeline-variable.js';
import { Step, type Arguments, type StepOptions } from './step.js';

export interface FailStepProps extends StepOptions {
  /** Reported as the step's failure reason; may be built with Join and JsonGet. @default "" */
  readonly errorMessage?: Value<string>;
}

/** Ends the execution as Failed (`Type: "Fail"`); it has no properties, retries or cache. */
export class FailStep extends Step {
  readonly stepType = 'Fail' as const;
  readonly errorMessage: Value<string>;

  constructor(name: string, props: FailStepProps = {}) {
    super(name, props);
    this.errorMessage = props.errorMessage ?? '';
  }

  buildArguments(): Arguments {
    return { ErrorMessage: this.errorMessage };
  }
}
