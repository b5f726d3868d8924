/**
 * Type-level tests: each `@ts-expect-error` line must be a compile error, or `tsc -p tsconfig.test.json`
 * fails ("unused @ts-expect-error"). The runtime tests check the same paths for code built without types.
 */
import { describe, expect, it } from '@jest/globals';
import {
  ConditionEquals,
  ConditionGreaterThanOrEqualTo,
  ConditionIn,
  Join,
  JsonGet,
  ParameterFloat,
  ParameterString,
  ProcessingStep,
  PropertyFile,
  SKLearn,
  SKLearnProcessor,
  TrainingStep,
  type StepProperty,
} from '@slipway/build-pipeline';
import { ValidationError } from '@slipway/core';

const role = 'arn:aws:iam::123456789012:role/SageMaker';
const processor = new SKLearnProcessor({ frameworkVersion: '1.2-1', role, instanceType: 'ml.m5.large' });

function steps() {
  const prep = new ProcessingStep('Prep', {
    processor,
    code: 'prep.py',
    outputs: [
      { outputName: 'train', source: '/opt/ml/processing/train' },
      { outputName: 'test', source: '/opt/ml/processing/test' },
    ],
  });
  const train = new TrainingStep('Train', {
    estimator: new SKLearn({ frameworkVersion: '1.2-1', entryPoint: 'train.py', role, instanceType: 'ml.m5.large' }),
    inputs: prep.properties.ProcessingOutputConfig.Outputs.train.S3Output.S3Uri,
  });
  return { prep, train };
}

/** Never called: it exists for the type checker. */
export function compileErrors(): void {
  const { prep, train } = steps();
  const modelData: StepProperty<string> = train.properties.ModelArtifacts.S3ModelArtifacts;
  const seconds: StepProperty<number> = train.properties.BillableTimeInSeconds;
  void [modelData, seconds];

  // @ts-expect-error a misspelt member of DescribeTrainingJobResponse
  void train.properties.ModelArtifacts.S3ModelArtifact;
  // @ts-expect-error a member of another Describe* response
  void train.properties.ProcessingJobName;
  // @ts-expect-error a structure is not a single value
  new Join({ values: [train.properties.ModelArtifacts] });
  // @ts-expect-error a number where a string goes
  const wrongType: StepProperty<string> = train.properties.BillableTimeInSeconds;
  void wrongType;

  void prep.properties.ProcessingOutputConfig.Outputs.test.S3Output.S3Uri;
  void prep.properties.ProcessingOutputConfig.Outputs[0]!.S3Output.S3Uri;
  // @ts-expect-error an output the step does not declare
  void prep.properties.ProcessingOutputConfig.Outputs.validation;

  const text = new ParameterString('Text');
  const threshold = new ParameterFloat('Threshold');
  new ConditionGreaterThanOrEqualTo(threshold, 0.5);
  new ConditionEquals(text, 'positive');
  // @ts-expect-error comparing a String parameter with a number
  new ConditionEquals(text, 3);
  // @ts-expect-error ordering a Float parameter against a string
  new ConditionGreaterThanOrEqualTo(threshold, '0.5');
  // @ts-expect-error an In list of another type
  new ConditionIn(text, [1, 2]);

  // A JsonGet's type is known only at run time, so it fits either side, also written inline.
  const accuracy = new JsonGet({ step: prep, propertyFile: 'Report', jsonPath: 'accuracy' });
  new ConditionGreaterThanOrEqualTo(accuracy, threshold);
  new ConditionGreaterThanOrEqualTo(threshold, new JsonGet({ step: prep, propertyFile: 'Report', jsonPath: 'a' }));
  new ConditionEquals(new JsonGet({ step: prep, propertyFile: 'Report', jsonPath: 'label' }), 'positive');

  const report = new PropertyFile({ name: 'Report', outputName: 'metrics', path: 'evaluation.json' });
  new ProcessingStep('Eval', {
    processor,
    outputs: [{ outputName: 'evaluation', source: '/opt/ml/processing/evaluation' }],
    // @ts-expect-error a property file on an output the step does not declare
    propertyFiles: [report],
  });
}

describe('typed step properties', () => {
  it('serialise to the paths the service reads', () => {
    const { prep, train } = steps();
    expect(train.properties.ModelArtifacts.S3ModelArtifacts.toJSON()).toEqual({
      Get: 'Steps.Train.ModelArtifacts.S3ModelArtifacts',
    });
    expect(prep.properties.ProcessingOutputConfig.Outputs.train.S3Output.S3Uri.toJSON()).toEqual({
      Get: "Steps.Prep.ProcessingOutputConfig.Outputs['train'].S3Output.S3Uri",
    });
    expect(prep.properties.ProcessingOutputConfig.Outputs[1]!.S3Output.S3Uri.toJSON()).toEqual({
      Get: 'Steps.Prep.ProcessingOutputConfig.Outputs[1].S3Output.S3Uri',
    });
    expect(train.properties.FinalMetricDataList['validation:accuracy']!.Value.toJSON()).toEqual({
      Get: "Steps.Train.FinalMetricDataList['validation:accuracy'].Value",
    });
    expect(train.properties.HyperParameters['epochs']!.toJSON()).toEqual({
      Get: "Steps.Train.HyperParameters['epochs']",
    });
  });

  it('know the run-time type of each leaf from the SDK schema', () => {
    const { train } = steps();
    expect(train.properties.BillableTimeInSeconds.kind).toBe('number');
    expect(train.properties.EnableManagedSpotTraining.kind).toBe('boolean');
    expect(train.properties.TrainingJobName.kind).toBe('string');
  });

  it('fails when code without types asks for a member the response does not have, suggesting the right one', () => {
    const { train } = steps();
    const untyped = train.properties.ModelArtifacts as unknown as Record<string, unknown>;
    let error: unknown;
    try {
      void untyped['S3ModelArtifact'];
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).issues[0]).toEqual({
      where: 'Train',
      field: 'properties.ModelArtifacts',
      problem: 'has no member "S3ModelArtifact" (ModelArtifacts)',
      fix: 'did you mean S3ModelArtifacts?',
    });
  });

  it('refuse to become strings at build time', () => {
    const parameter = new ParameterString('Bucket');
    expect(() => `s3://${String(parameter)}/data`).toThrow(/no value until the pipeline runs.*Join/);
  });
});
