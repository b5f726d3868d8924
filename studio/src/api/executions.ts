import {
  DescribeModelPackageCommand,
  DescribePipelineDefinitionForExecutionCommand,
  DescribeProcessingJobCommand,
  DescribeTrainingJobCommand,
  type DescribeProcessingJobResponse,
  type DescribeTrainingJobResponse,
} from '@aws-sdk/client-sagemaker';
import type { PipelineDefinition } from '@slipway/build-pipeline';
import { listExecutionSteps, readEvaluationReports, type StepRecord } from '@slipway/build-pipeline/run';
import { ValidationError } from '@slipway/core';
import type { CompareView, ExecutionView, S3Link, StepDetailView, StepState, StepView } from '../views.js';
import type { ConsoleContext } from './console-context.js';
import { allSteps, executionGraph, parseDefinition } from './definition.js';
import { headlineMetrics } from './evaluation.js';
import { executionListItem, isUnsupported } from './pipelines.js';

/** An execution with its DAG and every step's state (steps it never started are `NotRun`). */
export async function executionView(context: ConsoleContext, arn: string): Promise<ExecutionView> {
  const { definition, steps, execution, stepsUnknown } = await readExecution(context, arn);
  const records = new Map(steps.map((step) => [step.name, step]));
  const now = Date.now();
  return {
    pipelineName: pipelineOf(arn),
    execution,
    graph: executionGraph(definition),
    steps: allSteps(definition).map((step) => stepView(step.Name, step.Type, records.get(step.Name), now)),
    ...(stepsUnknown ? { note: "This service does not list the execution's steps (ListPipelineExecutionSteps)." } : {}),
  };
}

async function readExecution(context: ConsoleContext, arn: string) {
  const { sagemaker } = context.backend;
  let stepsUnknown = false;
  const [execution, described, steps] = await Promise.all([
    executionListItem(context, arn),
    sagemaker.send(new DescribePipelineDefinitionForExecutionCommand({ PipelineExecutionArn: arn })),
    listExecutionSteps(sagemaker, arn).catch((error: unknown) => {
      if (!isUnsupported(error)) throw error;
      stepsUnknown = true;
      return [];
    }),
  ]);
  return { execution, definition: parseDefinition(described.PipelineDefinition), steps, stepsUnknown };
}

function stepView(name: string, type: string, record: StepRecord | undefined, now: number): StepView {
  if (!record) return { name, type, status: 'NotRun' };
  const metadata = record.metadata;
  const jobArn = metadata?.ProcessingJob?.Arn ?? metadata?.TrainingJob?.Arn;
  const ended = record.endTime?.getTime();
  const started = record.startTime?.getTime();
  return {
    name,
    type,
    status: (record.status === 'Unknown' ? 'NotRun' : record.status) as StepState,
    ...(record.startTime ? { started: record.startTime.toISOString() } : {}),
    ...(record.endTime ? { ended: record.endTime.toISOString() } : {}),
    ...(started !== undefined ? { durationMs: (ended ?? now) - started } : {}),
    ...(record.attemptCount !== undefined ? { attempts: record.attemptCount } : {}),
    ...(record.failureReason ? { failureReason: record.failureReason } : {}),
    ...(record.cacheHitSource ? { cacheHitFrom: record.cacheHitSource } : {}),
    ...(metadata?.Condition?.Outcome === 'True' || metadata?.Condition?.Outcome === 'False'
      ? { outcome: metadata.Condition.Outcome }
      : {}),
    ...(jobArn
      ? {
          job: {
            kind: metadata?.ProcessingJob?.Arn ? ('Processing' as const) : ('Training' as const),
            name: jobArn.slice(jobArn.lastIndexOf('/') + 1),
            arn: jobArn,
          },
        }
      : {}),
    ...(metadata?.RegisterModel?.Arn ? { modelPackageArn: metadata.RegisterModel.Arn } : {}),
    ...(metadata?.Model?.Arn ? { modelArn: metadata.Model.Arn } : {}),
  };
}

/**
 * One step in full: its arguments as the job ran them (the job's Describe response, every expression
 * resolved) or as the definition has them, its S3 inputs and outputs, properties, metrics and where its log is.
 */
