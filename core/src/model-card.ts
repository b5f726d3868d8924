/**
 * The model card of a registered version: SageMaker's model card content (the JSON document of the
 * ModelPackage's `ModelCard.ModelCardContent`), written from what the pipeline run knows — the version, its
 * model data and image, the training job, the evaluation report (`evaluation.json`) and the lineage (commit,
 * repository, workflow run, pipeline execution). A model package's card is SageMaker's simplified model card:
 * no `model_package_details`, and a `model_overview` of `model_creator` and `model_artifact` only (SageMaker
 * fills in the rest from the version itself). The facts of the schema are in model-card-schema.ts.
 */

/** ModelPackageModelCard.ModelCardStatus. */
export type ModelCardStatus = 'Draft' | 'PendingReview' | 'Approved' | 'Archived';
export const MODEL_CARD_STATUSES: readonly ModelCardStatus[] = ['Draft', 'PendingReview', 'Approved', 'Archived'];
/** The longest ModelCardContent SageMaker takes, in characters. */
export const MODEL_CARD_CONTENT_MAX_LENGTH = 100_000;

export type RiskRating = 'High' | 'Medium' | 'Low' | 'Unknown';

export interface SimpleMetric {
  readonly name: string;
  readonly type: 'number' | 'string' | 'boolean';
  readonly value: number | string | boolean;
  readonly notes?: string;
}

export interface MatrixMetric {
  readonly name: string;
  readonly type: 'matrix';
  readonly value: number[][];
  readonly x_axis_name?: string[];
  readonly y_axis_name?: string[];
  readonly notes?: string;
}

export type CardMetric = SimpleMetric | MatrixMetric;

export interface ModelCardContent {
  readonly model_overview?: {
    readonly model_creator?: string;
    readonly model_artifact?: string[];
  };
  readonly intended_uses?: {
    readonly purpose_of_model?: string;
    readonly intended_uses?: string;
    readonly factors_affecting_model_efficiency?: string;
    readonly risk_rating?: RiskRating;
    readonly explanations_for_risk_rating?: string;
  };
  readonly training_details?: {
    readonly training_observations?: string;
    readonly training_job_details?: {
      readonly training_arn?: string;
      readonly training_datasets?: string[];
      readonly training_environment?: { readonly container_image?: string[] };
      readonly training_metrics?: { readonly name: string; readonly value: number; readonly notes?: string }[];
      readonly hyper_parameters?: { readonly name: string; readonly value: string }[];
    };
  };
  readonly evaluation_details?: {
    readonly name: string;
    readonly evaluation_observation?: string;
    readonly evaluation_job_arn?: string;
    readonly datasets?: string[];
    readonly metadata?: Record<string, string>;
    readonly metric_groups?: { readonly name: string; readonly metric_data: CardMetric[] }[];
  }[];
  readonly additional_information?: {
    readonly ethical_considerations?: string;
    readonly caveats_and_recommendations?: string;
    readonly custom_details?: Record<string, string>;
  };
}

/** What a card is written from. Everything but the version is optional: a card says what is known. */
export interface ModelCardFacts {
  readonly modelPackageArn: string;
  readonly modelPackageGroupName: string;
  readonly version: number;
  /** Who made the model: the repository, else the project. */
  readonly creator: string;
  /** The model data (ModelDataUrl). */
  readonly modelArtifacts?: readonly string[];
  readonly training?: {
    readonly jobArn?: string;
    readonly image?: string;
    readonly datasets?: readonly string[];
    readonly hyperParameters?: Readonly<Record<string, string>>;
    /** The training job's final metrics (FinalMetricDataList). */
    readonly metrics?: readonly { readonly name: string; readonly value: number }[];
  };
  readonly evaluation?: {
    /** The evaluation step's name. */
    readonly stepName: string;
    readonly jobArn?: string;
    /** Where evaluation.json is. */
    readonly reportUri?: string;
    /** evaluation.json, as the evaluation step wrote it. */
    readonly document: unknown;
  };
  /** Commit, repository, workflow run, pipeline execution, pipeline version: the version's lineage. */
  readonly lineage?: Readonly<Record<string, string>>;
}

/** SageMaker's EntityName-like limits the schema sets on a few fields. */
const NAME_MAX = 63;
const METRIC_NAME_MAX = 255;
const HYPER_PARAMETER_MAX = 255;
const LIST_MAX = 15;

type JsonRecord = Record<string, unknown>;

