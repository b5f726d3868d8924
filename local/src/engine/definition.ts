import {
  NAME_RULES,
  ValidationError,
  checkName,
  describeValue,
  parseJsonText,
  type ValidationIssue,
} from '@slipway/core';
import { checkConditionShape } from './conditions.js';
import { parseExpireAfter } from './durations.js';
import { parsePropertyPath } from './property-path.js';
import { DEFINITION_RETRY_EXCEPTION_TYPES, type RetryPolicy } from './retry.js';

export type ParameterType = 'String' | 'Integer' | 'Float' | 'Boolean';
export type ParameterValue = string | number | boolean;

export interface ParameterDeclaration {
  readonly name: string;
  readonly type: ParameterType;
  readonly defaultValue?: ParameterValue;
  readonly enumValues?: readonly string[];
}

export interface PropertyFileDeclaration {
  readonly name: string;
  readonly outputName: string;
  readonly filePath: string;
}

export interface CacheConfig {
  readonly enabled: boolean;
  /** Milliseconds; undefined means a cached result never expires. */
  readonly expireAfterMs?: number;
}

export interface StepDefinition {
  readonly name: string;
  readonly type: string;
  readonly arguments: unknown;
  readonly dependsOn: readonly string[];
  readonly displayName?: string;
  readonly description?: string;
  readonly retryPolicies: readonly RetryPolicy[];
  readonly cacheConfig?: CacheConfig;
  readonly propertyFiles: readonly PropertyFileDeclaration[];
  /** Set for steps inside a Condition step's IfSteps (outcome true) or ElseSteps (outcome false). */
  readonly branch?: { readonly condition: string; readonly outcome: boolean };
  /** Every step that must succeed first: DependsOn, steps referenced by expressions, the enclosing condition. */
  readonly upstream: readonly string[];
}

export interface PipelineDefinition {
  readonly parameters: readonly ParameterDeclaration[];
  /** The unresolved PipelineExperimentConfig, or null when the definition turns it off (or omits it). */
  readonly experimentConfig: { readonly ExperimentName?: unknown; readonly TrialName?: unknown } | null;
  /** Every step, branch steps included, in an order where each step comes after its upstream steps. */
  readonly steps: readonly StepDefinition[];
}

export const DEFINITION_VERSION = '2020-12-01';

/** Every step type the SageMaker service accepts; the local engine runs a subset (see step executors). */
export const SAGEMAKER_STEP_TYPES = [
  'Condition',
  'Model',
  'Processing',
  'RegisterModel',
  'Training',
  'Transform',
  'Callback',
  'Tuning',
  'Lambda',
  'QualityCheck',
  'ClarifyCheck',
  'EMR',
  'EMRServerless',
  'Fail',
  'AutoML',
  'EndpointConfig',
  'Endpoint',
  'InferenceComponent',
  'BedrockCustomModel',
  'BedrockCustomModelDeployment',
  'BedrockModelImport',
  'BedrockProvisionedModelThroughput',
  'Lineage',
  'NotebookJob',
];

const EXECUTION_VARIABLES = [
  'StartDateTime',
  'CurrentDateTime',
  'PipelineName',
  'PipelineArn',
  'PipelineExecutionId',
  'PipelineExecutionArn',
  'TrainingJobName',
  'ProcessingJobName',
];

const PARAMETER_TYPES: readonly ParameterType[] = ['String', 'Integer', 'Float', 'Boolean'];
/** Step types SageMaker gives no CacheConfig / RetryPolicies (SDK `Step` subclasses and the AWS guides). */
const NO_CACHE_CONFIG = ['Condition', 'Fail', 'Model', 'RegisterModel'];
const NO_RETRY_POLICIES = ['Condition', 'Fail'];

/**
 * Parses and checks a pipeline definition (JSON text) the way CreatePipeline should: structure, names,
 * parameters, every reference (to parameters, execution variables, steps, property files), conditions,
 * retry and cache settings, and that the step graph has no cycle. All problems are reported at once.
 */
