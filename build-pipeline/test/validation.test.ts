import { describe, expect, it } from '@jest/globals';
import { join } from 'node:path';
import {
  ConditionEquals,
  ConditionGreaterThanOrEqualTo,
  ConditionStep,
  FailStep,
  JsonGet,
  Model,
  ParameterFloat,
  ParameterInteger,
  ParameterString,
  Pipeline,
  ProcessingStep,
  PropertyFile,
  RegisterModel,
  SKLearn,
  SKLearnProcessor,
  TrainingStep,
  compile,
  type PipelineVariable,
  type Step,
} from '@slipway/build-pipeline';
import { ValidationError, type ValidationIssue } from '@slipway/core';

const SEED = join(import.meta.dirname, 'fixtures', 'seed');
const OPTIONS = { region: 'us-east-1', bucket: 'my-bucket' };
const role = 'arn:aws:iam::123456789012:role/SageMaker';
const processor = new SKLearnProcessor({ frameworkVersion: '1.2-1', role, instanceType: 'ml.m5.large' });

function prep(name = 'Prep'): ProcessingStep<'train' | 'evaluation'> {
  return new ProcessingStep(name, {
    processor,
    code: join(SEED, 'preprocess.py'),
    outputs: [
      { outputName: 'train', source: '/opt/ml/processing/train' },
      { outputName: 'evaluation', source: '/opt/ml/processing/evaluation' },
    ],
    propertyFiles: [new PropertyFile({ name: 'Report', outputName: 'evaluation', path: 'evaluation.json' })],
  });
}

function train(name: string, data: ProcessingStep<'train' | 'evaluation'>): TrainingStep {
  return new TrainingStep(name, {
    estimator: new SKLearn({
      frameworkVersion: '1.2-1',
      entryPoint: join(SEED, 'train.py'),
      role,
      instanceType: 'ml.m5.large',
    }),
    inputs: data.properties.ProcessingOutputConfig.Outputs.train.S3Output.S3Uri,
  });
}

/** Compiles and returns the issues of the ValidationError it must throw. */
function issuesOf(steps: readonly Step[], parameters: Pipeline['parameters'] = []): readonly ValidationIssue[] {
  try {
    compile(new Pipeline('validation-test', { steps, parameters }), OPTIONS);
  } catch (error) {
    if (error instanceof ValidationError) return error.issues;
    throw error;
  }
  throw new Error('compile() accepted the pipeline');
}

