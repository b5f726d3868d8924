import { PIPELINE_STEP_TYPES } from '@slipway/core';
import { parsePropertyPath } from '../property-path.js';
import { EXECUTION_VARIABLES, type AddIssue, type StepDefinition } from './definition-types.js';
import { isObject } from './json-object.js';

/** Every `Get` string anywhere inside a value (JsonGet's PropertyFile is a Get too). */
export function collectReferences(value: unknown, out: string[] = []): string[] {
  if (Array.isArray(value)) {
    for (const item of value) collectReferences(item, out);
  } else if (isObject(value)) {
    const keys = Object.keys(value);
    if (keys.length === 1 && keys[0] === 'Get' && typeof value['Get'] === 'string') out.push(value['Get']);
    else for (const item of Object.values(value)) collectReferences(item, out);
  }
  return out;
}

/** Checks one `Get` reference; returns the step it points at, if any. */
export function checkReference(
  reference: string,
  field: string,
  parameterNames: ReadonlySet<string>,
  stepNames: ReadonlySet<string>,
  add: AddIssue,
): string | undefined {
  const [root, ...rest] = reference.split('.');
  const tail = rest.join('.');
  if (root === 'Parameters') {
    if (!parameterNames.has(tail))
      add(field, `refers to a parameter that is not declared: {"Get": "${reference}"}`, 'declare it under Parameters');
  } else if (root === 'Execution') {
    if (!EXECUTION_VARIABLES.includes(tail)) {
      add(
        field,
        `refers to an unknown execution variable: {"Get": "${reference}"}`,
        `use one of ${EXECUTION_VARIABLES.join(', ')}`,
      );
    }
  } else if (root === 'PipelineExperimentConfig') {
    if (tail !== 'ExperimentName' && tail !== 'TrialName') {
      add(
        field,
        `refers to an unknown experiment property: {"Get": "${reference}"}`,
        'use ExperimentName or TrialName',
      );
    }
  } else if (root === 'Steps') {
    const stepName = rest[0] ?? '';
    if (!stepNames.has(stepName)) {
      add(
        field,
        `refers to a step that does not exist: {"Get": "${reference}"}`,
        'reference a step defined in this pipeline',
      );
      return undefined;
    }
    if (rest.length < 2 || !parsePropertyPath(rest.slice(1).join('.'))) {
      add(field, `has a property path that cannot be parsed: {"Get": "${reference}"}`);
    }
    return stepName;
  } else {
    add(
      field,
      `has an unknown reference {"Get": "${reference}"}`,
      'references start with Parameters., Execution., Steps. or PipelineExperimentConfig.',
    );
  }
  return undefined;
}

/** What a step's expressions may reference: a Condition step's Conditions only (its branches are steps). */
export function referencingPart(type: string, args: unknown, envelope: Readonly<Record<string, unknown>>): unknown {
  if (type === 'Condition') return isObject(args) ? { Conditions: args['Conditions'] } : undefined;
  return { args, envelope };
}

/** `Steps.X.PropertyFiles.Y` must name a property file step X declares, on a type that has property files. */
export function checkPropertyFileReferences(steps: readonly StepDefinition[], add: AddIssue): void {
  const stepsByName = new Map(steps.map((step) => [step.name, step]));
  for (const step of steps) {
    for (const reference of collectReferences(referencingPart(step.type, step.arguments, step.envelope))) {
      const match = /^Steps\.([^.]+)\.PropertyFiles\.(.+)$/.exec(reference);
      if (!match) continue;
      const target = stepsByName.get(match[1]!);
      if (!target) continue;
      if (!PIPELINE_STEP_TYPES[target.type].propertyFiles) {
        add(
          `${step.field}.Arguments`,
          `reads property file ${match[2]} from step ${target.name}, which is a ${target.type} step`,
          'property files come from Processing steps',
        );
      } else if (!target.propertyFiles.some((file) => file.name === match[2])) {
        add(
          `${step.field}.Arguments`,
          `reads property file ${match[2]}, which step ${target.name} does not declare`,
          `add it to ${target.name}.PropertyFiles`,
        );
      }
    }
  }
}