export function parseDefinition(text: string): PipelineDefinition {
  const where = 'PipelineDefinition';
  const document = parseJsonText(text, where, 'pass the JSON your pipeline compiler produced');
  const issues: ValidationIssue[] = [];
  const add = (field: string, problem: string, fix?: string) =>
    issues.push({ where, field, problem, ...(fix ? { fix } : {}) });
  if (!isObject(document)) {
    add('', `must be a JSON object, got ${describeValue(document)}`);
    throw new ValidationError(issues);
  }
  if (document['Version'] !== DEFINITION_VERSION) {
    add('Version', `must be "${DEFINITION_VERSION}", got ${describeValue(document['Version'])}`);
  }
  const parameters = parseParameters(document['Parameters'], add);
  const experiment = document['PipelineExperimentConfig'];
  if (experiment !== undefined && experiment !== null && !isObject(experiment)) {
    add('PipelineExperimentConfig', `must be an object or null, got ${describeValue(experiment)}`);
  }
  const collected: RawStep[] = [];
  if (!Array.isArray(document['Steps']) || document['Steps'].length === 0) {
    add('Steps', `must be a non-empty list of steps, got ${describeValue(document['Steps'])}`);
  } else {
    collectSteps(document['Steps'], 'Steps', undefined, collected, add);
  }
  const steps = buildSteps(collected, parameters, isObject(experiment) ? experiment : undefined, add);
  const ordered = issues.length === 0 ? orderSteps(steps, add) : steps;
  if (issues.length > 0) throw new ValidationError(issues);
  return {
    parameters,
    experimentConfig: isObject(experiment) ? (experiment as PipelineDefinition['experimentConfig']) : null,
    steps: ordered,
  };
}

type Add = (field: string, problem: string, fix?: string) => void;

interface RawStep {
  readonly raw: Record<string, unknown>;
  readonly field: string;
  readonly branch?: { condition: string; outcome: boolean };
}

function parseParameters(value: unknown, add: Add): ParameterDeclaration[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) {
    add('Parameters', `must be a list, got ${describeValue(value)}`);
    return [];
  }
  const seen = new Set<string>();
  const declarations: ParameterDeclaration[] = [];
  value.forEach((entry, index) => {
    const field = `Parameters[${index}]`;
    if (!isObject(entry)) return add(field, `must be an object, got ${describeValue(entry)}`);
    const name = entry['Name'];
    const nameProblem = checkName('parameterName', name);
    if (nameProblem) return add(`${field}.Name`, nameProblem);
    if (seen.has(name as string)) return add(`${field}.Name`, `repeats the parameter name ${JSON.stringify(name)}`);
    seen.add(name as string);
    const type = entry['Type'] as ParameterType;
    if (!PARAMETER_TYPES.includes(type)) {
      return add(`${field}.Type`, `must be one of ${PARAMETER_TYPES.join(', ')}, got ${describeValue(type)}`);
    }
    const declaration: { -readonly [K in keyof ParameterDeclaration]: ParameterDeclaration[K] } = {
      name: name as string,
      type,
    };
    const enumValues = entry['EnumValues'];
    if (enumValues !== undefined && enumValues !== null) {
      if (
        type !== 'String' ||
        !Array.isArray(enumValues) ||
        !enumValues.every((v) => typeof v === 'string') ||
        enumValues.length === 0
      ) {
        add(`${field}.EnumValues`, 'must be a non-empty list of strings, and only on a String parameter');
      } else {
        declaration.enumValues = enumValues as string[];
      }
    }
    const defaultValue = entry['DefaultValue'];
    if (defaultValue !== undefined && defaultValue !== null) {
      const problem = checkParameterValueType(type, defaultValue);
      if (problem) add(`${field}.DefaultValue`, problem);
      else if (declaration.enumValues && !declaration.enumValues.includes(defaultValue as string)) {
        add(
          `${field}.DefaultValue`,
          `must be one of its EnumValues (${declaration.enumValues.join(', ')}), got ${describeValue(defaultValue)}`,
        );
      } else declaration.defaultValue = defaultValue as ParameterValue;
    }
    declarations.push(declaration);
  });
  return declarations;
}

