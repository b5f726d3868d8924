import { describe, expect, it } from '@jest/globals';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ValidationError } from '@slipway/core';
import { readInputs } from '../src/inputs.js';

const REPO = join(import.meta.dirname, '..', '..', '..');
const ROLE = 'arn:aws:iam::123456789012:role/sagemaker-execution';
const reader = (values: Record<string, string>) => (name: string) => values[name] ?? '';

describe('readInputs', () => {
  it('takes the region, bucket and project from slipway.config.json when not given, and resolves the module', () => {
    const inputs = readInputs(reader({ role: ROLE }), REPO, {});
    expect(inputs).toMatchObject({
      pipelineModule: join(REPO, 'build-pipeline', 'pipeline.ts'),
      roleArn: ROLE,
      region: inputs.config.region,
      artifactBucket: inputs.config.artifactBucket,
      projectName: inputs.config.projectName,
      projectId: inputs.config.projectId,
      wait: true,
      compareWithApproved: false,
      timeoutMinutes: 120,
      parameters: '',
    });
    expect(inputs.endpointUrl).toBeUndefined();
  });

  it("tags with the config's Studio project (sagemakerProject) when it has one", () => {
    const dir = mkdtempSync(join(tmpdir(), 'slipway-inputs-'));
    const config = JSON.parse(readFileSync(join(REPO, 'slipway.config.json'), 'utf8')) as Record<string, unknown>;
    const studio = { projectName: 'reviews-studio', projectId: 'p-studio000042' };
    writeFileSync(
      join(dir, 'slipway.config.json'),
      JSON.stringify({ ...config, $schema: undefined, sagemakerProject: studio }),
    );
    const inputs = readInputs(reader({ role: ROLE }), REPO, { SLIPWAY_CONFIG: join(dir, 'slipway.config.json') });
    expect(inputs).toMatchObject({ projectName: 'reviews-studio', projectId: 'p-studio000042' });
  });

  it('reads every input as given', () => {
    const inputs = readInputs(
      reader({
        role: ROLE,
        region: 'eu-west-1',
        'artifact-bucket': 'my-bucket',
        'pipeline-module': 'other/pipeline.ts',
        parameters: 'MinAccuracy=0.8',
        wait: 'False',
        'timeout-minutes': '30',
        'compare-with-approved': 'true',
        'project-name': 'other',
        'project-id': 'p-abcdefghijkl',
        'endpoint-url': 'http://127.0.0.1:7700',
      }),
      REPO,
      {},
    );
    expect(inputs).toMatchObject({
      pipelineModule: join(REPO, 'other', 'pipeline.ts'),
      region: 'eu-west-1',
      artifactBucket: 'my-bucket',
      parameters: 'MinAccuracy=0.8',
      wait: false,
      timeoutMinutes: 30,
      compareWithApproved: true,
      projectName: 'other',
      projectId: 'p-abcdefghijkl',
      endpointUrl: 'http://127.0.0.1:7700',
    });
  });

  it('reports every bad input at once, each by its name, with a fix', () => {
    let error: unknown;
    try {
      readInputs(
        reader({
          region: 'mars-north-1a',
          'artifact-bucket': 'Not_A_Bucket',
          wait: 'yes',
          'timeout-minutes': 'soon',
          'compare-with-approved': '1',
          'endpoint-url': 'localhost:7700',
        }),
        REPO,
        {},
      );
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ValidationError);
    const issues = (error as ValidationError).issues;
    expect(issues.map((issue) => issue.where)).toEqual([
      'input role',
      'input region',
      'input artifact-bucket',
      'input timeout-minutes',
      'input endpoint-url',
      'input wait',
      'input compare-with-approved',
    ]);
    expect(issues[0]).toMatchObject({
      problem: 'is required and was not given',
      fix: expect.stringMatching(/SageMaker execution role/),
    });
    expect(issues[5]!.problem).toBe('must be true or false, got "yes"');
    for (const issue of issues) expect(issue.fix).toBeTruthy();
  });

  it('starts by default, and with start: false refuses what only a started execution uses', () => {
    const role = 'arn:aws:iam::123456789012:role/exec';
    expect(readInputs(reader({ role }), REPO, {}).start).toBe(true);
    expect(readInputs(reader({ role, start: 'false' }), REPO, {}).start).toBe(false);
    let error: unknown;
    try {
      readInputs(
        reader({ role, start: 'false', parameters: 'MinAccuracy=0.9', 'compare-with-approved': 'true' }),
        REPO,
        {},
      );
    } catch (caught) {
      error = caught;
    }
    expect((error as ValidationError).issues.map((issue) => [issue.where, issue.problem])).toEqual([
      ['input parameters', 'has no effect with start: false (nothing is started)'],
      ['input compare-with-approved', 'has no effect with start: false (it sets a parameter of the execution)'],
    ]);
  });

  it('refuses a role that is not an IAM role ARN', () => {
    expect(() => readInputs(reader({ role: 'arn:aws:iam::123:user/me' }), REPO, {})).toThrow(
      /^input role must use an IAM role ARN/,
    );
  });

  it('takes the training role when given, and refuses one that is not an IAM role ARN', () => {
    const training = 'arn:aws:iam::123456789012:role/slipway-sentiment-sagemaker-training';
    expect(readInputs(reader({ role: ROLE, 'training-role': training }), REPO, {}).trainingRoleArn).toBe(training);
    expect(readInputs(reader({ role: ROLE }), REPO, {})).not.toHaveProperty('trainingRoleArn');
    expect(() => readInputs(reader({ role: ROLE, 'training-role': 'training' }), REPO, {})).toThrow(
      /^input training-role must be at least 20 characters, got 8: pass .*SLIPWAY_TRAINING_ROLE_ARN/,
    );
  });
});
