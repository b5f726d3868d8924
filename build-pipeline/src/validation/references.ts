import type { ValidationIssue } from '@slipway/core';
import type { RecordedReference } from '../compiler/serialize.js';
import type { AnyParameter } from '../dsl/parameters.js';
import type { PathSegment, PropertyFileHandle, StepHandle } from '../dsl/pipeline-variable.js';
import { formatPath } from '../properties/step-property.js';
import { ProcessingStep } from '../steps/processing-step.js';
import type { Step } from '../steps/step.js';
import { TrainingStep } from '../steps/training-step.js';

export interface ReferenceScope {
  readonly parameters: readonly AnyParameter[];
  readonly stepsByName: ReadonlyMap<string, Step>;
}

type At = { readonly where: string; readonly field: string };

function checkParameter(
  parameter: { name: string; parameterType: string },
  scope: ReferenceScope,
  at: At,
  issues: ValidationIssue[],
): void {
  const declared = scope.parameters.find((candidate) => candidate.name === parameter.name);
  if (!declared) {
    issues.push({
      ...at,
      problem: `refers to parameter ${parameter.name}, which the pipeline does not declare`,
      fix: `add it to the pipeline's parameters (known: ${scope.parameters.map((p) => p.name).join(', ') || 'none'})`,
    });
  } else if (declared !== parameter && declared.parameterType !== parameter.parameterType) {
    issues.push({
      ...at,
      problem: `uses a ${parameter.parameterType} parameter ${parameter.name}, but the pipeline declares it as ${declared.parameterType}`,
      fix: 'use the parameter object the pipeline declares',
    });
  }
}

function resolveStep(
  step: StepHandle | string,
  scope: ReferenceScope,
  at: At,
  issues: ValidationIssue[],
  what: string,
): Step | undefined {
  const name = typeof step === 'string' ? step : step.name;
  const found = scope.stepsByName.get(name);
  if (!found) {
    issues.push({
      ...at,
      problem: `${what} step ${JSON.stringify(name)}, which is not in the pipeline`,
      fix: `use one of: ${[...scope.stepsByName.keys()].join(', ')}`,
    });
  }
  return found;
}

/** `Outputs['x']`, `ProcessingInputs['x']`, `FinalMetricDataList['x']`: the name must exist on that step. */
function checkNamedEntry(target: Step, path: readonly PathSegment[], at: At, issues: ValidationIssue[]): void {
  const members = path.map((segment) => (segment.kind === 'member' ? segment.name : undefined));
  let names: string[] | undefined;
  let position = -1;
  let what = '';
  if (target instanceof ProcessingStep && members[0] === 'ProcessingOutputConfig' && members[1] === 'Outputs') {
    [names, position, what] = [target.outputNames(), 2, 'output'];
  } else if (target instanceof ProcessingStep && members[0] === 'ProcessingInputs') {
    [names, position, what] = [target.inputNames(), 1, 'input'];
  } else if (target instanceof TrainingStep && members[0] === 'FinalMetricDataList') {
    const metrics = target.estimator.props.metricDefinitions;
    if (metrics) [names, position, what] = [metrics.map((metric) => metric.name), 1, 'metric'];
  }
  const segment = names ? path[position] : undefined;
  if (!names || !segment || segment.kind === 'member') return;
  const ok = segment.kind === 'key' ? names.includes(segment.key) : segment.index < names.length;
  if (!ok) {
    const given = segment.kind === 'key' ? JSON.stringify(segment.key) : `[${segment.index}]`;
    issues.push({
      ...at,
      problem: `refers to ${what} ${given} of ${target.name} (Steps.${target.name}${formatPath(path)}), which it does not have`,
      fix: `use one of its ${what}s: ${names.join(', ') || 'none'}`,
    });
  }
}

function checkPropertyFile(
  step: StepHandle | string,
  file: PropertyFileHandle | string,
  scope: ReferenceScope,
  at: At,
  issues: ValidationIssue[],
): void {
  const target = resolveStep(step, scope, at, issues, 'reads a property file of');
  if (!target) return;
  const fileName = typeof file === 'string' ? file : file.name;
  if (!(target instanceof ProcessingStep)) {
    issues.push({
      ...at,
      problem: `reads property file ${fileName} of ${target.name}, a ${target.stepType} step`,
      fix: 'property files come from processing steps; point JsonGet at one',
    });
    return;
  }
  const declared = target.propertyFiles.find((candidate) => candidate.name === fileName);
  if (!declared) {
    issues.push({
      ...at,
      problem: `reads property file ${fileName}, which ${target.name} does not declare`,
      fix: `add it to ${target.name}'s propertyFiles (declared: ${target.propertyFiles.map((f) => f.name).join(', ') || 'none'})`,
    });
  } else if (!target.outputNames().includes(declared.outputName)) {
    issues.push({
      ...at,
      problem: `reads property file ${fileName}, which ${target.name} declares on output ${JSON.stringify(declared.outputName)}, an output it does not have`,
      fix: `add the output, or declare the file on one of: ${target.outputNames().join(', ') || 'none'}`,
    });
  } else if (typeof file !== 'string' && (declared.outputName !== file.outputName || declared.path !== file.path)) {
    issues.push({
      ...at,
      problem: `reads property file ${fileName} as ${file.outputName}/${file.path}, but ${target.name} declares it as ${declared.outputName}/${declared.path}`,
      fix: 'use the PropertyFile object the step declares',
    });
  }
}

/** Every parameter, step, output and property file that `owner`'s values refer to must exist. */
export function checkReferences(
  owner: { readonly where: string; readonly step?: Step },
  references: readonly RecordedReference[],
  scope: ReferenceScope,
  issues: ValidationIssue[],
): void {
  const step = owner.step;
  for (const { reference, field } of references) {
    const at: At = { where: owner.where, field };
    switch (reference.kind) {
      case 'parameter':
        checkParameter(reference.parameter, scope, at, issues);
        break;
      case 'stepProperty': {
        if (step !== undefined && reference.step === step) {
          issues.push({
            ...at,
            problem: `refers to its own property ${formatPath(reference.path).slice(1)}`,
            fix: "a step's properties exist only once it has run; refer to an earlier step",
          });
          break;
        }
        const target = resolveStep(reference.step, scope, at, issues, 'refers to');
        if (target) checkNamedEntry(target, reference.path, at, issues);
        break;
      }
      case 'dependsOn': {
        const target = resolveStep(reference.step, scope, at, issues, 'depends on');
        if (step !== undefined && target === step)
          issues.push({ ...at, problem: 'depends on itself', fix: 'remove it from dependsOn' });
        break;
      }
      case 'propertyFile':
        checkPropertyFile(reference.step, reference.propertyFile, scope, at, issues);
        break;
    }
  }
}