export function checkParameterValueType(type: ParameterType, value: unknown): string | undefined {
  const ok =
    type === 'String'
      ? typeof value === 'string'
      : type === 'Integer'
        ? typeof value === 'number' && Number.isInteger(value)
        : type === 'Float'
          ? typeof value === 'number' && Number.isFinite(value)
          : typeof value === 'boolean';
  return ok ? undefined : `must be ${type === 'Integer' ? 'an' : 'a'} ${type} value, got ${describeValue(value)}`;
}

function collectSteps(list: unknown[], field: string, branch: RawStep['branch'], out: RawStep[], add: Add): void {
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

function buildSteps(
  raws: readonly RawStep[],
  parameters: readonly ParameterDeclaration[],
  experiment: Record<string, unknown> | undefined,
  add: Add,
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
  const parameterNames = new Set(parameters.map((p) => p.name));
  if (experiment) {
    for (const reference of collectReferences(experiment)) {
      if (!/^(Parameters|Execution)\./.test(reference)) {
        add(
          'PipelineExperimentConfig',
          `may only use parameters and execution variables, got {"Get": ${JSON.stringify(reference)}}`,
        );
      } else checkReference(reference, 'PipelineExperimentConfig', parameterNames, byName, add);
    }
  }
  const steps: StepDefinition[] = [];
  for (const [name, raw] of byName) {
    const step = raw.raw;
    const field = raw.field;
    const type = step['Type'];
    if (typeof type !== 'string' || !SAGEMAKER_STEP_TYPES.includes(type)) {
      add(
        `${field}.Type`,
        `must be a SageMaker step type (${SAGEMAKER_STEP_TYPES.join(', ')}), got ${describeValue(type)}`,
      );
      continue;
    }
    const args = step['Arguments'] ?? {};
    if (!isObject(args)) add(`${field}.Arguments`, `must be an object, got ${describeValue(args)}`);
    const dependsOn = parseDependsOn(step['DependsOn'], `${field}.DependsOn`, byName, add);
    const referencedIn = type === 'Condition' && isObject(args) ? { Conditions: args['Conditions'] } : args;
    const upstream = new Set<string>(dependsOn);
    for (const reference of collectReferences(referencedIn)) {
      const target = checkReference(reference, `${field}.Arguments`, parameterNames, byName, add);
      if (target) upstream.add(target);
    }
    if (raw.branch) upstream.add(raw.branch.condition);
    if (type === 'Condition' && isObject(args)) {
      if (!Array.isArray(args['Conditions']) || args['Conditions'].length === 0) {
        add(
          `${field}.Arguments.Conditions`,
          `must be a non-empty list of conditions, got ${describeValue(args['Conditions'])}`,
        );
      } else {
        args['Conditions'].forEach((condition, index) =>
          checkConditionShape(condition, `${field}.Arguments.Conditions[${index}]`, add),
        );
      }
    }
    if (step['CacheConfig'] !== undefined && NO_CACHE_CONFIG.includes(type)) {
      add(`${field}.CacheConfig`, `is not allowed on a ${type} step`, 'remove it: SageMaker caches job steps only');
    }
    if (step['RetryPolicies'] !== undefined && NO_RETRY_POLICIES.includes(type)) {
      add(
        `${field}.RetryPolicies`,
        `is not allowed on a ${type} step`,
        'remove it: SageMaker retries job, model and register steps only',
      );
    }
    steps.push({
      name,
      type,
      arguments: args,
      dependsOn,
      ...optionalString(step, 'DisplayName', field, add),
      ...optionalString(step, 'Description', field, add),
      retryPolicies: parseRetryPolicies(step['RetryPolicies'], `${field}.RetryPolicies`, add),
      ...parseCacheConfig(step['CacheConfig'], `${field}.CacheConfig`, add),
      propertyFiles: parsePropertyFiles(step, field, add),
      ...(raw.branch ? { branch: raw.branch } : {}),
      upstream: [...upstream],
    });
  }
  checkPropertyFileReferences(steps, byName, add);
  return steps;
}

function optionalString(step: Record<string, unknown>, key: 'DisplayName' | 'Description', field: string, add: Add) {
  const value = step[key];
  if (value === undefined || value === null) return {};
  if (typeof value !== 'string') {
    add(`${field}.${key}`, `must be a string, got ${describeValue(value)}`);
    return {};
  }
  return key === 'DisplayName' ? { displayName: value } : { description: value };
}

function parseDependsOn(value: unknown, field: string, byName: ReadonlyMap<string, RawStep>, add: Add): string[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) {
    add(field, `must be a list of step names, got ${describeValue(value)}`);
    return [];
  }
  const names: string[] = [];
  value.forEach((name, index) => {
    if (typeof name !== 'string' || !byName.has(name)) {
      add(
        `${field}[${index}]`,
        `names a step that does not exist: ${describeValue(name)}`,
        'depend on a step defined in this pipeline',
      );
    } else names.push(name);
  });
  return names;
}

