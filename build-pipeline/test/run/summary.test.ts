import { describe, expect, it } from '@jest/globals';
import {
  executionDisplayName,
  executionRequestToken,
  pipelineGraph,
  renderMermaid,
  renderRunSummary,
  type RunPipelineResult,
  type StepRecord,
} from '@slipway/build-pipeline';
import { EXECUTION_ARN, GOLDEN, PACKAGE_ARN, PIPELINE_ARN } from './support.js';

const at = (seconds: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, seconds));
const step = (
  name: string,
  status: StepRecord['status'],
  start: number,
  end: number,
  extra: Partial<StepRecord> = {},
): StepRecord => ({
  name,
  status,
  startTime: at(start),
  endTime: at(end),
  ...extra,
});

const STEPS: StepRecord[] = [
  step('Preprocess', 'Succeeded', 0, 1, { cacheHitSource: `${EXECUTION_ARN}-old` }),
  step('Train', 'Succeeded', 1, 42),
  step('Evaluate', 'Succeeded', 42, 50),
  step('CheckAccuracy', 'Succeeded', 50, 50),
  step('RegisterModel', 'Succeeded', 50, 51, { metadata: { RegisterModel: { Arn: PACKAGE_ARN } } }),
  step('CreateModel', 'Failed', 50, 51, { failureReason: 'Could not access model data | denied' }),
];

function result(overrides: Partial<RunPipelineResult> = {}): RunPipelineResult {
  return {
    pipelineName: 'golden-pipeline',
    pipelineArn: PIPELINE_ARN,
    executionArn: EXECUTION_ARN,
    status: 'Succeeded',
    followed: true,
    timedOut: false,
    steps: STEPS,
    modelPackageArn: PACKAGE_ARN,
    modelApprovalStatus: 'PendingManualApproval',
    evaluation: [
      {
        stepName: 'Evaluate',
        propertyFile: 'EvaluationReport',
        s3Uri: 's3://b/evaluation.json',
        document: {
          multiclass_classification_metrics: {
            accuracy: { value: 0.856123, standard_deviation: 'NaN' },
            precision_by_class: { negative: { value: 0.81 }, positive: { value: 0.93 } },
            recall_by_class: { negative: { value: 0.87 }, positive: { value: 0.86 } },
            confusion_matrix: { negative: { negative: 203, positive: 16 }, positive: { negative: 35, positive: 440 } },
          },
        },
      },
    ],
    parameters: { SourceRevision: 'abc' },
    definition: GOLDEN,
    region: 'eu-west-1',
    startedAt: at(0),
    endedAt: at(51),
    ...overrides,
  };
}

describe('pipelineGraph', () => {
  it('draws the seed DAG in order, with the condition branches labelled and implied edges left out', () => {
    const graph = pipelineGraph(GOLDEN);
    expect(graph.nodes.map((node) => node.name)).toEqual([
      'Preprocess',
      'Train',
      'Evaluate',
      'ChecksumModel',
      'Baseline',
      'CheckAccuracy',
      'RegisterModel',
      'CreateModel',
      'AccuracyTooLow',
    ]);
    expect(graph.edges.map((edge) => `${edge.from}->${edge.to}${edge.label ? `:${edge.label}` : ''}`).sort()).toEqual([
      'Baseline->RegisterModel',
      'CheckAccuracy->AccuracyTooLow:else',
      'CheckAccuracy->CreateModel:if',
      'CheckAccuracy->RegisterModel:if',
      'ChecksumModel->RegisterModel',
      'Evaluate->CheckAccuracy',
      'Preprocess->Train',
      'Train->Baseline',
      'Train->ChecksumModel',
      'Train->Evaluate',
    ]);
  });
});

describe('renderMermaid', () => {
  it('colours each step by its status with one classDef per status, and marks untaken steps', () => {
    const chart = renderMermaid(GOLDEN, STEPS);
    expect(chart.split('\n')[0]).toBe('flowchart LR');
    expect(chart).toContain('s0["Preprocess<br/>cache hit · 1.0 s"]:::cached');
    expect(chart).toContain('s1["Train<br/>Succeeded · 41 s"]:::succeeded');
    expect(chart).toContain('s5{{"CheckAccuracy<br/>Succeeded · 0.0 s"}}:::succeeded');
    expect(chart).toContain('s7(["CreateModel<br/>Failed · 1.0 s"]):::failed');
    expect(chart).toContain('s8>"AccuracyTooLow<br/>Fail"]:::notrun');
    expect(chart).toContain('s5 -->|if true| s6');
    expect(chart).toContain('s5 -->|else| s8');
    for (const css of ['cached', 'succeeded', 'failed', 'notrun'])
      expect(chart).toMatch(new RegExp(`^  classDef ${css} fill:`, 'm'));
    expect(chart).not.toMatch(/classDef running/);
  });

  it('draws an execution that was not followed as pending steps', () => {
    expect(renderMermaid(GOLDEN, [], false)).toMatch(/s0\["Preprocess<br\/>Processing"\]:::pending/);
  });
});

