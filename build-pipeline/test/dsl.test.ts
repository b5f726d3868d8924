import { describe, expect, it } from '@jest/globals';
import { join } from 'node:path';
import {
  ConditionEquals,
  ConditionStep,
  ExecutionVariables,
  FailStep,
  FileAsset,
  Join,
  JsonGet,
  ParameterBoolean,
  ParameterFloat,
  ParameterInteger,
  ParameterString,
  Pipeline,
  ProcessingStep,
  SKLearnProcessor,
  asString,
  compile,
} from '@slipway/build-pipeline';

const SEED = join(import.meta.dirname, 'fixtures', 'seed');
const OPTIONS = { region: 'us-east-1', bucket: 'my-bucket' };
const role = 'arn:aws:iam::123456789012:role/SageMaker';

describe('the DSL', () => {
  it('writes parameters with their defaults, keeping 0, false and "" (omitting only a missing default)', () => {
    const parameters = [
      new ParameterInteger('Zero', { defaultValue: 0 }),
      new ParameterBoolean('Off', { defaultValue: false }),
      new ParameterString('Empty', { defaultValue: '' }),
      new ParameterFloat('Unset'),
    ];
    const { definition } = compile(new Pipeline('dsl', { parameters, steps: [new FailStep('Stop')] }), OPTIONS);
    expect(definition.Parameters).toEqual([
      { Name: 'Zero', Type: 'Integer', DefaultValue: 0 },
      { Name: 'Off', Type: 'Boolean', DefaultValue: false },
      { Name: 'Empty', Type: 'String', DefaultValue: '' },
      { Name: 'Unset', Type: 'Float' },
    ]);
  });

  it('writes JsonGet on S3, asString, execution variables and a condition outcome', () => {
    const location = new Join({
      on: '/',
      values: ['s3://my-bucket/reports', ExecutionVariables.PIPELINE_EXECUTION_ID, 'report.json'],
    });
    expect(new JsonGet({ s3Uri: location, jsonPath: 'metrics.f1' }).toJSON()).toEqual({
      'Std:JsonGet': {
        S3Uri: {
          'Std:Join': {
            On: '/',
            Values: ['s3://my-bucket/reports', { Get: 'Execution.PipelineExecutionId' }, 'report.json'],
          },
        },
        Path: 'metrics.f1',
      },
    });
    const text = new ParameterString('Text');
    expect(asString(text)).toBe(text);
    expect(asString(new ParameterInteger('Count')).toJSON()).toEqual({
      'Std:Join': { On: '', Values: [{ Get: 'Parameters.Count' }] },
    });
    const check = new ConditionStep('Check', { conditions: [new ConditionEquals(text, 'a')] });
    expect(check.properties.Outcome.toJSON()).toEqual({ Get: 'Steps.Check.Outcome' });
  });

  it('uploads a FileAsset input as a data asset and points the input at it', () => {
    const step = new ProcessingStep('Prep', {
      processor: new SKLearnProcessor({ frameworkVersion: '1.2-1', role, instanceType: 'ml.m5.large' }),
      inputs: [
        {
          inputName: 'data',
          source: new FileAsset(join(SEED, 'data', 'reviews.csv')),
          destination: '/opt/ml/processing/input',
        },
      ],
    });
    const { assets, definition } = compile(new Pipeline('dsl', { steps: [step] }), OPTIONS);
    expect(assets.map((asset) => [asset.kind, asset.contentType])).toEqual([['data', 'text/csv']]);
    expect(definition.Steps[0]!.Arguments).toMatchObject({
      ProcessingInputs: [
        { InputName: 'data', S3Input: { S3Uri: assets[0]!.s3Uri, LocalPath: '/opt/ml/processing/input' } },
      ],
    });
  });

  it('gives the experiment config the region default, a custom value, or null', () => {
    const steps = [new FailStep('Stop')];
    const config = (pipeline: Pipeline, region: string): unknown =>
      compile(pipeline, { region, bucket: 'my-bucket' }).definition.PipelineExperimentConfig;
    expect(config(new Pipeline('dsl', { steps }), 'eu-west-1')).toEqual({
      ExperimentName: { Get: 'Execution.PipelineName' },
      TrialName: { Get: 'Execution.PipelineExecutionId' },
    });
    // ap-southeast-4 has no SageMaker Experiments, so the Python SDK writes null there.
    expect(config(new Pipeline('dsl', { steps }), 'ap-southeast-4')).toBeNull();
    const custom = new Pipeline('dsl', {
      steps,
      pipelineExperimentConfig: { experimentName: 'sentiment', trialName: ExecutionVariables.PIPELINE_EXECUTION_ID },
    });
    expect(config(custom, 'us-east-1')).toEqual({
      ExperimentName: 'sentiment',
      TrialName: { Get: 'Execution.PipelineExecutionId' },
    });
  });
});