/** Checks one `Get` reference; returns the step it points at, if any. */
function checkReference(
  reference: string,
  field: string,
  parameterNames: ReadonlySet<string>,
  byName: ReadonlyMap<string, RawStep>,
  add: Add,
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
    if (!byName.has(stepName)) {
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

function checkPropertyFileReferences(
  steps: readonly StepDefinition[],
  byName: ReadonlyMap<string, RawStep>,
  add: Add,
): void {
  const stepsByName = new Map(steps.map((step) => [step.name, step]));
  for (const step of steps) {
    const scanned =
      step.type === 'Condition' && isObject(step.arguments) ? step.arguments['Conditions'] : step.arguments;
    for (const reference of collectReferences(scanned)) {
      const match = /^Steps\.([^.]+)\.PropertyFiles\.(.+)$/.exec(reference);
      if (!match) continue;
      const target = stepsByName.get(match[1]!);
      const field = byName.get(step.name)?.field ?? step.name;
      if (!target) continue;
      if (target.type !== 'Processing') {
        add(
          `${field}.Arguments`,
          `reads property file ${match[2]} from step ${target.name}, which is a ${target.type} step`,
          'property files come from Processing steps',
        );
      } else if (!target.propertyFiles.some((file) => file.name === match[2])) {
        add(
          `${field}.Arguments`,
          `reads property file ${match[2]}, which step ${target.name} does not declare`,
          `add it to ${target.name}.PropertyFiles`,
        );
      }
    }
  }
}

function parsePropertyFiles(step: Record<string, unknown>, field: string, add: Add): PropertyFileDeclaration[] {
  const value = step['PropertyFiles'];
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) {
    add(`${field}.PropertyFiles`, `must be a list, got ${describeValue(value)}`);
    return [];
  }
  if (step['Type'] !== 'Processing') add(`${field}.PropertyFiles`, 'is only allowed on Processing steps');
  const outputs =
    isObject(step['Arguments']) && isObject(step['Arguments']['ProcessingOutputConfig'])
      ? step['Arguments']['ProcessingOutputConfig']['Outputs']
      : undefined;
  const outputNames = Array.isArray(outputs) ? outputs.map((o) => (isObject(o) ? o['OutputName'] : undefined)) : [];
  const files: PropertyFileDeclaration[] = [];
  value.forEach((entry, index) => {
    const entryField = `${field}.PropertyFiles[${index}]`;
    if (
      !isObject(entry) ||
      typeof entry['PropertyFileName'] !== 'string' ||
      typeof entry['OutputName'] !== 'string' ||
      typeof entry['FilePath'] !== 'string'
    ) {
      return add(entryField, `must be {PropertyFileName, OutputName, FilePath} strings, got ${describeValue(entry)}`);
    }
    if (!outputNames.includes(entry['OutputName'])) {
      add(
        `${entryField}.OutputName`,
        `names no output of this step: ${JSON.stringify(entry['OutputName'])}`,
        'use the OutputName of one of ProcessingOutputConfig.Outputs',
      );
    }
    files.push({ name: entry['PropertyFileName'], outputName: entry['OutputName'], filePath: entry['FilePath'] });
  });
  return files;
}

function parseRetryPolicies(value: unknown, field: string, add: Add): RetryPolicy[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) {
    add(field, `must be a list, got ${describeValue(value)}`);
    return [];
  }
  const policies: RetryPolicy[] = [];
  value.forEach((entry, index) => {
    const policyField = `${field}[${index}]`;
    if (!isObject(entry)) return add(policyField, `must be an object, got ${describeValue(entry)}`);
    const types = typeof entry['ExceptionType'] === 'string' ? [entry['ExceptionType']] : entry['ExceptionType'];
    if (
      !Array.isArray(types) ||
      types.length === 0 ||
      !types.every((t) => DEFINITION_RETRY_EXCEPTION_TYPES.includes(t as string))
    ) {
      return add(
        `${policyField}.ExceptionType`,
        `must list exception types from ${DEFINITION_RETRY_EXCEPTION_TYPES.join(', ')}, got ${describeValue(entry['ExceptionType'])}`,
      );
    }
    const number = (key: string, min: number, max: number, integer: boolean): number | undefined => {
      const raw = entry[key];
      if (raw === undefined || raw === null) return undefined;
      if (typeof raw !== 'number' || (integer && !Number.isInteger(raw)) || raw < min || raw > max) {
        add(
          `${policyField}.${key}`,
          `must be ${integer ? 'an integer' : 'a number'} from ${min} to ${max}, got ${describeValue(raw)}`,
        );
        return undefined;
      }
      return raw;
    };
    const maxAttempts = number('MaxAttempts', 1, 20, true);
    const expireAfterMin = number('ExpireAfterMin', 0, 14400, true);
    policies.push({
      exceptionTypes: types as string[],
      intervalSeconds: number('IntervalSeconds', 1, 43200, true) ?? 1,
      backoffRate: number('BackoffRate', 1, 1000, false) ?? 2,
      ...(maxAttempts !== undefined ? { maxAttempts } : {}),
      ...(expireAfterMin !== undefined ? { expireAfterMin } : {}),
    });
  });
  return policies;
}

