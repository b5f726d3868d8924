/**
 * Rebuilds each case in the shared `sdk-fixtures/` (expected JSON from the SageMaker Python SDK's own unit tests,
 * see its INDEX.md) with this SDK and compares them as parsed JSON. Where a fixture uses the SDK's fake
 * `CustomStep`, the test uses the raw steps in support/raw-steps.ts; every other step is the real one.
 */
import { expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  ConditionEquals,
  ConditionGreaterThan,
  ConditionGreaterThanOrEqualTo,
  ConditionIn,
  ConditionLessThan,
  ConditionLessThanOrEqualTo,
  ConditionNot,
  ConditionOr,
  ConditionStep,
  CreateModelStep,
  Estimator,
  ExecutionVariables,
  FailStep,
  Join,
  JsonGet,
  Model,
  ParameterBoolean,
  ParameterInteger,
  ParameterString,
  Pipeline,
  PipelineExperimentConfigProperties,
  ProcessingStep,
  Processor,
  PropertyFile,
  RegisterModel,
  StepProperty,
  TrainingStep,
  asString,
  compile,
  type PipelineDefinition,
  type Step,
} from '@slipway/build-pipeline';
import { RawProcessingStep, RawTrainingStep } from './support/raw-steps.js';
import { describeWithSharedReference } from '../../test/support/reference-data.js';

// The fixtures' SDK session is in us-west-2, with bucket "my-bucket".
const OPTIONS = { region: 'us-west-2', bucket: 'my-bucket' };

/** What the service would receive, parsed back: numbers compare by value (2 == 2.0), key order is ignored. */
function compiled(pipeline: Pipeline): PipelineDefinition {
  return JSON.parse(compile(pipeline, OPTIONS).json) as PipelineDefinition;
}

/** Steps that only exist to be named in DependsOn. */
function placeholders(...names: string[]): Step[] {
  return names.map((name) => new RawTrainingStep(name));
}

