import type { SageMakerClient } from '@aws-sdk/client-sagemaker';
import type { S3Client } from '@aws-sdk/client-s3';
import type { StepDefinition } from '../definition/types.js';
import { errorMessage } from './aws-errors.js';
import { allSteps } from './definition-graph.js';
import { readJsonObject } from './s3-objects.js';
import type { CompiledPipeline, StepRecord } from './run-types.js';
import { awsCommands } from './aws-commands.js';

/** A property file a processing step wrote (the evaluation report), read back from S3. */
export interface EvaluationReport {
  readonly stepName: string;
  readonly propertyFile: string;
  readonly s3Uri: string;
  readonly document?: unknown;
  /** Why the document could not be read. */
  readonly problem?: string;
}

/**
 * Reads every property file of the steps that succeeded, the way the pipeline's JsonGet does: the job's
 * output (DescribeProcessingJob → ProcessingOutputConfig.Outputs[OutputName].S3Output.S3Uri) plus FilePath.
 * A report that cannot be read is returned with the problem: the summary says so instead of failing a run
 * whose execution succeeded.
 */
export async function readEvaluationReports(
  sagemaker: SageMakerClient,
  s3: S3Client,
  definition: CompiledPipeline['definition'],
  steps: readonly StepRecord[],
): Promise<EvaluationReport[]> {
  const reports: EvaluationReport[] = [];
  const byName = new Map(steps.map((step) => [step.name, step]));
  for (const step of allSteps(definition).filter((candidate) => (candidate.PropertyFiles ?? []).length > 0)) {
    const record = byName.get(step.Name);
    const jobArn = record?.status === 'Succeeded' ? record.metadata?.ProcessingJob?.Arn : undefined;
    if (!jobArn) continue;
    reports.push(...(await readStepReports(sagemaker, s3, step, jobArn)));
  }
  return reports;
}

async function readStepReports(
  sagemaker: SageMakerClient,
  s3: S3Client,
  step: StepDefinition,
  jobArn: string,
): Promise<EvaluationReport[]> {
  const { DescribeProcessingJobCommand } = await awsCommands();
  const jobName = jobArn.slice(jobArn.lastIndexOf('/') + 1);
  const job = await sagemaker.send(new DescribeProcessingJobCommand({ ProcessingJobName: jobName }));
  const reports: EvaluationReport[] = [];
  for (const file of step.PropertyFiles ?? []) {
    const output = job.ProcessingOutputConfig?.Outputs?.find((candidate) => candidate.OutputName === file.OutputName);
    const base = output?.S3Output?.S3Uri;
    const header = { stepName: step.Name, propertyFile: file.PropertyFileName };
    if (!base) {
      reports.push({ ...header, s3Uri: '', problem: `the job has no output named ${file.OutputName}` });
      continue;
    }
    const s3Uri = `${base.replace(/\/+$/, '')}/${file.FilePath}`;
    try {
      reports.push({ ...header, s3Uri, document: await readJsonObject(s3, s3Uri) });
    } catch (error) {
      reports.push({ ...header, s3Uri, problem: errorMessage(error) });
    }
  }
  return reports;
}
