import { describe, expect, it } from '@jest/globals';
import { evaluationView, headlineMetrics } from '../src/api/evaluation.js';
import { executionSource, sourceView, versionSource } from '../src/api/source.js';
import { topicsOf } from '../src/backend/local-backend.js';

/** The seed's evaluate.py report, as SageMaker's model quality layout has it. */
const report = {
  multiclass_classification_metrics: {
    accuracy: { value: 0.85, standard_deviation: 'NaN' },
    weighted_f1: { value: 0.84, standard_deviation: 'NaN' },
    precision_by_class: { negative: { value: 0.8 }, positive: { value: 0.9 } },
    recall_by_class: { negative: { value: 0.7 }, positive: { value: 0.95 } },
    f1_by_class: { negative: { value: 0.75 }, positive: { value: 0.92 } },
    confusion_matrix: { negative: { negative: 7, positive: 3 }, positive: { negative: 1, positive: 19 } },
  },
};

describe('evaluation reports', () => {
  it('gives the headline metrics as columns', () => {
    expect(headlineMetrics(report)).toEqual({ accuracy: 0.85, weighted_f1: 0.84 });
    expect(headlineMetrics({ regression_metrics: { mse: { value: 2.5 } } })).toEqual({ mse: 2.5 });
    expect(headlineMetrics('not a report')).toEqual({});
  });

  it('gives per-class scores and the confusion matrix (rows: the true class)', () => {
    const view = evaluationView('s3://b/evaluation.json', report);
    expect(view.perClass).toEqual([
      { label: 'negative', precision: 0.8, recall: 0.7, f1: 0.75 },
      { label: 'positive', precision: 0.9, recall: 0.95, f1: 0.92 },
    ]);
    expect(view.confusion).toEqual({
      labels: ['negative', 'positive'],
      rows: [
        [7, 3],
        [1, 19],
      ],
    });
    expect(view.problem).toBeUndefined();
  });

  it('says so when a document has no metrics it knows', () => {
    expect(evaluationView('s3://b/x.json', { other: 1 }).problem).toMatch(/no multiclass_classification_metrics/);
  });
});

describe('source links', () => {
  it('links a commit of a GitHub repository', () => {
    expect(
      executionSource({
        SourceRevision: '0123456789abcdef0123456789abcdef01234567',
        SourceRepository: 'acme/reviews',
        SourceRunUrl: 'https://github.com/acme/reviews/actions/runs/7',
      }),
    ).toEqual({
      revision: '0123456789abcdef0123456789abcdef01234567',
      repository: 'acme/reviews',
      runUrl: 'https://github.com/acme/reviews/actions/runs/7',
      commitUrl: 'https://github.com/acme/reviews/commit/0123456789abcdef0123456789abcdef01234567',
    });
  });

  it('shows a local build without a link, and leaves unset values out', () => {
    expect(sourceView({ revision: 'abcdef1-dirty', repository: 'unknown', runUrl: 'unknown' })).toEqual({
      revision: 'abcdef1-dirty',
    });
    expect(executionSource({ SourceRevision: 'unknown' })).toBeUndefined();
    expect(sourceView({ revision: 'abcdef12', runUrl: 'javascript:alert(1)' })).toEqual({ revision: 'abcdef12' });
    expect(versionSource({ source_revision: 'abcdef12', source_repository: 'a/b' })?.commitUrl).toBe(
      'https://github.com/a/b/commit/abcdef12',
    );
  });
});

describe('live topics', () => {
  it('maps each store change to the views it makes stale', () => {
    const arn = 'arn:aws:sagemaker:us-east-1:000000000000:pipeline/p1/execution/abc';
    expect(topicsOf({ kind: 'execution', arn })).toEqual([
      { topic: 'execution', arn },
      { topic: 'pipelines' },
      { topic: 'pipeline', name: 'p1' },
    ]);
    expect(topicsOf({ kind: 'step', executionArn: arn, stepName: 'Train' })).toEqual([{ topic: 'execution', arn }]);
    expect(topicsOf({ kind: 'endpoint', name: 'e' })).toContainEqual({ topic: 'deployments' });
    expect(topicsOf({ kind: 'model-package', groupName: 'g' })).toEqual([{ topic: 'registry' }]);
    expect(topicsOf({ kind: 'job', name: 'j' })).toEqual([]);
  });
});
