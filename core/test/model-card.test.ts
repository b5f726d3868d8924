import { describe, expect, it } from '@jest/globals';
import { Ajv } from 'ajv';
import {
  MODEL_PACKAGE_MODEL_CARD_SCHEMA,
  buildModelCardContent,
  evaluationMetricGroups,
  type ModelCardFacts,
} from '../src/index.js';

/** evaluation.json in the layout seed/evaluate.py writes (multiclass_classification_metrics). */
const EVALUATION = {
  multiclass_classification_metrics: {
    accuracy: { value: 0.84, standard_deviation: 'NaN' },
    weighted_f1: { value: 0.8391, standard_deviation: 'NaN' },
    precision_by_class: { negative: { value: 0.81 }, positive: { value: 0.87 } },
    confusion_matrix: { negative: { negative: 40, positive: 9 }, positive: { negative: 7, positive: 44 } },
  },
};

const FACTS: ModelCardFacts = {
  modelPackageArn: 'arn:aws:sagemaker:us-east-1:123456789012:model-package/sentiment-models/3',
  modelPackageGroupName: 'sentiment-models',
  version: 3,
  creator: 'octo-org/sentiment-reviews',
  modelArtifacts: ['s3://bucket/models/train-1/output/model.tar.gz'],
  training: {
    jobArn: 'arn:aws:sagemaker:us-east-1:123456789012:training-job/pipelines-abc-train',
    image: '683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-scikit-learn:1.2-1-cpu-py3',
    datasets: ['s3://bucket/data/train'],
    hyperParameters: { 'max-features': '5000', sagemaker_program: 'train.py' },
    metrics: [{ name: 'train:accuracy', value: 0.91 }],
  },
  evaluation: {
    stepName: 'Evaluate',
    jobArn: 'arn:aws:sagemaker:us-east-1:123456789012:processing-job/pipelines-abc-evaluate',
    reportUri: 's3://bucket/evaluation/evaluation.json',
    document: EVALUATION,
  },
  lineage: { SourceRevision: '0123456789abcdef0123456789abcdef01234567', PipelineExecutionArn: '' },
};

const validate = new Ajv({ allErrors: true, strict: true }).compile(MODEL_PACKAGE_MODEL_CARD_SCHEMA);
const problems = (content: unknown): string[] =>
  validate(content) ? [] : (validate.errors ?? []).map((error) => `${error.instancePath} ${error.message ?? ''}`);

describe("a version's model card", () => {
  it("is valid content of SageMaker's model package model card schema", () => {
    expect(problems(buildModelCardContent(FACTS))).toEqual([]);
    // With nothing known but the version, it is still a valid card.
    const { training: _training, evaluation: _evaluation, lineage: _lineage, ...bareFacts } = FACTS;
    const bare = buildModelCardContent(bareFacts);
    expect(problems(bare)).toEqual([]);
  });

  it('carries the evaluation metrics of evaluation.json, the training job and the lineage', () => {
    const card = buildModelCardContent(FACTS);
    expect(card.model_overview).toEqual({
      model_creator: 'octo-org/sentiment-reviews',
      model_artifact: ['s3://bucket/models/train-1/output/model.tar.gz'],
    });
    expect(card.intended_uses?.risk_rating).toBe('Unknown');
    const [evaluation] = card.evaluation_details ?? [];
    expect(evaluation?.evaluation_job_arn).toBe(FACTS.evaluation?.jobArn);
    expect(evaluation?.metric_groups).toEqual([
      {
        name: 'multiclass_classification_metrics',
        metric_data: [
          { name: 'accuracy', type: 'number', value: 0.84 },
          { name: 'weighted_f1', type: 'number', value: 0.8391 },
          { name: 'precision_by_class.negative', type: 'number', value: 0.81 },
          { name: 'precision_by_class.positive', type: 'number', value: 0.87 },
          {
            name: 'confusion_matrix',
            type: 'matrix',
            value: [
              [40, 9],
              [7, 44],
            ],
            x_axis_name: ['predicted negative', 'predicted positive'],
            y_axis_name: ['actual negative', 'actual positive'],
          },
        ],
      },
    ]);
    expect(card.training_details?.training_job_details).toMatchObject({
      training_arn: FACTS.training?.jobArn,
      training_datasets: ['s3://bucket/data/train'],
      // SageMaker's own hyperparameters say how the job ran, not how the model was trained.
      hyper_parameters: [{ name: 'max-features', value: '5000' }],
      training_metrics: [{ name: 'train:accuracy', value: 0.91 }],
    });
    expect(card.additional_information?.custom_details).toEqual({
      model_package_arn: FACTS.modelPackageArn,
      SourceRevision: '0123456789abcdef0123456789abcdef01234567',
    });
  });

  it('leaves out what is not a metric rather than writing an invalid card', () => {
    expect(evaluationMetricGroups({ notes: 'text', metrics: { a: { value: 'high' }, b: [1, 2] } })).toEqual([]);
    expect(evaluationMetricGroups('not json')).toEqual([]);
  });

  it('is checked by a schema that refuses what SageMaker refuses', () => {
    const card = buildModelCardContent(FACTS);
    expect(problems({ ...card, model_package_details: { model_package_arn: FACTS.modelPackageArn } })).toEqual([
      ' must NOT have additional properties',
    ]);
    expect(problems({ ...card, model_overview: { model_name: 'x' } })).toEqual([
      '/model_overview must NOT have additional properties',
    ]);
    expect(problems({ ...card, intended_uses: { risk_rating: 'Severe' } })).toEqual([
      '/intended_uses/risk_rating must be equal to one of the allowed values',
    ]);
    expect(problems({ evaluation_details: [{ metric_groups: [] }] })).toEqual([
      "/evaluation_details/0 must have required property 'name'",
    ]);
  });
});
