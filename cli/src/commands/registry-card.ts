import type { DescribeModelPackageOutput } from '@aws-sdk/client-sagemaker';
import { ValidationError, type ModelCardContent } from '@slipway/core';
import type { CliContext } from '../context.js';
import { printTable } from './format.js';

/** What `slipway registry card VERSION --json` prints. */
export interface ModelCardJson {
  readonly arn: string;
  readonly status?: string;
  readonly content: ModelCardContent;
}

/**
 * A version's model card, read from DescribeModelPackage's ModelCard (the pipeline run writes it when the
 * version is registered). A version without one is an error that says how cards come about.
 */
export function modelCardOf(described: DescribeModelPackageOutput): ModelCardJson {
  const name = `${described.ModelPackageGroupName}/${described.ModelPackageVersion}`;
  const raw = described.ModelCard?.ModelCardContent;
  if (!raw) {
    throw new ValidationError({
      where: name,
      field: '',
      problem: 'has no model card',
      fix: 'a card is written when a pipeline run registers a version (npx slipway pipeline run, the build workflow); versions registered before cards existed have none',
    });
  }
  let content: ModelCardContent;
  try {
    content = JSON.parse(raw) as ModelCardContent;
  } catch (error) {
    throw new Error(`The model card of ${name} is not JSON: ${(error as Error).message}`);
  }
  return {
    arn: described.ModelPackageArn ?? name,
    ...(described.ModelCard?.ModelCardStatus ? { status: described.ModelCard.ModelCardStatus } : {}),
    content,
  };
}

/** The card for a person: each section's fields, the evaluation metrics as a table. */
export function printModelCard(context: CliContext, card: ModelCardJson): void {
  const { output } = context;
  const { content } = card;
  const field = (label: string, value: string | undefined): void => {
    if (value) output.line(`  ${output.paint(label.padEnd(18), 'dim')}${value}`);
  };
  output.line(`Model card of ${card.arn} (${card.status ?? 'no status'})`, 'plain');
  output.line('Overview', 'dim');
  field('creator', content.model_overview?.model_creator);
  field('model data', content.model_overview?.model_artifact?.join(', '));
  output.line('Intended uses', 'dim');
  field('purpose', content.intended_uses?.purpose_of_model);
  field('uses', content.intended_uses?.intended_uses);
  field('risk rating', content.intended_uses?.risk_rating);
  field('why', content.intended_uses?.explanations_for_risk_rating);
  const training = content.training_details?.training_job_details;
  if (training) {
    output.line('Training', 'dim');
    field('job', training.training_arn);
    field('image', training.training_environment?.container_image?.join(', '));
    field('data', training.training_datasets?.join(', '));
    field(
      'hyperparameters',
      training.hyper_parameters?.map((parameter) => `${parameter.name}=${parameter.value}`).join(' '),
    );
    field('metrics', training.training_metrics?.map((metric) => `${metric.name}=${metric.value}`).join(' '));
  }
  for (const evaluation of content.evaluation_details ?? []) {
    output.line(`Evaluation (${evaluation.name})`, 'dim');
    field('job', evaluation.evaluation_job_arn);
    field('observation', evaluation.evaluation_observation);
    const rows = (evaluation.metric_groups ?? []).flatMap((group) =>
      group.metric_data.map((metric) => [
        group.name,
        metric.name,
        metric.type === 'matrix'
          ? metric.value.map((row) => row.join(' ')).join(' / ')
          : typeof metric.value === 'number'
            ? metric.value.toFixed(4)
            : String(metric.value),
      ]),
    );
    if (rows.length > 0) printTable(output, ['GROUP', 'METRIC', 'VALUE'], rows);
  }
  const details = content.additional_information?.custom_details ?? {};
  if (Object.keys(details).length > 0) {
    output.line('Lineage', 'dim');
    for (const [key, value] of Object.entries(details)) field(key, value);
  }
  field('caveats', content.additional_information?.caveats_and_recommendations);
}