export async function stepDetail(context: ConsoleContext, arn: string, stepName: string): Promise<StepDetailView> {
  const { backend } = context;
  const { definition, steps } = await readExecution(context, arn);
  const declared = allSteps(definition).find((step) => step.Name === stepName);
  if (!declared) {
    throw new ValidationError({
      where: arn,
      field: 'step',
      problem: `has no step ${JSON.stringify(stepName)}`,
      fix: `pick one of ${allSteps(definition)
        .map((step) => step.Name)
        .join(', ')}`,
    });
  }
  const step = stepView(
    declared.Name,
    declared.Type,
    steps.find((candidate) => candidate.name === stepName),
    Date.now(),
  );
  const base = { step, arguments: declared.Arguments as unknown, argumentsResolved: false, inputs: [], outputs: [] };
  if (step.job?.kind === 'Processing') {
    const job = await backend.sagemaker.send(new DescribeProcessingJobCommand({ ProcessingJobName: step.job.name }));
    return { ...base, ...processingDetail(job), log: logLocation(context, 'ProcessingJobs', step.job.name) };
  }
  if (step.job?.kind === 'Training') {
    const job = await backend.sagemaker.send(new DescribeTrainingJobCommand({ TrainingJobName: step.job.name }));
    return { ...base, ...trainingDetail(job), log: logLocation(context, 'TrainingJobs', step.job.name) };
  }
  if (step.modelPackageArn) {
    const version = await backend.sagemaker.send(
      new DescribeModelPackageCommand({ ModelPackageName: step.modelPackageArn }),
    );
    const container = version.InferenceSpecification?.Containers?.[0];
    const statistics = version.ModelMetrics?.ModelQuality?.Statistics?.S3Uri;
    return {
      ...base,
      properties: version,
      inputs: [
        ...(container?.ModelDataUrl ? [{ name: 'ModelDataUrl', uri: container.ModelDataUrl }] : []),
        ...(statistics ? [{ name: 'ModelQuality.Statistics', uri: statistics }] : []),
      ],
    };
  }
  return base;
}

function processingDetail(job: DescribeProcessingJobResponse): Partial<StepDetailView> {
  const inputs: S3Link[] = (job.ProcessingInputs ?? []).flatMap((input) =>
    input.S3Input?.S3Uri ? [{ name: input.InputName ?? 'input', uri: input.S3Input.S3Uri }] : [],
  );
  const outputs: S3Link[] = (job.ProcessingOutputConfig?.Outputs ?? []).flatMap((output) =>
    output.S3Output?.S3Uri ? [{ name: output.OutputName ?? 'output', uri: output.S3Output.S3Uri }] : [],
  );
  return {
    arguments: {
      AppSpecification: job.AppSpecification,
      ProcessingInputs: job.ProcessingInputs,
      ProcessingOutputConfig: job.ProcessingOutputConfig,
      ProcessingResources: job.ProcessingResources,
      Environment: job.Environment,
      StoppingCondition: job.StoppingCondition,
      RoleArn: job.RoleArn,
    },
    argumentsResolved: true,
    inputs,
    outputs,
    properties: job,
  };
}

function trainingDetail(job: DescribeTrainingJobResponse): Partial<StepDetailView> {
  const inputs: S3Link[] = (job.InputDataConfig ?? []).flatMap((channel) =>
    channel.DataSource?.S3DataSource?.S3Uri
      ? [{ name: channel.ChannelName ?? 'channel', uri: channel.DataSource.S3DataSource.S3Uri }]
      : [],
  );
  const submitted = job.HyperParameters?.['sagemaker_submit_directory'];
  if (submitted) inputs.push({ name: 'code', uri: JSON.parse(submitted) as string });
  const outputs: S3Link[] = job.ModelArtifacts?.S3ModelArtifacts
    ? [{ name: 'model', uri: job.ModelArtifacts.S3ModelArtifacts }]
    : [];
  return {
    arguments: {
      AlgorithmSpecification: job.AlgorithmSpecification,
      HyperParameters: job.HyperParameters,
      InputDataConfig: job.InputDataConfig,
      OutputDataConfig: job.OutputDataConfig,
      ResourceConfig: job.ResourceConfig,
      Environment: job.Environment,
      StoppingCondition: job.StoppingCondition,
      RoleArn: job.RoleArn,
    },
    argumentsResolved: true,
    inputs,
    outputs,
    properties: job,
    metrics: (job.FinalMetricDataList ?? []).map((metric) => ({
      name: metric.MetricName ?? '',
      value: metric.Value ?? Number.NaN,
    })),
  };
}