describe('validation', () => {
  it('accepts a sound pipeline', () => {
    const data = prep();
    expect(() => compile(new Pipeline('ok', { steps: [data, train('Train', data)] }), OPTIONS)).not.toThrow();
  });

  it('fails when a step name breaks the service pattern or length', () => {
    const issues = issuesOf([new FailStep('has space'), new FailStep('x'.repeat(65))]);
    expect(issues).toEqual([
      expect.objectContaining({
        where: 'has space',
        field: 'Name',
        problem: expect.stringMatching(/letters, digits, hyphens and underscores/),
      }),
      expect.objectContaining({
        field: 'Name',
        problem: 'must be at most 64 characters, got 65',
        fix: expect.stringMatching(/rename the step/),
      }),
    ]);
  });

  it('fails when two different steps share a name', () => {
    const issues = issuesOf([new FailStep('Same'), new FailStep('Same')]);
    expect(issues).toEqual([
      expect.objectContaining({
        where: 'Same',
        field: 'Name',
        problem: expect.stringMatching(/name of two different steps/),
      }),
    ]);
  });

  it('fails when one step is both in a condition branch and at the top level', () => {
    const fail = new FailStep('Stop');
    const check = new ConditionStep('Check', {
      conditions: [new ConditionEquals(new ParameterString('Mode'), 'strict')],
      ifSteps: [fail],
    });
    const issues = issuesOf([check, fail], [new ParameterString('Mode')]);
    expect(issues).toEqual([
      expect.objectContaining({
        where: 'Stop',
        problem: 'is placed twice: in the IfSteps of Check and in the top level',
        fix: 'list a branch step only in its branch',
      }),
    ]);
  });

  it('fails when DependsOn names a step that is not in the pipeline', () => {
    const issues = issuesOf([new FailStep('Stop', { dependsOn: ['Nope'] })]);
    expect(issues).toEqual([
      expect.objectContaining({
        where: 'Stop',
        field: 'DependsOn[0]',
        problem: 'depends on step "Nope", which is not in the pipeline',
      }),
    ]);
  });

  it('fails when a property path names an output the step does not have (code without types)', () => {
    const data = prep();
    const outputs = data.properties.ProcessingOutputConfig.Outputs as unknown as Record<
      string,
      { S3Output: { S3Uri: never } }
    >;
    const step = new TrainingStep('Train', {
      estimator: new SKLearn({
        frameworkVersion: '1.2-1',
        entryPoint: join(SEED, 'train.py'),
        role,
        instanceType: 'ml.m5.large',
      }),
      inputs: outputs['validation']!.S3Output.S3Uri,
    });
    const issues = issuesOf([data, step]);
    expect(issues).toEqual([
      expect.objectContaining({
        where: 'Train',
        field: 'Arguments.InputDataConfig[0].DataSource.S3DataSource.S3Uri',
        problem: expect.stringMatching(/refers to output "validation" of Prep/),
        fix: 'use one of its outputs: train, evaluation',
      }),
    ]);
  });

  it('fails when JsonGet reads a property file the step does not declare, or a step that is not there', () => {
    const data = prep();
    const minimum = new ParameterFloat('Minimum', { defaultValue: 0.5 });
    const check = new ConditionStep('Check', {
      conditions: [
        new ConditionGreaterThanOrEqualTo(new JsonGet({ step: data, propertyFile: 'Metrics', jsonPath: 'a' }), minimum),
        new ConditionGreaterThanOrEqualTo(
          new JsonGet({ step: 'Ghost', propertyFile: 'Report', jsonPath: 'a' }),
          minimum,
        ),
      ],
    });
    const issues = issuesOf([data, check], [minimum]);
    expect(issues).toEqual([
      expect.objectContaining({
        where: 'Check',
        problem: 'reads property file Metrics, which Prep does not declare',
        fix: "add it to Prep's propertyFiles (declared: Report)",
      }),
      expect.objectContaining({
        where: 'Check',
        problem: expect.stringMatching(/step "Ghost", which is not in the pipeline/),
      }),
    ]);
  });

  it('fails when JsonGet points at a step that is not a processing step', () => {
    const data = prep();
    const model = train('Train', data);
    const check = new ConditionStep('Check', {
      conditions: [new ConditionEquals(new JsonGet({ step: model, propertyFile: 'Report', jsonPath: 'a' }), 1)],
    });
    expect(issuesOf([data, model, check])).toEqual([
      expect.objectContaining({ where: 'Check', problem: 'reads property file Report of Train, a Training step' }),
    ]);
  });

  it('fails when a value uses a parameter the pipeline does not declare', () => {
    const threshold = new ParameterFloat('Threshold');
    const check = new ConditionStep('Check', { conditions: [new ConditionGreaterThanOrEqualTo(threshold, 0.5)] });
    expect(issuesOf([check], [new ParameterFloat('Other')])).toEqual([
      expect.objectContaining({
        where: 'Check',
        field: 'Arguments.Conditions[0]',
        problem: 'refers to parameter Threshold, which the pipeline does not declare',
        fix: "add it to the pipeline's parameters (known: Other)",
      }),
    ]);
  });

  it('fails when dependencies form a cycle', () => {
    const a = new FailStep('A', { dependsOn: ['B'] });
    const b = new FailStep('B', { dependsOn: ['C'] });
    const c = new FailStep('C', { dependsOn: [a] });
    expect(issuesOf([a, b, c])).toEqual([
      expect.objectContaining({ problem: expect.stringMatching(/^waits for itself: (\w) → (\w) → (\w) → \1/) }),
    ]);
  });

  it('fails when a step refers to its own properties or depends on itself, or a condition has none', () => {
    const hyperparameters: Record<string, PipelineVariable> = {};
    const own = new TrainingStep('Train', {
      estimator: new SKLearn({
        frameworkVersion: '1.2-1',
        entryPoint: join(SEED, 'train.py'),
        role,
        instanceType: 'ml.m5.large',
        hyperparameters,
      }),
    });
    // Objects are read when the pipeline compiles, so a later change still counts.
    hyperparameters['job'] = own.properties.TrainingJobName;
    const check = new ConditionStep('Check', { conditions: [] });
    check.addDependsOn(check);
    expect(issuesOf([own, check])).toEqual([
      expect.objectContaining({ where: 'Check', field: 'Arguments.Conditions', problem: 'is empty' }),
      expect.objectContaining({
        where: 'Train',
        field: 'Arguments.HyperParameters.job',
        problem: 'refers to its own property TrainingJobName',
      }),
      expect.objectContaining({ where: 'Check', field: 'DependsOn[0]', problem: 'depends on itself' }),
    ]);
  });

  it('fails when a condition compares values of different types (code without types)', () => {
    const label = new ParameterString('Label');
    const minimum = new ParameterFloat('Minimum');
    const check = new ConditionStep('Check', {
      conditions: [
        new ConditionEquals(label, 3 as unknown as string),
        new ConditionGreaterThanOrEqualTo(minimum, '0.7' as unknown as number),
      ],
    });
    expect(issuesOf([check], [label, minimum])).toEqual([
      expect.objectContaining({
        where: 'Check',
        field: 'Arguments.Conditions[0]',
        problem: expect.stringMatching(/^Equals compares Parameters.Label \(a string\) with 3 \(a number\)/),
      }),
      expect.objectContaining({
        field: 'Arguments.Conditions[1]',
        problem: expect.stringMatching(/Parameters.Minimum \(a number\) with "0.7" \(a string\)/),
      }),
    ]);
  });

  it('fails when the definition is over the service limit of 1 MiB, naming the SDK switch to S3', () => {
    const issues = issuesOf([new FailStep('Huge', { errorMessage: 'x'.repeat(1_100_000) })]);
    expect(issues).toEqual([
      expect.objectContaining({
        field: 'PipelineDefinition',
        problem: expect.stringMatching(/over the service's limit of 1,048,576/),
        fix: expect.stringMatching(/100 KiB/),
      }),
    ]);
  });

  it('fails when retry policies, cache configs or the approval status do not fit the step or the service', () => {
    const data = new ProcessingStep('Prep', {
      processor,
      code: join(SEED, 'preprocess.py'),
      cacheConfig: { enableCaching: true, expireAfter: 'thirty days' },
      retryPolicies: [{ exceptionTypes: ['Step.THROTTLING'], maxAttempts: 0 }],
    });
    const register = new RegisterModel('Register', {
      modelPackageGroupName: 'group',
      model: new Model({ imageUri: 'image', modelData: 's3://b/model.tar.gz' }),
      approvalStatus: 'approved' as 'Approved',
      retryPolicies: [{ exceptionTypes: ['SageMaker.CAPACITY_ERROR'] }],
    });
    const issues = issuesOf([data, register]);
    expect(issues).toHaveLength(4);
    expect(issues).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          where: 'Prep',
          field: 'RetryPolicies[0].MaxAttempts',
          problem: 'must be a whole number from 1 to 20, got 0',
        }),
        expect.objectContaining({
          where: 'Prep',
          field: 'CacheConfig.ExpireAfter',
          fix: expect.stringMatching(/P30D/),
        }),
        expect.objectContaining({
          where: 'Register',
          problem: 'has SageMaker.CAPACITY_ERROR, but a RegisterModel step starts no SageMaker job',
        }),
        expect.objectContaining({
          where: 'Register',
          field: 'Arguments.ModelApprovalStatus',
          problem: 'is "approved"',
        }),
      ]),
    );
  });

  it('fails when a parameter default does not fit its type or enum', () => {
    const issues = issuesOf(
      [new FailStep('Stop')],
      [
        new ParameterInteger('Count', { defaultValue: 1.5 }),
        new ParameterString('Status', { defaultValue: 'Maybe', enumValues: ['Approved', 'Rejected'] }),
      ],
    );
    expect(issues).toEqual([
      expect.objectContaining({
        where: 'Parameters.Count',
        field: 'DefaultValue',
        problem: 'must be an integer, got 1.5',
      }),
      expect.objectContaining({
        where: 'Parameters.Status',
        field: 'DefaultValue',
        problem: expect.stringMatching(/not one of its EnumValues/),
      }),
    ]);
  });

  it('fails when code or a processing input is missing or not in S3, before anything is uploaded', () => {
    const step = new ProcessingStep('Prep', {
      processor,
      code: join(SEED, 'missing.py'),
      inputs: [{ inputName: 'data', source: 'data/reviews.csv', destination: '/opt/ml/processing/input' }],
    });
    expect(issuesOf([step])).toEqual([
      expect.objectContaining({
        where: 'Prep',
        field: 'code',
        problem: expect.stringMatching(/missing\.py, which does not exist/),
      }),
    ]);
    const local = new ProcessingStep('Local', {
      processor,
      inputs: [{ inputName: 'data', source: 'data/reviews.csv', destination: '/opt/ml/processing/input' }],
    });
    expect(issuesOf([local])).toEqual([
      expect.objectContaining({
        where: 'Local',
        field: 'ProcessingInputs[data].S3Input.S3Uri',
        fix: expect.stringMatching(/new FileAsset\(path\)/),
      }),
    ]);
  });

  it('fails when an image does not exist for the region or instance type', () => {
    const step = new ProcessingStep('Prep', {
      processor: new SKLearnProcessor({ frameworkVersion: '1.2-1', role, instanceType: 'ml.g5.xlarge' }),
      code: join(SEED, 'preprocess.py'),
    });
    expect(issuesOf([step])).toEqual([
      expect.objectContaining({
        where: 'Prep',
        field: 'processor.instanceType',
        problem: expect.stringMatching(/CPU instances only/),
      }),
    ]);
    expect(() =>
      compile(new Pipeline('p', { steps: [prep()] }), { region: 'cn-north-1', bucket: 'my-bucket' }),
    ).toThrow(/Prep: processor has no scikit-learn image in region cn-north-1/);
  });

  it('fails when a structure is used where a single value goes (code without types)', () => {
    const data = prep();
    const structure = data.properties.ProcessingOutputConfig as unknown as string;
    const stop = new FailStep('Stop', { errorMessage: structure });
    expect(issuesOf([data, stop])).toEqual([
      expect.objectContaining({
        where: 'Stop',
        field: 'Arguments.ErrorMessage',
        problem: 'is Steps.Prep.ProcessingOutputConfig, which is a structure, list or map rather than a single value',
      }),
    ]);
  });

  it('reports every problem at once, each naming where and how to fix it', () => {
    const issues = issuesOf(
      [new FailStep('bad name'), new FailStep('Stop', { dependsOn: ['Nope'] })],
      [new ParameterInteger('Count', { defaultValue: 0.5 })],
    );
    expect(issues.length).toBe(3);
    for (const issue of issues) expect(issue.fix).toEqual(expect.any(String));
  });
});
