import { ValidationError } from '@slipway/core';
import { planTransformJob, type TransformRequest } from '../../runners/transform/transform-plan.js';
import { planTuningJob } from '../../jobs/tuning/tuning-config.js';
import { collectReferences, isObject, type AddIssue, type StepDefinition } from '../definition/index.js';

/** True when a value holds a pipeline expression (a Get, Std:Join or Std:JsonGet) anywhere inside. */
function hasExpression(value: unknown): boolean {
  if (collectReferences(value).length > 0) return true;
  if (Array.isArray(value)) return value.some(hasExpression);
  if (isObject(value)) {
    return 'Std:Join' in value || 'Std:JsonGet' in value || Object.values(value).some(hasExpression);
  }
  return false;
}

/** Reports a plan's ValidationError as the step's issues (the field under the step's Arguments). */
function report(step: StepDefinition, add: AddIssue, check: () => void): void {
  try {
    check();
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    for (const issue of error.issues) {
      add(`${step.field}.Arguments.${issue.field}`, `(step "${step.name}") ${issue.problem}`, issue.fix);
    }
  }
}

/**
 * A Transform step's settings the local runner cannot honour, found at CreatePipeline when they are literal
 * (RecordIO/TFRecord splitting, an augmented manifest, a filter it cannot read). Settings that are pipeline
 * expressions are checked when the step runs.
 */
export function checkTransformStep(step: StepDefinition, add: AddIssue): void {
  const args = isObject(step.arguments) ? step.arguments : {};
  const settings = [
    'BatchStrategy',
    'MaxPayloadInMB',
    'MaxConcurrentTransforms',
    'DataProcessing',
    'ModelClientConfig',
  ];
  const input = isObject(args['TransformInput']) ? args['TransformInput'] : {};
  const source =
    isObject(input['DataSource']) && isObject(input['DataSource']['S3DataSource'])
      ? input['DataSource']['S3DataSource']
      : {};
  const output = isObject(args['TransformOutput']) ? args['TransformOutput'] : {};
  const literal = [
    ...settings.map((key) => args[key]),
    input['SplitType'],
    input['CompressionType'],
    input['ContentType'],
    source['S3DataType'],
    output['AssembleWith'],
    output['Accept'],
  ];
  if (literal.some(hasExpression)) return;
  const placeholder = 's3://placeholder/for-an-expression';
  const request = {
    ...args,
    TransformInput: {
      ...input,
      DataSource: {
        S3DataSource: { ...source, S3Uri: typeof source['S3Uri'] === 'string' ? source['S3Uri'] : placeholder },
      },
    },
    TransformOutput: {
      ...output,
      S3OutputPath: typeof output['S3OutputPath'] === 'string' ? output['S3OutputPath'] : placeholder,
    },
  } as TransformRequest;
  report(step, add, () => planTransformJob(request, step.name));
}

/**
 * A Tuning step's configuration, checked at CreatePipeline as CreateHyperParameterTuningJob checks it (strategy,
 * objective among the MetricDefinitions, ranges, limits) when it holds no pipeline expressions.
 */
export function checkTuningStep(step: StepDefinition, add: AddIssue): void {
  const args = isObject(step.arguments) ? step.arguments : {};
  const definition = isObject(args['TrainingJobDefinition']) ? args['TrainingJobDefinition'] : {};
  const literal = [
    args['HyperParameterTuningJobConfig'],
    definition['AlgorithmSpecification'],
    definition['StaticHyperParameters'],
    args['TrainingJobDefinitions'],
  ];
  if (literal.some(hasExpression)) return;
  report(step, add, () => planTuningJob(args, step.name));
}