/** Where a job's log is: streamed by this server (local), or the CloudWatch log group SageMaker writes to. */
function logLocation(
  context: ConsoleContext,
  group: 'ProcessingJobs' | 'TrainingJobs',
  jobName: string,
): NonNullable<StepDetailView['log']> {
  const { backend } = context;
  if (backend.jobLogFile?.(jobName)) return { stream: true };
  return {
    stream: false,
    where: `CloudWatch Logs /aws/sagemaker/${group}, streams ${jobName}/…: https://${backend.region}.console.aws.amazon.com/cloudwatch/home?region=${backend.region}#logsV2:log-groups/log-group/$252Faws$252Fsagemaker$252F${group}$3FlogStreamNameFilter$3D${encodeURIComponent(jobName)}`,
  };
}

/** Two executions side by side: parameters, each step's status and duration, and the evaluation metrics. */
export async function compareExecutions(context: ConsoleContext, first: string, second: string): Promise<CompareView> {
  const [a, b] = await Promise.all([readExecution(context, first), readExecution(context, second)]);
  const [metricsA, metricsB] = await Promise.all([evaluationMetrics(context, a), evaluationMetrics(context, b)]);
  const names = (x: Record<string, unknown>, y: Record<string, unknown>) =>
    [...new Set([...Object.keys(x), ...Object.keys(y)])].sort();
  const stepNames = [...new Set([...allSteps(a.definition), ...allSteps(b.definition)].map((step) => step.Name))];
  const now = Date.now();
  const viewOf = (side: typeof a, name: string) => {
    const declared = allSteps(side.definition).find((step) => step.Name === name);
    return stepView(
      name,
      declared?.Type ?? '',
      side.steps.find((step) => step.name === name),
      now,
    );
  };
  return {
    executions: [a.execution, b.execution],
    parameters: names(a.execution.parameters, b.execution.parameters).map((name) => ({
      name,
      values: [a.execution.parameters[name], b.execution.parameters[name]],
    })),
    steps: stepNames.map((name) => {
      const [x, y] = [viewOf(a, name), viewOf(b, name)];
      return {
        name,
        status: [x.status, y.status],
        durationMs: [x.durationMs, y.durationMs],
        cacheHit: [x.cacheHitFrom !== undefined, y.cacheHitFrom !== undefined],
      };
    }),
    metrics: names(metricsA, metricsB).map((name) => ({ name, values: [metricsA[name], metricsB[name]] })),
  };
}

/** The headline metrics of the evaluation report an execution's steps wrote (its property files). */
async function evaluationMetrics(
  context: ConsoleContext,
  execution: { definition: PipelineDefinition; steps: StepRecord[] },
): Promise<Record<string, number>> {
  const reports = await readEvaluationReports(
    context.backend.sagemaker,
    context.backend.s3,
    execution.definition,
    execution.steps,
  );
  const metrics: Record<string, number> = {};
  for (const report of reports) Object.assign(metrics, headlineMetrics(report.document));
  const training = execution.steps.find((step) => step.metadata?.TrainingJob?.Arn)?.metadata?.TrainingJob?.Arn;
  if (training) {
    const job = await context.backend.sagemaker.send(
      new DescribeTrainingJobCommand({ TrainingJobName: training.slice(training.lastIndexOf('/') + 1) }),
    );
    for (const metric of job.FinalMetricDataList ?? []) {
      if (metric.MetricName && typeof metric.Value === 'number') metrics[metric.MetricName] = metric.Value;
    }
  }
  return metrics;
}

function pipelineOf(arn: string): string {
  return /:pipeline\/([^/]+)\/execution\//.exec(arn)?.[1] ?? '';
}
