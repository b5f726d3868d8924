import { describe, expect, it } from '@jest/globals';
import { checkParameterValues, effectiveParameter, parseParameterLines } from '@slipway/build-pipeline';
import { ValidationError } from '@slipway/core';
import { GOLDEN } from './support.js';

function problems(action: () => unknown): string[] {
  try {
    action();
  } catch (error) {
    if (error instanceof ValidationError)
      return error.issues.map((issue) => `${issue.where} ${issue.field}: ${issue.problem}`);
    throw error;
  }
  throw new Error('expected a ValidationError');
}

describe('parseParameterLines', () => {
  it('reads NAME=VALUE lines, trimming, skipping blank lines and # comments, keeping = inside values', () => {
    const lines = parseParameterLines(
      '  MinAccuracy = 0.8 \n\n# a comment\r\nInputDataUrl=s3://b/k?x=1\n',
      'parameters',
    );
    expect(lines).toEqual([
      { name: 'MinAccuracy', value: '0.8', line: 1 },
      { name: 'InputDataUrl', value: 's3://b/k?x=1', line: 4 },
    ]);
  });

  it('reports every malformed line of a multiline input at once, by line number', () => {
    expect(problems(() => parseParameterLines('MinAccuracy 0.8\n=3\nOk=1\nbad name=2', 'parameters'))).toEqual([
      'parameters line 1: must be NAME=VALUE with a name of letters, digits, - and _, got "MinAccuracy 0.8"',
      'parameters line 2: must be NAME=VALUE with a name of letters, digits, - and _, got "=3"',
      'parameters line 4: must be NAME=VALUE with a name of letters, digits, - and _, got "bad name=2"',
    ]);
  });

  it('numbers repeated flags by occurrence and refuses a parameter set twice', () => {
    expect(problems(() => parseParameterLines(['NgramMax=1', 'NgramMax=2'], '--param'))).toEqual([
      '--param #2: sets NgramMax again (first set by #1)',
    ]);
  });

  it('refuses values over the 1024 characters StartPipelineExecution takes', () => {
    expect(problems(() => parseParameterLines(`InputDataUrl=${'x'.repeat(1025)}`, 'parameters'))).toEqual([
      'parameters InputDataUrl: must be at most 1024 characters, got 1025',
    ]);
  });
});

describe('checkParameterValues', () => {
  const check = (text: string) =>
    checkParameterValues(parseParameterLines(text, 'parameters'), GOLDEN.Parameters, 'parameters');

  it('passes values that fit the declared types and lower-cases nothing but booleans', () => {
    expect(check('MinAccuracy=0.75\nMaxFeatures=5000\nModelApprovalStatus=Approved\nRegularization=1e-2')).toEqual({
      MinAccuracy: '0.75',
      MaxFeatures: '5000',
      ModelApprovalStatus: 'Approved',
      Regularization: '1e-2',
    });
  });

  it('names the input, the parameter and the fix for unknown names, wrong types and values outside an enum', () => {
    const found = problems(() =>
      check('MinAcuracy=0.8\nMaxFeatures=5k\nMinAccuracy=high\nModelApprovalStatus=Maybe\nNgramMax=2.0'),
    );
    expect(found).toEqual([
      'parameters MinAcuracy: is not a parameter of the pipeline',
      'parameters MaxFeatures: must be a whole number, e.g. 3 (the parameter is Integer), got "5k"',
      'parameters MinAccuracy: must be a number, e.g. 0.75 (the parameter is Float), got "high"',
      'parameters ModelApprovalStatus: must be one of PendingManualApproval, Approved, Rejected, got "Maybe"',
      'parameters NgramMax: must be a whole number, e.g. 3 (the parameter is Integer), got "2.0"',
    ]);
  });

  it('lists the declared parameters as the fix for an unknown name', () => {
    expect.assertions(1);
    try {
      check('Nope=1');
    } catch (error) {
      expect((error as ValidationError).issues[0]!.fix).toMatch(
        /^use one of: InputDataUrl, ProcessingInstanceType, .*SourceRunUrl, SourcePipelineVersion$/,
      );
    }
  });

  it('checks booleans case-insensitively and sends them lower-cased', () => {
    const declared = [{ Name: 'Flag', Type: 'Boolean' as const }];
    expect(checkParameterValues([{ name: 'Flag', value: 'TRUE', line: 1 }], declared, 'p')).toEqual({ Flag: 'true' });
    expect(() => checkParameterValues([{ name: 'Flag', value: 'yes', line: 1 }], declared, 'p')).toThrow(
      /must be true or false/,
    );
  });
});

describe('effectiveParameter', () => {
  it('is the override when given, else the declared default', () => {
    expect(effectiveParameter(GOLDEN.Parameters, {}, 'MinAccuracy')).toBe('0.7');
    expect(effectiveParameter(GOLDEN.Parameters, { MinAccuracy: '0.9' }, 'MinAccuracy')).toBe('0.9');
    expect(effectiveParameter(GOLDEN.Parameters, {}, 'Missing')).toBeUndefined();
  });
});
