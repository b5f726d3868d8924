import type { Value } from '../dsl/pipeline-variable.js';
import type { Arguments, ArgumentValue } from '../steps/step.js';

/** A metrics document in S3, e.g. the evaluation report (`application/json`). */
export interface MetricsSource {
  readonly s3Uri: Value<string>;
  readonly contentType: Value<string>;
  readonly contentDigest?: Value<string>;
}

export interface FileSource {
  readonly s3Uri: Value<string>;
  readonly contentType?: Value<string>;
  readonly contentDigest?: Value<string>;
}

/** What the Model Registry shows for a version (CreateModelPackage `ModelMetrics`). */
export interface ModelMetrics {
  readonly modelStatistics?: MetricsSource;
  readonly modelConstraints?: MetricsSource;
  readonly modelDataStatistics?: MetricsSource;
  readonly modelDataConstraints?: MetricsSource;
  readonly bias?: MetricsSource;
  readonly biasPreTraining?: MetricsSource;
  readonly biasPostTraining?: MetricsSource;
  readonly explainability?: MetricsSource;
}

/** Baselines the next drift checks compare against (CreateModelPackage `DriftCheckBaselines`). */
export interface DriftCheckBaselines {
  readonly modelStatistics?: MetricsSource;
  readonly modelConstraints?: MetricsSource;
  readonly modelDataStatistics?: MetricsSource;
  readonly modelDataConstraints?: MetricsSource;
  readonly biasConfigFile?: FileSource;
  readonly biasPreTrainingConstraints?: MetricsSource;
  readonly biasPostTrainingConstraints?: MetricsSource;
  readonly explainabilityConstraints?: MetricsSource;
  readonly explainabilityConfigFile?: FileSource;
}

function source(value: MetricsSource | FileSource | undefined): ArgumentValue {
  return value && { ContentType: value.contentType, S3Uri: value.s3Uri, ContentDigest: value.contentDigest };
}

/** Keeps a section only when something is in it. */
function section(members: Arguments): Arguments | undefined {
  return Object.values(members).some((value) => value !== undefined) ? members : undefined;
}

/** As the Python SDK writes it: `Bias` and `Explainability` are always present, empty when unused. */
export function modelMetricsArgument(metrics: ModelMetrics): Arguments {
  return {
    ModelQuality: section({
      Statistics: source(metrics.modelStatistics),
      Constraints: source(metrics.modelConstraints),
    }),
    ModelDataQuality: section({
      Statistics: source(metrics.modelDataStatistics),
      Constraints: source(metrics.modelDataConstraints),
    }),
    Bias: {
      Report: source(metrics.bias),
      PreTrainingReport: source(metrics.biasPreTraining),
      PostTrainingReport: source(metrics.biasPostTraining),
    },
    Explainability: { Report: source(metrics.explainability) },
  };
}

export function driftCheckBaselinesArgument(baselines: DriftCheckBaselines): Arguments {
  return {
    ModelQuality: section({
      Statistics: source(baselines.modelStatistics),
      Constraints: source(baselines.modelConstraints),
    }),
    ModelDataQuality: section({
      Statistics: source(baselines.modelDataStatistics),
      Constraints: source(baselines.modelDataConstraints),
    }),
    Bias: section({
      ConfigFile: source(baselines.biasConfigFile),
      PreTrainingConstraints: source(baselines.biasPreTrainingConstraints),
      PostTrainingConstraints: source(baselines.biasPostTrainingConstraints),
    }),
    Explainability: section({
      Constraints: source(baselines.explainabilityConstraints),
      ConfigFile: source(baselines.explainabilityConfigFile),
    }),
  };
}