function parseCacheConfig(value: unknown, field: string, add: Add): { cacheConfig?: CacheConfig } {
  if (value === undefined || value === null) return {};
  if (!isObject(value) || typeof value['Enabled'] !== 'boolean') {
    add(field, `must be {"Enabled": true|false, "ExpireAfter"?: "<ISO-8601 duration>"}, got ${describeValue(value)}`);
    return {};
  }
  const expire = value['ExpireAfter'];
  if (expire === undefined || expire === null) return { cacheConfig: { enabled: value['Enabled'] } };
  try {
    return { cacheConfig: { enabled: value['Enabled'], expireAfterMs: parseExpireAfter(expire) } };
  } catch (error) {
    add(`${field}.ExpireAfter`, error instanceof Error ? error.message : String(error));
    return {};
  }
}

/** Kahn's algorithm, keeping definition order among independent steps; reports cycles. */
function orderSteps(steps: readonly StepDefinition[], add: Add): StepDefinition[] {
  const remaining = new Map(steps.map((step) => [step.name, new Set(step.upstream)]));
  const ordered: StepDefinition[] = [];
  const byName = new Map(steps.map((step) => [step.name, step]));
  while (remaining.size > 0) {
    const ready = [...remaining].filter(([, upstream]) => upstream.size === 0).map(([name]) => name);
    if (ready.length === 0) {
      add(
        'Steps',
        `form a dependency cycle: ${[...remaining.keys()].join(', ')}`,
        'remove a DependsOn or a property reference so the steps form a DAG',
      );
      return [...steps];
    }
    for (const name of ready) {
      remaining.delete(name);
      ordered.push(byName.get(name)!);
      for (const upstream of remaining.values()) upstream.delete(name);
    }
  }
  return ordered;
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