describe('renderRunSummary', () => {
  it('has the headline, the diagram, a row per step, the metrics, the quality bar and how to approve on AWS', () => {
    const text = renderRunSummary(
      result({
        qualityBar: {
          given: 0.7,
          effective: 0.9,
          champion: { modelPackageArn: 'arn:champ', accuracy: 0.9, metricsUri: 's3://x' },
        },
      }),
    );
    expect(text).toMatch(
      /^## Pipeline `golden-pipeline`: ✅ Succeeded\n\nExecution `.*abc123def456` in 51 s in eu-west-1\n/,
    );
    expect(text).toContain('```mermaid\nflowchart LR\n');
    expect(text).toContain('| Preprocess | Processing | ♻️ Succeeded | 1.0 s | hit (from `abc123def456-old`) |  |');
    expect(text).toContain('| CreateModel | Model | ❌ Failed | 1.0 s | no | Could not access model data \\| denied |');
    expect(text).toContain('| AccuracyTooLow | Fail | ⚪ not run |  |  |  |');
    expect(text).toContain('| accuracy | 0.8561 | NaN |');
    expect(text).toContain('| Class | precision | recall |\n|---|---|---|\n| negative | 0.81 | 0.87 |');
    expect(text).toContain('| **positive** | 35 | 440 |');
    expect(text).toContain(
      '**Quality bar:** MinAccuracy 0.9 (configured 0.7; the newest approved version `arn:champ` scored 0.9)',
    );
    expect(text).toContain(`\`${PACKAGE_ARN}\` (version 3 of \`golden-models\`): **PendingManualApproval**`);
    expect(text).toContain('https://eu-west-1.console.aws.amazon.com/sagemaker/home?region=eu-west-1');
    expect(text).toContain(
      `aws sagemaker update-model-package --region eu-west-1 \\\n    --model-package-arn ${PACKAGE_ARN} \\`,
    );
    expect(text).toContain(`npx slipway registry approve ${PACKAGE_ARN}`);
  });

  it('points the AWS CLI at the local server and leaves the console out for a local run', () => {
    const text = renderRunSummary(result(), { endpoint: 'http://127.0.0.1:7700' });
    expect(text).toContain(
      'aws sagemaker update-model-package --endpoint-url http://127.0.0.1:7700 --region eu-west-1',
    );
    expect(text).not.toContain('console.aws.amazon.com');
  });

  it("puts a failed execution's reason under the headline and gives no approval steps", () => {
    const { modelPackageArn: _registered, ...failed } = result({
      status: 'Failed',
      failureReason: 'Step failure: Train failed',
    });
    const text = renderRunSummary(failed);
    expect(text).toMatch(
      /## Pipeline `golden-pipeline`: ❌ Failed\n\n.*\n\n> \*\*Failure reason:\*\* Step failure: Train failed/,
    );
    expect(text).not.toContain('Registered model package');
  });
});

describe('execution identity', () => {
  it('derives a 32–128 character token from pipeline, commit, run and attempt; none without a run id', () => {
    const source = { revision: 'abc', runId: '12345678901234567890', runAttempt: '3' };
    const token = executionRequestToken('p', source)!;
    expect(token.length).toBeGreaterThanOrEqual(32);
    expect(token.length).toBeLessThanOrEqual(128);
    expect(executionRequestToken('p', source)).toBe(token);
    expect(executionRequestToken('other', source)).not.toBe(token);
    expect(executionRequestToken('p', { ...source, revision: 'abd' })).not.toBe(token);
    expect(executionRequestToken('p', { revision: 'abc' })).toBeUndefined();
  });

  it('makes display names SageMaker accepts', () => {
    const name = executionDisplayName({ revision: 'f'.repeat(40), runId: '9'.repeat(20), runAttempt: '2' })!;
    expect(name).toMatch(/^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,81}$/);
    expect(executionDisplayName({ revision: 'abc-dirty' })).toBe('commit-abc-dirty');
    expect(executionDisplayName({})).toBeUndefined();
  });
});
