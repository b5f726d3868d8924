import {
  NAME_RULES,
  PIPELINE_STEP_TYPES,
  PIPELINE_STEP_TYPE_NAMES,
  checkName,
  describeValue,
  isPipelineStepType,
} from '@slipway/core';
import { checkConditionShape } from '../conditions.js';
import type { AddIssue, ParameterDeclaration, StepDefinition } from './definition-types.js';
import { isObject } from './json-object.js';
import { parsePropertyFiles } from './property-files.js';
import { checkPropertyFileReferences, checkReference, collectReferences, referencingPart } from './references.js';
import { parseCacheConfig, parseRetryPolicies } from './step-policies.js';

/** One step object as found in the document, with where it is and the Condition branch it sits in. */
export interface RawStep {
  readonly raw: Record<string, unknown>;
  readonly field: string;
  readonly branch?: { condition: string; outcome: boolean };
}

/** Every step object of `Steps`, the steps nested in Condition branches included, in document order. */
export function collectSteps(
  list: unknown[],
  field: string,
  branch: RawStep['branch'],
  out: RawStep[],
  add: AddIssue,
): void {
  list.forEach((entry, index) => {
    const stepField = `${field}[${index}]`;
    if (!isObject(entry)) return add(stepField, `must be a step object, got ${describeValue(entry)}`);
    out.push({ raw: entry, field: stepField, ...(branch ? { branch } : {}) });
    if (entry['Type'] === 'Condition' && isObject(entry['Arguments']) && typeof entry['Name'] === 'string') {
      for (const [key, outcome] of [
        ['IfSteps', true],
        ['ElseSteps', false],
      ] as const) {
        const nested = entry['Arguments'][key];
        if (nested === undefined) continue;
        if (!Array.isArray(nested))
          add(`${stepField}.Arguments.${key}`, `must be a list of steps, got ${describeValue(nested)}`);
        else collectSteps(nested, `${stepField}.Arguments.${key}`, { condition: entry['Name'], outcome }, out, add);
      }
    }
  });
}

/**
 * Checks each step's envelope against its type's facts (`PIPELINE_STEP_TYPES`): name, type, Arguments,
 * DependsOn, every reference, Condition shapes, RetryPolicies, CacheConfig and PropertyFiles.
 */
export function buildSteps(
  raws: readonly RawStep[],
  parameters: readonly ParameterDeclaration[],
  experiment: Record<string, unknown> | undefined,
  add: AddIssue,
): StepDefinition[] {
  const byName = new Map<string, RawStep>();
  for (const raw of raws) {
    const name = raw.raw['Name'];
    const problem = checkName('stepName', name);
    if (problem) add(`${raw.field}.Name`, problem, `use ${NAME_RULES.stepName.allowed}`);
    else if (byName.has(name as string)) {
      add(
        `${raw.field}.Name`,
        `repeats the step name ${JSON.stringify(name)} (names must be unique, branch steps included)`,
      );
    } else byName.set(name as string, raw);
  }
  const stepNames = new Set(byName.keys());
  const parameterNames = new Set(parameters.map((p) => p.name));
  if (experiment) {
    for (const reference of collectReferences(experiment)) {
      if (!/^(Parameters|Execution)\./.test(reference)) {
        add(
          'PipelineExperimentConfig',
          `may only use parameters and execution variables, got {"Get": ${JSON.stringify(reference)}}`,
        );
      } else checkReference(reference, 'PipelineExperimentConfig', parameterNames, stepNames, add);
    }
  }
  const steps: StepDefinition[] = [];
  for (const [name, raw] of byName) {
    const step = raw.raw;
    const field = raw.field;
    const type = step['Type'];
    if (!isPipelineStepType(type)) {
      add(
        `${field}.Type`,
        `must be a SageMaker step type (${PIPELINE_STEP_TYPE_NAMES.join(', ')}), got ${describeValue(type)}`,
      );
      continue;
    }
    const args = step['Arguments'] ?? {};
    if (!isObject(args)) add(`${field}.Arguments`, `must be an object, got ${describeValue(args)}`);
    const envelope = Object.fromEntries(
      PIPELINE_STEP_TYPES[type].envelope.filter((key) => step[key] !== undefined).map((key) => [key, step[key]]),
    );
    const dependsOn = parseDependsOn(step['DependsOn'], `${field}.DependsOn`, stepNames, add);
    const upstream = new Set<string>(dependsOn);
    for (const reference of collectReferences(referencingPart(type, args, envelope))) {
      const target = checkReference(reference, `${field}.Arguments`, parameterNames, stepNames, add);
      if (target) upstream.add(target);
    }
    if (raw.branch) upstream.add(raw.branch.condition);
    if (type === 'Condition' && isObject(args)) checkConditions(args, field, add);
    steps.push({
      name,
      type,
      arguments: args,
      envelope,
      dependsOn,
      ...optionalString(step, 'DisplayName', field, add),
      ...optionalString(step, 'Description', field, add),
      retryPolicies: parseRetryPolicies(type, step['RetryPolicies'], `${field}.RetryPolicies`, add),
      ...parseCacheConfig(type, step['CacheConfig'], `${field}.CacheConfig`, add),
      propertyFiles: parsePropertyFiles(type, step, field, add),
      ...(raw.branch ? { branch: raw.branch } : {}),
      upstream: [...upstream],
      field,
    });
  }
  checkPropertyFileReferences(steps, add);
  return steps;
}

function checkConditions(args: Record<string, unknown>, field: string, add: AddIssue): void {
  if (!Array.isArray(args['Conditions']) || args['Conditions'].length === 0) {
    add(
      `${field}.Arguments.Conditions`,
      `must be a non-empty list of conditions, got ${describeValue(args['Conditions'])}`,
    );
    return;
  }
  args['Conditions'].forEach((condition, index) =>
    checkConditionShape(condition, `${field}.Arguments.Conditions[${index}]`, add),
  );
}

function optionalString(
  step: Record<string, unknown>,
  key: 'DisplayName' | 'Description',
  field: string,
  add: AddIssue,
) {
  const value = step[key];
  if (value === undefined || value === null) return {};
  if (typeof value !== 'string') {
    add(`${field}.${key}`, `must be a string, got ${describeValue(value)}`);
    return {};
  }
  return key === 'DisplayName' ? { displayName: value } : { description: value };
}

function parseDependsOn(value: unknown, field: string, stepNames: ReadonlySet<string>, add: AddIssue): string[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) {
    add(field, `must be a list of step names, got ${describeValue(value)}`);
    return [];
  }
  const names: string[] = [];
  value.forEach((name, index) => {
    if (typeof name !== 'string' || !stepNames.has(name)) {
      add(
        `${field}[${index}]`,
        `names a step that does not exist: ${describeValue(name)}`,
        'depend on a step defined in this pipeline',
      );
    } else names.push(name);
  });
  return names;
}
