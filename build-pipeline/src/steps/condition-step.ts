import type { Condition } from '../conditions/conditions.js';
import { StepProperty } from '../properties/step-property.js';
import { Step, type Arguments, type NestedSteps, type StepBuildContext, type StepOptions } from './step.js';

export interface ConditionStepProps extends StepOptions {
  /** All must hold (there is no And type; use ConditionOr and ConditionNot for the rest). */
  readonly conditions: readonly Condition[];
  readonly ifSteps?: readonly Step[];
  readonly elseSteps?: readonly Step[];
}

/**
 * Runs `ifSteps` or `elseSteps` (`Type: "Condition"`). Branch steps are written inside the condition, not at
 * the top level, and the branch not taken is skipped with everything downstream of it.
 */
export class ConditionStep extends Step {
  readonly stepType = 'Condition' as const;
  readonly conditions: readonly Condition[];
  readonly ifSteps: readonly Step[];
  readonly elseSteps: readonly Step[];

  constructor(name: string, props: ConditionStepProps) {
    super(name, props);
    this.conditions = [...props.conditions];
    this.ifSteps = [...(props.ifSteps ?? [])];
    this.elseSteps = [...(props.elseSteps ?? [])];
  }

  /** Only `Outcome`: whether the conditions held. */
  get properties(): { readonly Outcome: StepProperty<boolean> } {
    return { Outcome: new StepProperty<boolean>(this, [{ kind: 'member', name: 'Outcome' }], 'boolean') };
  }

  override nestedSteps(): readonly NestedSteps[] {
    return [
      { field: 'IfSteps', steps: this.ifSteps },
      { field: 'ElseSteps', steps: this.elseSteps },
    ];
  }

  buildArguments(context: StepBuildContext): Arguments {
    return {
      Conditions: this.conditions,
      IfSteps: this.ifSteps.map((step) => context.compileStep(step)),
      ElseSteps: this.elseSteps.map((step) => context.compileStep(step)),
    };
  }
}
