/**
 * SageMaker's model package model card schema (the documented JSON schema of `ModelCardContent` on
 * CreateModelPackage/UpdateModelPackage), as a JSON Schema (draft-07) written for Slipway from the facts of
 * SageMaker's documentation: the sections, their fields, types, enums and length limits. It covers the sections
 * Slipway writes (model_overview, intended_uses, training_details, evaluation_details, additional_information)
 * and business_details; a model package's card has no model_package_details, and its model_overview only
 * model_creator and model_artifact. Unknown fields are refused, as SageMaker refuses them.
 */

const text = (maxLength: number) => ({ type: 'string', maxLength }) as const;
const texts = (maxLength: number, maxItems: number) => ({ type: 'array', items: text(maxLength), maxItems }) as const;

/** One entry of a metric group's metric_data: its types, the shape of its value, and of its axis names. */
const metric = (types: readonly string[], value: object, axisName: object) =>
  ({
    type: 'object',
    additionalProperties: false,
    required: ['name', 'type', 'value'],
    properties: {
      name: { type: 'string', minLength: 1, maxLength: 255 },
      notes: text(1024),
      type: { type: 'string', enum: types },
      value,
      x_axis_name: axisName,
      y_axis_name: axisName,
    },
  }) as const;

const simpleMetric = metric(
  ['number', 'string', 'boolean'],
  { anyOf: [{ type: 'number' }, { type: 'string' }, { type: 'boolean' }] },
  { type: 'string' },
);
const matrixMetric = metric(
  ['matrix'],
  {
    type: 'array',
    minItems: 1,
    maxItems: 20,
    items: { type: 'array', minItems: 1, maxItems: 20, items: { type: 'number' } },
  },
  { type: 'array', items: { type: 'string' } },
);
const graphMetric = (type: 'linear_graph' | 'bar_chart') =>
  metric([type], { type: 'array', minItems: 1 }, { type: 'string' });

const trainingMetric = {
  type: 'object',
  additionalProperties: false,
  required: ['name', 'value'],
  properties: { name: { type: 'string', minLength: 1, maxLength: 255 }, notes: text(1024), value: { type: 'number' } },
} as const;

const hyperParameter = {
  type: 'object',
  additionalProperties: false,
  required: ['name', 'value'],
  properties: { name: { type: 'string', minLength: 1, maxLength: 255 }, value: text(255) },
} as const;

export const MODEL_PACKAGE_MODEL_CARD_SCHEMA = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  title: 'SageMaker model package model card content (the facts Slipway relies on)',
  type: 'object',
  additionalProperties: false,
  properties: {
    model_overview: {
      type: 'object',
      additionalProperties: false,
      properties: { model_creator: text(100), model_artifact: texts(1024, 15) },
    },
    intended_uses: {
      type: 'object',
      additionalProperties: false,
      properties: {
        purpose_of_model: text(2048),
        intended_uses: text(2048),
        factors_affecting_model_efficiency: text(2048),
        risk_rating: { type: 'string', enum: ['High', 'Medium', 'Low', 'Unknown'] },
        explanations_for_risk_rating: text(2048),
      },
    },
    business_details: {
      type: 'object',
      additionalProperties: false,
      properties: { business_problem: text(2048), business_stakeholders: text(2048), line_of_business: text(2048) },
    },
    training_details: {
      type: 'object',
      additionalProperties: false,
      properties: {
        objective_function: {
          type: 'object',
          additionalProperties: false,
          properties: {
            function: {
              type: 'object',
              additionalProperties: false,
              properties: {
                function: { type: 'string', enum: ['Maximize', 'Minimize'] },
                facet: text(63),
                condition: text(63),
              },
            },
            notes: text(1024),
          },
        },
        training_observations: text(1024),
        training_job_details: {
          type: 'object',
          additionalProperties: false,
          properties: {
            training_arn: text(1024),
            training_datasets: texts(1024, 15),
            training_environment: {
              type: 'object',
              additionalProperties: false,
              properties: { container_image: texts(1024, 15) },
            },
            training_metrics: { type: 'array', items: trainingMetric, maxItems: 50 },
            user_provided_training_metrics: { type: 'array', items: trainingMetric, maxItems: 50 },
            hyper_parameters: { type: 'array', items: hyperParameter, maxItems: 100 },
            user_provided_hyper_parameters: { type: 'array', items: hyperParameter, maxItems: 100 },
          },
        },
      },
    },
    evaluation_details: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['name'],
        properties: {
          name: { type: 'string', minLength: 1, maxLength: 63 },
          evaluation_observation: text(2096),
          evaluation_job_arn: text(256),
          datasets: texts(1024, 10),
          metadata: { type: 'object', additionalProperties: text(1024) },
          metric_groups: {
            type: 'array',
            items: {
              type: 'object',
              additionalProperties: false,
              required: ['name', 'metric_data'],
              properties: {
                name: { type: 'string', minLength: 1, maxLength: 63 },
                metric_data: {
                  type: 'array',
                  items: {
                    anyOf: [simpleMetric, matrixMetric, graphMetric('linear_graph'), graphMetric('bar_chart')],
                  },
                },
              },
            },
          },
        },
      },
    },
    additional_information: {
      type: 'object',
      additionalProperties: false,
      properties: {
        ethical_considerations: text(2048),
        caveats_and_recommendations: text(2048),
        custom_details: { type: 'object', additionalProperties: text(1024) },
      },
    },
  },
} as const;
