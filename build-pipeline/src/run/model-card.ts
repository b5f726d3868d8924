import type { SageMakerClient } from '@aws-sdk/client-sagemaker';
import { buildModelCardContent, type ModelCardContent, type ModelCardFacts } from '@slipway/core';
import { awsCommands } from './aws-commands.js';
import { errorMessage } from './aws-errors.js';
import type { EvaluationReport } from './evaluation-report.js';
import type { StepRecord } from './run-types.js';

/**
 * Writes the model card of the version a run registered, as the version's own card (UpdateModelPackage's
 * `ModelCard`, status Draft), right after the execution that registered it: the card needs the evaluation
 * report's metrics, which exist only once the execution's evaluation step has run, while the version itself
 * is created inside the execution (the RegisterModel step). A card on the version travels with it (Studio's
 * version page, DescribeModelPackage, a stage account that may read the group) and goes with it; a separate
 * CreateModelCard resource would need its own name, permissions and clean-up. A version that already has a
 * card keeps it: a person may have reviewed it.
 */
export interface ModelCardInputs {
  readonly modelPackageArn: string;
  readonly steps: readonly StepRecord[];
  readonly evaluation: readonly EvaluationReport[];
  /** Who made the model: the repository (OWNER/REPO), else the project. */
  readonly creator: string;
}

export type ModelCardOutcome =
  { readonly written: true; readonly content: ModelCardContent } | { readonly written: false; readonly reason: string };

export async function writeModelCard(sagemaker: SageMakerClient, inputs: ModelCardInputs): Promise<ModelCardOutcome> {
  const { DescribeModelPackageCommand, DescribeTrainingJobCommand, UpdateModelPackageCommand } = await awsCommands();
  try {
    const described = await sagemaker.send(
      new DescribeModelPackageCommand({ ModelPackageName: inputs.modelPackageArn }),
    );
    if (described.ModelCard?.ModelCardContent) {
      return { written: false, reason: `${inputs.modelPackageArn} already has a model card; it is kept` };
    }
    const container = described.InferenceSpecification?.Containers?.[0];
    const trainingJobArn = inputs.steps.find((step) => step.status === 'Succeeded' && step.metadata?.TrainingJob?.Arn)
      ?.metadata?.TrainingJob?.Arn;
    const job = trainingJobArn
      ? await sagemaker.send(
          new DescribeTrainingJobCommand({
            TrainingJobName: trainingJobArn.slice(trainingJobArn.lastIndexOf('/') + 1),
          }),
        )
      : undefined;
    const report = inputs.evaluation.find((candidate) => candidate.document !== undefined);
    const evaluationStep = report ? inputs.steps.find((step) => step.name === report.stepName) : undefined;
    const facts: ModelCardFacts = {
      modelPackageArn: inputs.modelPackageArn,
      modelPackageGroupName: described.ModelPackageGroupName ?? '',
      version: described.ModelPackageVersion ?? 0,
      creator: inputs.creator,
      ...(container?.ModelDataUrl ? { modelArtifacts: [container.ModelDataUrl] } : {}),
      ...(trainingJobArn
        ? {
            training: {
              jobArn: trainingJobArn,
              ...(job?.AlgorithmSpecification?.TrainingImage
                ? { image: job.AlgorithmSpecification.TrainingImage }
                : {}),
              datasets: (job?.InputDataConfig ?? [])
                .map((channel) => channel.DataSource?.S3DataSource?.S3Uri)
                .filter((uri): uri is string => Boolean(uri)),
              ...(job?.HyperParameters ? { hyperParameters: job.HyperParameters } : {}),
              metrics: (job?.FinalMetricDataList ?? [])
                .filter((metric) => metric.MetricName !== undefined && metric.Value !== undefined)
                .map((metric) => ({ name: metric.MetricName!, value: metric.Value! })),
            },
          }
        : {}),
      ...(report
        ? {
            evaluation: {
              stepName: report.stepName,
              ...(evaluationStep?.metadata?.ProcessingJob?.Arn
                ? { jobArn: evaluationStep.metadata.ProcessingJob.Arn }
                : {}),
              ...(report.s3Uri ? { reportUri: report.s3Uri } : {}),
              document: report.document,
            },
          }
        : {}),
      ...(described.CustomerMetadataProperties ? { lineage: described.CustomerMetadataProperties } : {}),
    };
    const content = buildModelCardContent(facts);
    await sagemaker.send(
      new UpdateModelPackageCommand({
        ModelPackageArn: inputs.modelPackageArn,
        ModelCard: { ModelCardContent: JSON.stringify(content), ModelCardStatus: 'Draft' },
      }),
    );
    return { written: true, content };
  } catch (error) {
    return {
      written: false,
      reason: `the model card of ${inputs.modelPackageArn} was not written: ${errorMessage(error)}`,
    };
  }
}
