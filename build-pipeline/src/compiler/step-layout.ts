import type { ValidationIssue } from '@slipway/core';
import type { Step } from '../steps/step.js';

/** Where a step sits: at the top level, or in a branch of a condition step. */
export interface Placement {
  readonly step: Step;
  readonly parent?: Step;
  /** The field of the parent that holds it, e.g. `IfSteps`. */
  readonly branch?: string;
}

function where(placement: Placement): string {
  return placement.parent ? `the ${placement.branch} of ${placement.parent.name}` : 'the top level';
}

/**
 * Finds every step of a pipeline and where it sits, reporting what the service would reject: two steps with
 * one name (names are unique across the whole pipeline, branches included) and one step in two places.
 */
export class StepLayout {
  readonly topLevel: Step[] = [];
  readonly placements = new Map<Step, Placement>();
  readonly byName = new Map<string, Step>();
  /** Every step, in the order it was placed (grows while implicit inclusion adds steps). */
  readonly steps: Step[] = [];

  constructor(private readonly issues: ValidationIssue[]) {}

  has(step: Step): boolean {
    return this.placements.has(step);
  }

  addTopLevel(step: Step): void {
    if (this.register({ step })) this.topLevel.push(step);
  }

  private register(placement: Placement): boolean {
    const { step } = placement;
    const earlier = this.placements.get(step);
    if (earlier) {
      this.issues.push({
        where: step.name,
        field: '',
        problem: `is placed twice: in ${where(earlier)} and in ${where(placement)}`,
        fix: earlier.parent || placement.parent ? 'list a branch step only in its branch' : 'list each step once',
      });
      return false;
    }
    const namesake = this.byName.get(step.name);
    if (namesake && namesake !== step) {
      this.issues.push({
        where: step.name,
        field: 'Name',
        problem: `is the name of two different steps (in ${where(this.placements.get(namesake)!)} and in ${where(placement)})`,
        fix: 'rename one; step names are unique across the pipeline, branch steps included',
      });
    } else {
      this.byName.set(step.name, step);
    }
    this.placements.set(step, placement);
    this.steps.push(step);
    for (const group of step.nestedSteps()) {
      for (const nested of group.steps) this.register({ step: nested, parent: step, branch: group.field });
    }
    return true;
  }
}
