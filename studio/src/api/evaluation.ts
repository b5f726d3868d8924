import type { EvaluationView } from '../views.js';

/**
 * SageMaker's model quality report layout (`multiclass_classification_metrics`, `binary_classification_metrics`,
 * `regression_metrics`): each metric is `{value, standard_deviation}`, per-class scores are
 * `<metric>_by_class: {label: {value}}` and the confusion matrix is `{actual: {predicted: count}}`.
 */
const SECTIONS = ['multiclass_classification_metrics', 'binary_classification_metrics', 'regression_metrics'];

function record(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}

function numberOf(value: unknown): number | undefined {
  const inner = record(value)?.['value'] ?? value;
  return typeof inner === 'number' && Number.isFinite(inner) ? inner : undefined;
}

function sections(document: unknown): Record<string, unknown>[] {
  const root = record(document);
  if (!root) return [];
  return SECTIONS.map((name) => record(root[name])).filter((section): section is Record<string, unknown> =>
    Boolean(section),
  );
}

/** The single-number metrics of a report (accuracy, weighted_f1, …), for table columns and comparisons. */
export function headlineMetrics(document: unknown): Record<string, number> {
  const metrics: Record<string, number> = {};
  for (const section of sections(document)) {
    for (const [name, value] of Object.entries(section)) {
      const number = numberOf(value);
      if (number !== undefined && record(value)?.['value'] !== undefined) metrics[name] = number;
    }
  }
  return metrics;
}

/** A report in full, for a version's page: headline metrics, per-class scores and the confusion matrix. */
export function evaluationView(uri: string, document: unknown): EvaluationView {
  const metrics = headlineMetrics(document);
  const section = sections(document)[0] ?? {};
  const byClass = (name: string) => record(section[`${name}_by_class`]) ?? {};
  const [precision, recall, f1] = [byClass('precision'), byClass('recall'), byClass('f1')];
  const labels = [...new Set([...Object.keys(precision), ...Object.keys(recall), ...Object.keys(f1)])];
  const matrix = record(section['confusion_matrix']);
  const matrixLabels = matrix ? [...new Set([...Object.keys(matrix), ...labels])] : [];
  return {
    uri,
    metrics,
    perClass: labels.map((label) => {
      const [labelPrecision, labelRecall, labelF1] = [precision, recall, f1].map((scores) => numberOf(scores[label]));
      return {
        label,
        ...(labelPrecision !== undefined ? { precision: labelPrecision } : {}),
        ...(labelRecall !== undefined ? { recall: labelRecall } : {}),
        ...(labelF1 !== undefined ? { f1: labelF1 } : {}),
      };
    }),
    ...(matrix
      ? {
          confusion: {
            labels: matrixLabels,
            rows: matrixLabels.map((actual) =>
              matrixLabels.map((predicted) => numberOf(record(matrix[actual])?.[predicted]) ?? 0),
            ),
          },
        }
      : {}),
    ...(Object.keys(metrics).length === 0
      ? { problem: `no ${SECTIONS.join(', ')} section with {value} metrics was found in the report` }
      : {}),
  };
}