describeWithSharedReference('sdk-fixtures', 'SageMaker Python SDK parity (sdk-fixtures)', (fixtures) => {
  const fixture = (name: string): unknown => JSON.parse(readFileSync(join(fixtures, name), 'utf8'));
  it('01: the pipeline envelope with one String parameter', () => {
    const parameter = new ParameterString('MyStr');
    const pipeline = new Pipeline('MyPipeline', {
      parameters: [parameter],
      steps: [new RawTrainingStep('MyStep', { input_data: parameter })],
    });
    expect(compiled(pipeline)).toStrictEqual(fixture('01_pipeline_basic.json'));
  });

  it('02: every kind of Get reference, and no DependsOn for a data dependency', () => {
    const parameter = new ParameterString('MyStr');
    const step1 = new RawTrainingStep('MyStep1', {
      input_data: [
        parameter,
        ExecutionVariables.PIPELINE_EXECUTION_ID,
        PipelineExperimentConfigProperties.EXPERIMENT_NAME,
      ],
    });
    const step2 = new RawTrainingStep('MyStep2', { input_data: [step1.properties.ModelArtifacts.S3ModelArtifacts] });
    const pipeline = new Pipeline('MyPipeline', { parameters: [parameter], steps: [step1, step2] });
    expect(compiled(pipeline)).toStrictEqual(fixture('02_pipeline_two_step_references.json'));
  });

  it('03: PipelineExperimentConfig null, and Parameters [] when there are none', () => {
    const pipeline = new Pipeline('MyPipeline', {
      pipelineExperimentConfig: null,
      steps: [new RawTrainingStep('MyStep', { input_data: 'input' })],
    });
    expect(compiled(pipeline)).toStrictEqual(fixture('03_pipeline_experiment_config_disabled.json'));
  });

  it('04: every condition type, branches nested, a referenced step added at the top level', () => {
    const p1 = new ParameterInteger('MyInt1');
    const p2 = new ParameterInteger('MyInt2');
    const p3 = new ParameterString('MyStr');
    const start = ExecutionVariables.START_DATETIME;
    const step0 = new RawTrainingStep('MyStep0');
    const eq = new ConditionEquals(p1, p2);
    const gt = new ConditionGreaterThan(start, '2020-12-01');
    const gte = new ConditionGreaterThanOrEqualTo(start, p3);
    const lt = new ConditionLessThan(start, '2020-12-01');
    const lte = new ConditionLessThanOrEqualTo(start, p3);
    const inValues = new ConditionIn(p3, ['abc', 'def']);
    const inMixed = new ConditionIn(p3, ['abc', step0.properties.TrainingJobName, start]);
    const condition = new ConditionStep('MyConditionStep', {
      conditions: [
        eq,
        gt,
        gte,
        lt,
        lte,
        inValues,
        inMixed,
        new ConditionNot(eq),
        new ConditionNot(inValues),
        new ConditionOr([gt, inValues]),
      ],
      ifSteps: [new RawTrainingStep('MyStep1')],
      elseSteps: [new RawTrainingStep('MyStep2')],
    });
    const pipeline = new Pipeline('MyPipeline', { parameters: [p1, p2, p3], steps: [condition] });
    expect(compiled(pipeline)).toStrictEqual(fixture('04_condition_step_all_condition_types.json'));
  });

  it('05: a FailStep in ElseSteps whose message joins a JsonGet, a property and a parameter', () => {
    const parameterString = new ParameterString('MyString', { defaultValue: '1' });
    const parameterInteger = new ParameterInteger('MyInteger', { defaultValue: 3 });
    const propertyFile = new PropertyFile({ name: 'name', outputName: 'result', path: 'output' });
    // The fixture's CustomStep both declares a property file and has a TrainingJobName, which no real step
    // does: a processing step with raw arguments stands in, and TrainingJobName is written as a raw property.
    const step = new RawProcessingStep('MyStep', ['result'], [propertyFile]);
    const jsonGet = new JsonGet({ step: 'MyStep', propertyFile, jsonPath: 'my-json-path' });
    const trainingJobName = new StepProperty<string>(step, [{ kind: 'member', name: 'TrainingJobName' }], 'string');
    const fail = new FailStep('MyFailStep', {
      errorMessage: new Join({
        on: ' ',
        values: [
          'Execution failed due to condition check fails, see:',
          asString(jsonGet),
          asString(trainingJobName),
          parameterInteger,
        ],
      }),
    });
    const condition = new ConditionStep('MyCondStep', {
      conditions: [new ConditionGreaterThan(parameterString, asString(parameterInteger))],
      ifSteps: [],
      elseSteps: [fail],
    });
    const definition = compiled(
      new Pipeline('MyPipeline', { parameters: [parameterString, parameterInteger], steps: [step, condition] }),
    );
    expect(definition.Parameters).toStrictEqual([
      { Name: 'MyString', Type: 'String', DefaultValue: '1' },
      { Name: 'MyInteger', Type: 'Integer', DefaultValue: 3 },
    ]);
    expect(definition.Steps[1]).toStrictEqual(fixture('05_condition_else_fail_jsonget_join.json'));
  });

  it('07: a processing step with property files, cache config, DependsOn, display name and description', () => {
    const uri = new ParameterString('ProcessingInputDataUri', { defaultValue: 's3://my-bucket/processing_manifest' });
    const instanceType = new ParameterString('InstanceType', { defaultValue: 'ml.m4.4xlarge' });
    const instanceCount = new ParameterInteger('InstanceCount', { defaultValue: 1 });
    const step = new ProcessingStep('MyProcessingStep', {
      description: 'ProcessingStep description',
      displayName: 'MyProcessingStep',
      dependsOn: ['TestStep', 'SecondTestStep'],
      processor: new Processor({ imageUri: 'fakeimage', role: 'DummyRole', instanceCount, instanceType }),
      inputs: [{ source: uri, destination: 'processing_manifest' }],
      outputs: [],
      cacheConfig: { enableCaching: true, expireAfter: 'PT1H' },
      propertyFiles: [
        new PropertyFile({ name: 'EvaluationReport', outputName: 'evaluation', path: 'evaluation.json' }),
      ],
    });
    step.addDependsOn('ThirdTestStep');
    const result = compile(
      new Pipeline('MyPipeline', {
        parameters: [uri, instanceType, instanceCount],
        steps: [step, ...placeholders('TestStep', 'SecondTestStep', 'ThirdTestStep')],
      }),
      OPTIONS,
    );
    expect(JSON.parse(result.json).Steps[0]).toStrictEqual(fixture('07_processing_step_property_files_cache.json'));
    // The SDK accepts a property file on an output the step lacks; this SDK says so.
    expect(result.warnings).toEqual([
      expect.objectContaining({ where: 'MyProcessingStep', field: 'PropertyFiles[0].OutputName' }),
    ]);
  });

  it('08: a training step with parameterised resources, Join output path and Std:Join hyperparameters', () => {
    const instanceType = new ParameterString('InstanceType', { defaultValue: 'c4.4xlarge' });
    const instanceCount = new ParameterInteger('InstanceCount', { defaultValue: 1 });
    const data = new ParameterString('DataSourceS3Uri', { defaultValue: 's3://my-bucket/train_manifest' });
    const epochs = new ParameterInteger('TrainingEpochs', { defaultValue: 5 });
    const batchSize = new ParameterInteger('TrainingBatchSize', { defaultValue: 500 });
    const spot = new ParameterBoolean('UseSpotInstances', { defaultValue: false });
    const estimator = new Estimator({
      imageUri: 'fakeimage',
      role: 'DummyRole',
      instanceCount,
      instanceType,
      profilerConfig: { systemMonitorIntervalMillis: 500 },
      hyperparameters: { 'batch-size': batchSize, epochs },
      outputPath: new Join({ on: '/', values: ['s3:/', 'a', 'b'] }),
      useSpotInstances: spot,
    });
    const step = new TrainingStep('MyTrainingStep', {
      dependsOn: ['TestStep'],
      description: 'TrainingStep description',
      displayName: 'MyTrainingStep',
      estimator,
      inputs: { s3Data: data },
      cacheConfig: { enableCaching: true, expireAfter: 'PT1H' },
    });
    step.addDependsOn('AnotherTestStep');
    const definition = compiled(
      new Pipeline('MyPipeline', {
        parameters: [instanceType, instanceCount, data, epochs, batchSize, spot],
        steps: [step, ...placeholders('TestStep', 'AnotherTestStep')],
      }),
    );
    expect(definition.Steps[0]).toStrictEqual(fixture('08_training_step_parameters_join_cache.json'));
  });

  it('10: a RegisterModel step (named in full: this SDK does not append -RegisterModel)', () => {
    const step = new RegisterModel('RegisterModelStep-RegisterModel', {
      imageUri: '012345678901.dkr.ecr.us-west-2.amazonaws.com/my-custom-image-uri',
      modelData: 's3://my-bucket/model.tar.gz',
      contentTypes: ['content_type'],
      responseTypes: ['response_type'],
      inferenceInstances: ['inference_instance'],
      transformInstances: ['transform_instance'],
      modelPackageGroupName: 'mpg',
      modelMetrics: { modelStatistics: { s3Uri: 's3://my-bucket/metrics.csv', contentType: 'text/csv' } },
      driftCheckBaselines: {
        modelConstraints: { s3Uri: 's3://my-bucket/constraints_metrics.csv', contentType: 'text/csv' },
      },
      approvalStatus: 'Approved',
      description: 'description',
      displayName: 'RegisterModelStep',
      dependsOn: ['TestStep'],
      tags: [{ key: 'myKey', value: 'myValue' }],
      samplePayloadUrl: 's3://test-bucket/model',
      task: 'IMAGE_CLASSIFICATION',
    });
    const definition = compiled(new Pipeline('MyPipeline', { steps: [step, ...placeholders('TestStep')] }));
    expect([definition.Steps[0]]).toStrictEqual(fixture('10_register_model_step.json'));
  });

  it('11: a CreateModel step (Type "Model")', () => {
    const step = new CreateModelStep('MyCreateModelStep', {
      dependsOn: ['TestStep'],
      displayName: 'MyCreateModelStep',
      description: 'TestDescription',
      model: new Model({ imageUri: 'fakeimage', role: 'DummyRole' }),
    });
    step.addDependsOn('SecondTestStep');
    const definition = compiled(
      new Pipeline('MyPipeline', { steps: [step, ...placeholders('TestStep', 'SecondTestStep')] }),
    );
    expect(definition.Steps[0]).toStrictEqual(fixture('11_create_model_step.json'));
  });
});
