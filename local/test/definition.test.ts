import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { ValidationError } from '@slipway/core';
import { parseDefinition } from '../src/engine/definition/index.js';

import { describeWithSharedReference } from '../../test/support/reference-data.js';

const wrap = (steps: unknown[], parameters: unknown[] = []) =>
  JSON.stringify({ Version: '2020-12-01', Metadata: {}, Parameters: parameters, Steps: steps });

function problems(text: string): string {
  try {
    parseDefinition(text);
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationError);
    return (error as Error).message;
  }
  throw new Error('expected the definition to be rejected');
}

describeWithSharedReference('sdk-fixtures', 'parseDefinition on the SageMaker SDK fixtures', (fixtures) => {
  const fixture = (name: string): unknown => JSON.parse(readFileSync(join(fixtures, name), 'utf8'));

  it('accepts whole-pipeline fixtures and infers data dependencies', () => {
    for (const name of [
      '01_pipeline_basic.json',
      '02_pipeline_two_step_references.json',
      '03_pipeline_experiment_config_disabled.json',
    ]) {
      expect(() => parseDefinition(JSON.stringify(fixture(name)))).not.toThrow();
    }
    const two = parseDefinition(JSON.stringify(fixture('02_pipeline_two_step_references.json')));
    expect(two.steps.map((s) => [s.name, s.upstream])).toEqual([
      ['MyStep1', []],
      ['MyStep2', ['MyStep1']],
    ]);
    expect(
      parseDefinition(JSON.stringify(fixture('03_pipeline_experiment_config_disabled.json'))).experimentConfig,
    ).toBeNull();
  });

  it('flattens condition branches, orders the implicitly included step first, and records branch outcomes', () => {
    const parsed = parseDefinition(JSON.stringify(fixture('04_condition_step_all_condition_types.json')));
    expect(parsed.steps.map((s) => s.name)).toEqual(['MyStep0', 'MyConditionStep', 'MyStep1', 'MyStep2']);
    const byName = Object.fromEntries(parsed.steps.map((s) => [s.name, s]));
    expect(byName['MyConditionStep']!.upstream).toEqual(['MyStep0']);
    expect(byName['MyStep1']!.branch).toEqual({ condition: 'MyConditionStep', outcome: true });
    expect(byName['MyStep2']!.branch).toEqual({ condition: 'MyConditionStep', outcome: false });
  });

  it('accepts step fixtures placed in a pipeline with their parameters and upstream steps', () => {
    const stub = (name: string) => ({ Name: name, Type: 'Training', Arguments: {} });
    const processing = fixture('07_processing_step_property_files_cache.json') as Record<string, unknown>;
    (processing['Arguments'] as Record<string, unknown>)['ProcessingOutputConfig'] = {
      Outputs: [{ OutputName: 'evaluation', S3Output: { S3Uri: 's3://b/e', LocalPath: '/opt/ml/processing/e' } }],
    };
    const parsed = parseDefinition(
      wrap(
        [stub('TestStep'), stub('SecondTestStep'), stub('ThirdTestStep'), processing],
        [
          { Name: 'ProcessingInputDataUri', Type: 'String' },
          { Name: 'InstanceCount', Type: 'Integer', DefaultValue: 1 },
          { Name: 'InstanceType', Type: 'String', DefaultValue: 'ml.m5.large' },
        ],
      ),
    );
    const step = parsed.steps.find((s) => s.name === 'MyProcessingStep')!;
    expect(step.cacheConfig).toEqual({ enabled: true, expireAfterMs: 3_600_000 });
    expect(step.propertyFiles).toEqual([
      { name: 'EvaluationReport', outputName: 'evaluation', filePath: 'evaluation.json' },
    ]);
    expect(step.displayName).toBe('MyProcessingStep');

    const training = fixture('08_training_step_parameters_join_cache.json');
    expect(() =>
      parseDefinition(
        wrap(
          [stub('TestStep'), stub('AnotherTestStep'), training],
          [
            'UseSpotInstances:Boolean',
            'TrainingBatchSize:Integer',
            'TrainingEpochs:Integer',
            'DataSourceS3Uri:String',
            'InstanceCount:Integer',
            'InstanceType:String',
          ].map((spec) => ({ Name: spec.split(':')[0], Type: spec.split(':')[1] })),
        ),
      ),
    ).not.toThrow();
    const register = fixture('10_register_model_step.json') as unknown[];
    expect(() => parseDefinition(wrap([stub('TestStep'), ...register]))).not.toThrow();
    const model = fixture('11_create_model_step.json');
    expect(() => parseDefinition(wrap([stub('TestStep'), stub('SecondTestStep'), model]))).not.toThrow();
  });
});

