import { describe, expect, it } from '@jest/globals';
import { ExpressionError, resolveExpressions, s3JsonGetUris, type ExpressionScope } from '../src/engine/expressions.js';
import { parsePropertyPath, walkPath } from '../src/engine/property-path.js';

const processingProperties = {
  ProcessingJobName: 'pipelines-abc-Prep-x',
  ProcessingOutputConfig: {
    Outputs: [
      { OutputName: 'train', S3Output: { S3Uri: 's3://b/train' } },
      { OutputName: 'test', S3Output: { S3Uri: 's3://b/test' } },
    ],
  },
};
const trainingProperties = {
  ModelArtifacts: { S3ModelArtifacts: 's3://b/model.tar.gz' },
  FinalMetricDataList: [{ MetricName: 'val:acc', Value: 0.9 }],
};

function scope(overrides: Partial<ExpressionScope> = {}): ExpressionScope {
  const views: Record<string, { properties: unknown; propertyFiles: Record<string, unknown> }> = {
    Prep: {
      properties: processingProperties,
      propertyFiles: { Report: { metrics: { acc: { value: 0.87 } }, list: [5, 6] } },
    },
    Train: { properties: trainingProperties, propertyFiles: {} },
  };
  return {
    parameters: { Threshold: 0.8, Epochs: 3, Flag: true, Name: 'x' },
    execution: { PipelineName: 'p', PipelineExecutionId: 'abc123', StartDateTime: '2026-01-01T00:00:00.000Z' },
    experiment: { ExperimentName: 'p', TrialName: 'abc123' },
    step: (name) => views[name],
    now: () => new Date('2026-02-02T00:00:00.000Z'),
    ...overrides,
  };
}

describe('property paths', () => {
  it('parses dotted and bracketed paths, quoted keys with dots or colons, and indexes', () => {
    expect(parsePropertyPath("ProcessingOutputConfig.Outputs['train'].S3Output.S3Uri")).toEqual([
      { key: 'ProcessingOutputConfig' },
      { key: 'Outputs' },
      { key: 'train' },
      { key: 'S3Output' },
      { key: 'S3Uri' },
    ]);
    expect(parsePropertyPath("FinalMetricDataList['val:acc'].Value")).toEqual([
      { key: 'FinalMetricDataList' },
      { key: 'val:acc' },
      { key: 'Value' },
    ]);
    expect(parsePropertyPath('$.a[0].b')).toEqual([{ key: 'a' }, { index: 0 }, { key: 'b' }]);
    expect(parsePropertyPath('a..b')).toBeUndefined();
    expect(parsePropertyPath('')).toBeUndefined();
  });

  it('walks lists by the name member of their items (Outputs by OutputName, metrics by MetricName)', () => {
    expect(
      walkPath(processingProperties, parsePropertyPath("ProcessingOutputConfig.Outputs['test'].S3Output.S3Uri")!),
    ).toBe('s3://b/test');
    expect(walkPath(processingProperties, parsePropertyPath('ProcessingOutputConfig.Outputs[0].OutputName')!)).toBe(
      'train',
    );
    expect(walkPath(trainingProperties, parsePropertyPath("FinalMetricDataList['val:acc'].Value")!)).toBe(0.9);
    expect(walkPath(trainingProperties, parsePropertyPath('ModelArtifacts.Nope')!)).toBeUndefined();
  });
});

describe('resolveExpressions', () => {
  it('resolves Get on parameters, execution variables, experiment config and step properties, at any depth', () => {
    const resolved = resolveExpressions(
      {
        a: { Get: 'Parameters.Threshold' },
        b: [{ Get: 'Execution.PipelineExecutionId' }, { Get: 'PipelineExperimentConfig.ExperimentName' }],
        c: { nested: { Get: "Steps.Prep.ProcessingOutputConfig.Outputs['train'].S3Output.S3Uri" } },
        d: { Get: 'Execution.CurrentDateTime' },
        e: 'plain',
      },
      scope(),
    );
    expect(resolved).toEqual({
      a: 0.8,
      b: ['abc123', 'p'],
      c: { nested: 's3://b/train' },
      d: '2026-02-02T00:00:00.000Z',
      e: 'plain',
    });
  });

  it('joins values as text (numbers shortest, booleans true/false) and nests joins', () => {
    expect(
      resolveExpressions(
        {
          'Std:Join': {
            On: '/',
            Values: [
              's3:/',
              'b',
              { Get: 'Parameters.Epochs' },
              { Get: 'Parameters.Flag' },
              { 'Std:Join': { Values: ['x', 1.5] } },
            ],
          },
        },
        scope(),
      ),
    ).toBe('s3://b/3/true/x1.5');
    expect(resolveExpressions({ 'Std:Join': { Values: [] } }, scope())).toBe('');
  });

  it('reads property files and prefetched S3 documents with Std:JsonGet', () => {
    expect(
      resolveExpressions(
        { 'Std:JsonGet': { PropertyFile: { Get: 'Steps.Prep.PropertyFiles.Report' }, Path: 'metrics.acc.value' } },
        scope(),
      ),
    ).toBe(0.87);
    expect(
      resolveExpressions(
        { 'Std:JsonGet': { PropertyFile: { Get: 'Steps.Prep.PropertyFiles.Report' }, Path: 'list[1]' } },
        scope(),
      ),
    ).toBe(6);
    const get = {
      'Std:JsonGet': { S3Uri: { 'Std:Join': { On: '/', Values: ['s3://b', { Get: 'Parameters.Name' }] } }, Path: 'k' },
    };
    expect([...s3JsonGetUris({ deep: [get] }, scope())]).toEqual(['s3://b/x']);
    expect(resolveExpressions(get, scope({ s3Documents: new Map([['s3://b/x', { k: 'v' }]]) }))).toBe('v');
  });

  it('says which expression is undefined and why', () => {
    const fails = (expression: unknown, pattern: RegExp) => {
      expect(() => resolveExpressions(expression, scope())).toThrow(ExpressionError);
      expect(() => resolveExpressions(expression, scope())).toThrow(pattern);
    };
    fails({ Get: 'Steps.Ghost.X' }, /\{"Get":"Steps.Ghost.X"\} is undefined: step Ghost has not run/);
    fails({ Get: 'Steps.Train.ModelArtifacts.Nope' }, /step Train has no property ModelArtifacts.Nope/);
    fails({ Get: 'Execution.TrainingJobName' }, /execution variable TrainingJobName has no value in this step/);
    fails(
      { 'Std:JsonGet': { PropertyFile: { Get: 'Steps.Prep.PropertyFiles.Report' }, Path: 'metrics.f1' } },
      /property file Report of step Prep has nothing at metrics.f1/,
    );
    fails(
      { 'Std:JsonGet': { PropertyFile: { Get: 'Steps.Prep.PropertyFiles.Other' }, Path: 'x' } },
      /produced no property file Other/,
    );
    fails({ 'Std:JsonGet': { S3Uri: 's3://b/y', Path: 'k' } }, /the JSON document s3:\/\/b\/y was not loaded/);
    fails({ 'Std:Join': { On: 1, Values: [] } }, /"On" must be a string/);
  });

  it('leaves objects that merely contain a Get key among others untouched', () => {
    expect(resolveExpressions({ Get: 'Parameters.Name', Other: 1 }, scope())).toEqual({
      Get: 'Parameters.Name',
      Other: 1,
    });
  });
});