function isRecord(value: unknown): value is JsonRecord {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function finite(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

/**
 * The metric groups of an evaluation report in SageMaker's model quality layout (`{problem_type: {metric:
 * {value, standard_deviation}}}`, e.g. `multiclass_classification_metrics.accuracy.value`): one group per
 * problem type; a scalar metric as a number, a per-class metric as one number per class, a confusion matrix
 * (`{actual: {predicted: count}}`) as a matrix. What is neither is left out.
 */
export function evaluationMetricGroups(document: unknown): { name: string; metric_data: CardMetric[] }[] {
  if (!isRecord(document)) return [];
  const groups: { name: string; metric_data: CardMetric[] }[] = [];
  for (const [groupName, metrics] of Object.entries(document)) {
    if (!isRecord(metrics)) continue;
    const data: CardMetric[] = [];
    for (const [metricName, metric] of Object.entries(metrics)) {
      if (!isRecord(metric)) continue;
      const scalar = finite(metric.value);
      if (scalar !== undefined) {
        const deviation = finite(metric.standard_deviation);
        data.push({
          name: metricName.slice(0, METRIC_NAME_MAX),
          type: 'number',
          value: scalar,
          ...(deviation !== undefined ? { notes: `standard deviation ${deviation}` } : {}),
        });
        continue;
      }
      const matrix = confusionMatrix(metric);
      if (matrix) {
        data.push({ name: metricName.slice(0, METRIC_NAME_MAX), type: 'matrix', ...matrix });
        continue;
      }
      for (const [label, perClass] of Object.entries(metric)) {
        const value = isRecord(perClass) ? finite(perClass.value) : undefined;
        if (value !== undefined)
          data.push({ name: `${metricName}.${label}`.slice(0, METRIC_NAME_MAX), type: 'number', value });
      }
    }
    if (data.length > 0) groups.push({ name: groupName.slice(0, NAME_MAX), metric_data: data });
  }
  return groups;
}

/** `{actual: {predicted: count}}` → rows of counts with the labels on both axes; undefined for anything else. */
function confusionMatrix(
  metric: JsonRecord,
): { value: number[][]; x_axis_name: string[]; y_axis_name: string[] } | undefined {
  const rows = Object.entries(metric);
  if (rows.length === 0 || !rows.every(([, row]) => isRecord(row))) return undefined;
  const labels = rows.map(([label]) => label);
  const value: number[][] = [];
  for (const [, row] of rows) {
    const counts = labels.map((label) => finite((row as JsonRecord)[label]));
    if (counts.some((count) => count === undefined)) return undefined;
    value.push(counts as number[]);
  }
  return {
    value,
    x_axis_name: labels.map((label) => `predicted ${label}`),
    y_axis_name: labels.map((label) => `actual ${label}`),
  };
}

/** The card of one version. */
export function buildModelCardContent(facts: ModelCardFacts): ModelCardContent {
  const name = `${facts.modelPackageGroupName} version ${facts.version}`;
  const training = facts.training;
  const hyperParameters = Object.entries(training?.hyperParameters ?? {})
    // SageMaker's own hyperparameters (sagemaker_program, …) say how the job ran, not how the model was trained.
    .filter(([key]) => !key.startsWith('sagemaker_'))
    .slice(0, 100)
    .map(([key, value]) => ({ name: key.slice(0, HYPER_PARAMETER_MAX), value: value.slice(0, HYPER_PARAMETER_MAX) }));
  const lineage = Object.fromEntries(
    Object.entries(facts.lineage ?? {})
      .filter(([, value]) => value !== '')
      .map(([key, value]) => [key, value.slice(0, 1024)]),
  );
  const metricGroups = facts.evaluation ? evaluationMetricGroups(facts.evaluation.document) : [];
  return {
    model_overview: {
      model_creator: facts.creator.slice(0, 100),
      ...(facts.modelArtifacts?.length ? { model_artifact: facts.modelArtifacts.slice(0, LIST_MAX).map(String) } : {}),
    },
    intended_uses: {
      purpose_of_model: `${name}, trained and evaluated by the project's SageMaker pipeline.`,
      intended_uses:
        'Served by the project endpoints only after a person approves the version in the Model Registry; each stage deploys exactly this version.',
      // The pipeline cannot judge the risk of a use: a person rates it when reviewing the card.
      risk_rating: 'Unknown',
      explanations_for_risk_rating: 'Not yet reviewed: set the rating when reviewing this card before approval.',
    },
    ...(training
      ? {
          training_details: {
            training_job_details: {
              ...(training.jobArn ? { training_arn: training.jobArn } : {}),
              ...(training.datasets?.length
                ? { training_datasets: training.datasets.slice(0, LIST_MAX).map(String) }
                : {}),
              ...(training.image ? { training_environment: { container_image: [training.image] } } : {}),
              ...(training.metrics?.length
                ? {
                    training_metrics: training.metrics
                      .filter((metric) => Number.isFinite(metric.value))
                      .slice(0, 50)
                      .map((metric) => ({ name: metric.name.slice(0, METRIC_NAME_MAX), value: metric.value })),
                  }
                : {}),
              ...(hyperParameters.length > 0 ? { hyper_parameters: hyperParameters } : {}),
            },
          },
        }
      : {}),
    ...(facts.evaluation
      ? {
          evaluation_details: [
            {
              name: facts.evaluation.stepName.slice(0, NAME_MAX),
              ...(facts.evaluation.jobArn ? { evaluation_job_arn: facts.evaluation.jobArn.slice(0, 256) } : {}),
              ...(facts.evaluation.reportUri
                ? { evaluation_observation: `Metrics read from ${facts.evaluation.reportUri}`.slice(0, 2096) }
                : {}),
              metric_groups: metricGroups,
            },
          ],
        }
      : {}),
    additional_information: {
      caveats_and_recommendations:
        'Written by Slipway when the pipeline registered the version (status Draft); review it before approving the version.',
      custom_details: { model_package_arn: facts.modelPackageArn, ...lineage },
    },
  };
}