describe('parseDefinition refuses bad definitions, naming the field', () => {
  const step = (name: string, extra: Record<string, unknown> = {}) => ({
    Name: name,
    Type: 'Training',
    Arguments: {},
    ...extra,
  });

  it('malformed JSON and structure', () => {
    expect(problems('{"Version": ')).toMatch(/^PipelineDefinition is not valid JSON/);
    expect(problems('[]')).toMatch(/must be a JSON object/);
    expect(problems(JSON.stringify({ Version: '2020-12-01', Steps: [] }))).toMatch(/Steps must be a non-empty list/);
    expect(problems(JSON.stringify({ Version: '2019', Steps: [step('A')] }))).toMatch(
      /Version must be "2020-12-01", got "2019"/,
    );
    expect(problems(wrap([{ Name: 'A', Type: 'Teleport' }]))).toMatch(/Steps\[0\]\.Type must be a SageMaker step type/);
  });

  it('names, duplicates (branch steps included) and missing references', () => {
    expect(problems(wrap([step('bad name')]))).toMatch(
      /Steps\[0\]\.Name must use letters, digits, hyphens and underscores/,
    );
    expect(
      problems(
        wrap([
          step('A'),
          {
            Name: 'C',
            Type: 'Condition',
            Arguments: {
              Conditions: [{ Type: 'Equals', LeftValue: 1, RightValue: 1 }],
              IfSteps: [step('A')],
              ElseSteps: [],
            },
          },
        ]),
      ),
    ).toMatch(/repeats the step name "A"/);
    expect(problems(wrap([step('A', { DependsOn: ['Ghost'] })]))).toMatch(
      /DependsOn\[0\] names a step that does not exist: "Ghost"/,
    );
    expect(
      problems(wrap([step('A', { Arguments: { x: { Get: 'Steps.Ghost.ModelArtifacts.S3ModelArtifacts' } } })])),
    ).toMatch(/refers to a step that does not exist: \{"Get": "Steps.Ghost/);
    expect(problems(wrap([step('A', { Arguments: { x: { Get: 'Parameters.Nope' } } })]))).toMatch(
      /parameter that is not declared/,
    );
    expect(problems(wrap([step('A', { Arguments: { x: { Get: 'Execution.Tomorrow' } } })]))).toMatch(
      /unknown execution variable/,
    );
    expect(problems(wrap([step('A', { Arguments: { x: { Get: 'Whatever.X' } } })]))).toMatch(/unknown reference/);
  });

  it('cycles, property files, parameters, retry and cache settings, conditions', () => {
    expect(problems(wrap([step('A', { DependsOn: ['B'] }), step('B', { DependsOn: ['A'] })]))).toMatch(
      /form a dependency cycle: A, B/,
    );
    expect(
      problems(
        wrap([
          step('A'),
          step('B', {
            Arguments: { v: { 'Std:JsonGet': { PropertyFile: { Get: 'Steps.A.PropertyFiles.R' }, Path: 'x' } } },
          }),
        ]),
      ),
    ).toMatch(/reads property file R from step A, which is a Training step/);
    expect(problems(wrap([step('A')], [{ Name: 'P', Type: 'Integer', DefaultValue: 'x' }]))).toMatch(
      /Parameters\[0\]\.DefaultValue must be an Integer value, got "x"/,
    );
    expect(problems(wrap([step('A')], [{ Name: 'P', Type: 'Decimal' }]))).toMatch(
      /Type must be one of String, Integer, Float, Boolean/,
    );
    expect(problems(wrap([step('A', { RetryPolicies: [{ ExceptionType: ['Oops'] }] })]))).toMatch(
      /ExceptionType must list exception types/,
    );
    expect(
      problems(wrap([step('A', { RetryPolicies: [{ ExceptionType: ['Step.THROTTLING'], MaxAttempts: 99 }] })])),
    ).toMatch(/MaxAttempts must be an integer from 1 to 20/);
    expect(problems(wrap([step('A', { CacheConfig: { Enabled: true, ExpireAfter: 'soon' } })]))).toMatch(
      /ExpireAfter must be an ISO-8601 duration/,
    );
    expect(problems(wrap([{ Name: 'F', Type: 'Fail', Arguments: {}, CacheConfig: { Enabled: true } }]))).toMatch(
      /CacheConfig is not supported on Fail steps: remove it \(SageMaker caches Processing, Training, Transform, Tuning/,
    );
    expect(
      problems(
        wrap([
          {
            Name: 'C',
            Type: 'Condition',
            Arguments: { Conditions: [{ Type: 'Equals', LeftValue: 1, RightValue: 1 }] },
            RetryPolicies: [],
          },
        ]),
      ),
    ).toMatch(
      /RetryPolicies are not supported on Condition steps: remove them \(SageMaker retries Model, Processing, RegisterModel/,
    );
    expect(problems(wrap([{ Name: 'C', Type: 'Condition', Arguments: { Conditions: [{ Type: 'Maybe' }] } }]))).toMatch(
      /Conditions\[0\]\.Type must be one of/,
    );
    expect(
      problems(wrap([{ Name: 'C', Type: 'Condition', Arguments: { Conditions: [{ Type: 'Equals', LeftValue: 1 }] } }])),
    ).toMatch(/RightValue is required for Equals/);
  });
});
