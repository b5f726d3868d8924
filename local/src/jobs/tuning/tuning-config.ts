import { ValidationError, describeValue, type ValidationIssue } from '@slipway/core';
import { isObject } from '../../engine/definition/index.js';

export type ScalingType = 'Auto' | 'Linear' | 'Logarithmic' | 'ReverseLogarithmic';

export type ParameterRange =
  | {
      readonly kind: 'Integer';
      readonly name: string;
      readonly min: number;
      readonly max: number;
      readonly scaling: ScalingType;
    }
  | {
      readonly kind: 'Continuous';
      readonly name: string;
      readonly min: number;
      readonly max: number;
      readonly scaling: ScalingType;
    }
  | { readonly kind: 'Categorical'; readonly name: string; readonly values: readonly string[] };

export type TuningStrategy = 'Bayesian' | 'Random' | 'Hyperband' | 'Grid';

/** A CreateHyperParameterTuningJob request, checked: what the tuner runs. */
export interface TuningPlan {
  readonly strategy: TuningStrategy;
  readonly objective: { readonly type: 'Maximize' | 'Minimize'; readonly metricName: string };
  /** How many training jobs in all (for Grid: the number of combinations). */
  readonly maxJobs: number;
  readonly maxParallel: number;
  readonly maxRuntimeSeconds?: number;
  readonly randomSeed?: number;
  readonly ranges: readonly ParameterRange[];
  /** The TrainingJobDefinition every training job is made from. */
  readonly definition: Record<string, unknown>;
  /** The metric names the training jobs' MetricDefinitions give (the objective must be one). */
  readonly metricNames: readonly string[];
}

const STRATEGIES: readonly TuningStrategy[] = ['Bayesian', 'Random', 'Hyperband', 'Grid'];
const SCALING: readonly ScalingType[] = ['Auto', 'Linear', 'Logarithmic', 'ReverseLogarithmic'];
/** SageMaker's limit on MaxNumberOfTrainingJobs per tuning job. */
const MAX_TRAINING_JOBS = 750;

/**
 * Checks a tuning job's configuration the way CreateHyperParameterTuningJob does, every problem at once: the
 * strategy, objective (a metric the training jobs define), resource limits, parameter ranges (numbers within
 * bounds, scaling types that fit them, Grid with categorical ranges only) and the training job definition.
 * Built-in algorithms' own metrics are not known here, so an objective needs a MetricDefinition.
 */
export function planTuningJob(request: Record<string, unknown>, where: string): TuningPlan {
  const issues: ValidationIssue[] = [];
  const add = (field: string, problem: string, fix?: string) =>
    issues.push({ where, field, problem, ...(fix !== undefined ? { fix } : {}) });
  const config = isObject(request['HyperParameterTuningJobConfig']) ? request['HyperParameterTuningJobConfig'] : {};
  if (!isObject(request['HyperParameterTuningJobConfig'])) add('HyperParameterTuningJobConfig', 'is required');
  const strategy = config['Strategy'] as TuningStrategy;
  if (!STRATEGIES.includes(strategy)) {
    add(
      'HyperParameterTuningJobConfig.Strategy',
      `must be one of ${STRATEGIES.join(', ')}, got ${describeValue(strategy)}`,
    );
  }
  const definitions = request['TrainingJobDefinitions'];
  let definition = request['TrainingJobDefinition'];
  if (definition === undefined && Array.isArray(definitions)) {
    if (definitions.length === 1) definition = definitions[0];
    else {
      add(
        'TrainingJobDefinitions',
        `has ${definitions.length} definitions; the local tuner runs one training job definition per tuning job`,
        'pass TrainingJobDefinition (or one entry)',
      );
    }
  }
  if (!isObject(definition)) {
    if (!Array.isArray(definitions)) add('TrainingJobDefinition', 'is required', 'describe the training jobs to run');
    definition = {};
  }
  const trainingDefinition = definition as Record<string, unknown>;
  const algorithm = isObject(trainingDefinition['AlgorithmSpecification'])
    ? trainingDefinition['AlgorithmSpecification']
    : undefined;
  if (Object.keys(trainingDefinition).length > 0 && !algorithm) {
    add('TrainingJobDefinition.AlgorithmSpecification', 'is required');
  }
  const metricNames = (Array.isArray(algorithm?.['MetricDefinitions']) ? algorithm['MetricDefinitions'] : [])
    .map((metric) => (isObject(metric) ? metric['Name'] : undefined))
    .filter((name): name is string => typeof name === 'string');

  // The objective: in the job config, or (multi-definition form) in the training job definition.
  const objective = (config['HyperParameterTuningJobObjective'] ?? trainingDefinition['TuningObjective']) as unknown;
  let parsedObjective: TuningPlan['objective'] = { type: 'Maximize', metricName: '' };
  if (!isObject(objective)) {
    add(
      'HyperParameterTuningJobConfig.HyperParameterTuningJobObjective',
      'is required',
      'name the metric to optimise and Maximize or Minimize',
    );
  } else {
    const type = objective['Type'];
    const metricName = objective['MetricName'];
    if (type !== 'Maximize' && type !== 'Minimize') {
      add(
        'HyperParameterTuningJobConfig.HyperParameterTuningJobObjective.Type',
        `must be Maximize or Minimize, got ${describeValue(type)}`,
      );
    }
    if (typeof metricName !== 'string' || metricName.length === 0) {
      add('HyperParameterTuningJobConfig.HyperParameterTuningJobObjective.MetricName', 'is required');
    } else if (!metricNames.includes(metricName)) {
      add(
        'HyperParameterTuningJobConfig.HyperParameterTuningJobObjective.MetricName',
        `is ${JSON.stringify(metricName)}, which no MetricDefinitions entry of the training job definition names ` +
          `(it has: ${metricNames.join(', ') || 'none'})`,
        'add {"Name": "<metric>", "Regex": "<pattern with one group>"} to AlgorithmSpecification.MetricDefinitions',
      );
    }
    parsedObjective = { type: type as 'Maximize' | 'Minimize', metricName: String(metricName ?? '') };
  }

  const ranges = parseRanges(config['ParameterRanges'] ?? trainingDefinition['HyperParameterRanges'], add);
  const limits = isObject(config['ResourceLimits']) ? config['ResourceLimits'] : undefined;
  if (!limits) add('HyperParameterTuningJobConfig.ResourceLimits', 'is required', 'give MaxParallelTrainingJobs');
  const integer = (key: string, min: number, max: number): number | undefined => {
    const value = limits?.[key];
    if (value === undefined || value === null) return undefined;
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
      add(
        `HyperParameterTuningJobConfig.ResourceLimits.${key}`,
        `must be a whole number from ${min} to ${max}, got ${describeValue(value)}`,
      );
      return undefined;
    }
    return value;
  };
  const maxParallel = integer('MaxParallelTrainingJobs', 1, 100);
  if (limits && limits['MaxParallelTrainingJobs'] === undefined) {
    add('HyperParameterTuningJobConfig.ResourceLimits.MaxParallelTrainingJobs', 'is required');
  }
  let maxJobs = integer('MaxNumberOfTrainingJobs', 1, MAX_TRAINING_JOBS);
  const maxRuntimeSeconds = integer('MaxRuntimeInSeconds', 120, 15_768_000);
  if (strategy === 'Grid') {
    const numeric = ranges.filter((range) => range.kind !== 'Categorical');
    if (numeric.length > 0) {
      add(
        'HyperParameterTuningJobConfig.ParameterRanges',
        `has ${numeric.map((range) => `${range.kind} range ${range.name}`).join(', ')}; the Grid strategy searches ` +
          'categorical ranges only',
        'list the values to try as CategoricalParameterRanges, or use the Random strategy',
      );
    }
    const combinations = ranges.reduce(
      (count, range) => count * (range.kind === 'Categorical' ? range.values.length : 1),
      1,
    );
    if (maxJobs !== undefined && maxJobs !== combinations) {
      add(
        'HyperParameterTuningJobConfig.ResourceLimits.MaxNumberOfTrainingJobs',
        `is ${maxJobs}, but the grid has ${combinations} combinations`,
        'leave it out (Grid runs every combination) or set it to the number of combinations',
      );
    }
    maxJobs = combinations;
  } else if (maxJobs === undefined && limits) {
    add(
      'HyperParameterTuningJobConfig.ResourceLimits.MaxNumberOfTrainingJobs',
      `is required for the ${strategy} strategy`,
    );
  }
  if (ranges.length === 0) {
    add(
      'HyperParameterTuningJobConfig.ParameterRanges',
      'has no ranges',
      'give at least one hyperparameter range to search',
    );
  }
  const seed = config['RandomSeed'];
  if (seed !== undefined && (typeof seed !== 'number' || !Number.isInteger(seed) || seed < 0)) {
    add('HyperParameterTuningJobConfig.RandomSeed', `must be a whole number ≥ 0, got ${describeValue(seed)}`);
  }
  const statics = isObject(trainingDefinition['StaticHyperParameters'])
    ? trainingDefinition['StaticHyperParameters']
    : {};
  for (const range of ranges) {
    if (statics[range.name] !== undefined) {
      add(
        'TrainingJobDefinition.StaticHyperParameters',
        `sets ${range.name}, which is also a tuned range`,
        'remove it from StaticHyperParameters',
      );
    }
  }
  if (issues.length > 0) throw new ValidationError(issues);
  return {
    strategy,
    objective: parsedObjective,
    maxJobs: maxJobs!,
    maxParallel: maxParallel!,
    ...(maxRuntimeSeconds !== undefined ? { maxRuntimeSeconds } : {}),
    ...(typeof seed === 'number' ? { randomSeed: seed } : {}),
    ranges,
    definition: trainingDefinition,
    metricNames,
  };
}

function parseRanges(value: unknown, add: (field: string, problem: string, fix?: string) => void): ParameterRange[] {
  const field = 'HyperParameterTuningJobConfig.ParameterRanges';
  if (value === undefined || value === null) return [];
  if (!isObject(value)) {
    add(field, `must be an object, got ${describeValue(value)}`);
    return [];
  }
  const ranges: ParameterRange[] = [];
  const seen = new Set<string>();
  const named = (entry: unknown, at: string): string | undefined => {
    if (!isObject(entry) || typeof entry['Name'] !== 'string' || entry['Name'].length === 0) {
      add(at, `must name its hyperparameter (Name), got ${describeValue(entry)}`);
      return undefined;
    }
    if (seen.has(entry['Name'])) add(`${at}.Name`, `repeats the hyperparameter ${entry['Name']}`);
    seen.add(entry['Name']);
    return entry['Name'];
  };
  for (const kind of ['Integer', 'Continuous'] as const) {
    const list = value[`${kind}ParameterRanges`];
    if (list === undefined) continue;
    if (!Array.isArray(list)) {
      add(`${field}.${kind}ParameterRanges`, `must be a list, got ${describeValue(list)}`);
      continue;
    }
    list.forEach((entry, index) => {
      const at = `${field}.${kind}ParameterRanges[${index}]`;
      const name = named(entry, at);
      if (!name) return;
      const range = entry as Record<string, unknown>;
      const min = Number(range['MinValue']);
      const max = Number(range['MaxValue']);
      const scaling = (range['ScalingType'] ?? 'Auto') as ScalingType;
      const numberProblem = (n: number) =>
        !Number.isFinite(n) || (kind === 'Integer' && !Number.isInteger(n)) || typeof range['MinValue'] !== 'string';
      if (numberProblem(min) || numberProblem(max) || typeof range['MaxValue'] !== 'string') {
        add(
          at,
          `must have MinValue and MaxValue as ${kind === 'Integer' ? 'whole numbers' : 'numbers'} in strings, got ` +
            `${describeValue(range['MinValue'])} and ${describeValue(range['MaxValue'])}`,
        );
        return;
      }
      if (min > max) return add(at, `has MinValue ${min} above MaxValue ${max}`);
      if (!SCALING.includes(scaling)) {
        return add(`${at}.ScalingType`, `must be one of ${SCALING.join(', ')}, got ${describeValue(scaling)}`);
      }
      if (scaling === 'Logarithmic' && min <= 0) {
        return add(`${at}.ScalingType`, `is Logarithmic, which needs MinValue above 0, got ${min}`);
      }
      if (scaling === 'ReverseLogarithmic' && (kind === 'Integer' || min < 0 || max >= 1)) {
        return add(`${at}.ScalingType`, 'is ReverseLogarithmic, which takes continuous ranges within [0, 1) only');
      }
      ranges.push({ kind, name, min, max, scaling });
    });
  }
  const categorical = value['CategoricalParameterRanges'];
  if (categorical !== undefined) {
    if (!Array.isArray(categorical)) {
      add(`${field}.CategoricalParameterRanges`, `must be a list, got ${describeValue(categorical)}`);
    } else {
      categorical.forEach((entry, index) => {
        const at = `${field}.CategoricalParameterRanges[${index}]`;
        const name = named(entry, at);
        if (!name) return;
        const values = (entry as Record<string, unknown>)['Values'];
        if (!Array.isArray(values) || values.length === 0 || !values.every((v) => typeof v === 'string')) {
          return add(`${at}.Values`, `must be a non-empty list of strings, got ${describeValue(values)}`);
        }
        ranges.push({ kind: 'Categorical', name, values: values as string[] });
      });
    }
  }
  return ranges;
}
